"""Working copies of uploaded clips: ``<data>/uploads/<hash>/<the coach's file name>``.

A clip stays there while the coach sets its lines and analyses it; saving the run moves it into the
store (``<data>/clips/``). A clip uploaded but never saved would stay forever, so on start the app
removes the upload folders nobody has used for a day (:func:`remove_stale_uploads`).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

UPLOAD_MAX_AGE_S = 24 * 3600.0


def last_used(folder: Path) -> float:
    """When an upload folder was last written or used: the newest modification time (POSIX seconds)
    of the folder and the files in it."""
    times = [folder.stat().st_mtime]
    times += [p.stat().st_mtime for p in folder.rglob("*")]
    return max(times)


def stale_uploads(uploads: str | os.PathLike, now: float, max_age_s: float = UPLOAD_MAX_AGE_S) -> list[Path]:
    """The upload folders directly under ``uploads`` last used more than ``max_age_s`` seconds before
    ``now`` (POSIX seconds), sorted by name. Files lying loose in ``uploads`` are not touched; a
    missing ``uploads`` folder has none."""
    if max_age_s < 0:
        raise ValueError(f"max_age_s must be 0 or more seconds, got {max_age_s!r}")
    root = Path(uploads)
    if not root.is_dir():
        return []
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()):
        try:
            if now - last_used(folder) > max_age_s:
                out.append(folder)
        except FileNotFoundError:  # removed meanwhile (saved in another tab)
            continue
    return out


def remove_stale_uploads(uploads: str | os.PathLike, now: float | None = None,
                         max_age_s: float = UPLOAD_MAX_AGE_S) -> list[Path]:
    """Delete the folders :func:`stale_uploads` picks; returns them."""
    gone = stale_uploads(uploads, time.time() if now is None else now, max_age_s)
    for folder in gone:
        shutil.rmtree(folder, ignore_errors=True)
    return gone


def touch(folder: str | os.PathLike) -> None:
    """Mark an upload folder as used now (a clip worked on keeps its copy)."""
    try:
        os.utime(folder)
    except FileNotFoundError:
        pass
