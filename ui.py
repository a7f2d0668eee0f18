"""Shared Streamlit pieces for the pages: the store, units, pickers. Widgets only; every number
comes from the dash40 package."""

from __future__ import annotations

import hashlib
import logging
import math
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import streamlit as st

from dash40.dashboard import default_units, seed_demo
from dash40.errors import Dash40Error
from dash40.store import open_store
from dash40.store.uploads import remove_stale_uploads, touch
from dash40.video import probe

ROOT = Path(__file__).resolve().parent
log = logging.getLogger("dash40.ui")


def data_root() -> Path:
    return Path(os.environ.get("DASH40_DATA_DIR") or ROOT / "data")


@st.cache_resource
def _store(url: str | None, root: str):
    return open_store(url, root)


def get_store():
    return _store(os.environ.get("DASH40_DATABASE_URL"), str(data_root()))


def first_start(store) -> None:
    """Once per visit: remove uploads never saved and unused for a day; the first time the database
    is empty, the demo athlete with the sample clips analysed."""
    if not st.session_state.get("_uploads_tidied"):
        try:
            for folder in remove_stale_uploads(data_root() / "uploads"):
                log.info("Removed the unsaved upload %s (unused for a day)", folder.name)
        except OSError as exc:  # a folder that cannot be read must not stop the app
            log.warning("Could not tidy the uploads folder: %s", exc)
        st.session_state["_uploads_tidied"] = True
    if st.session_state.get("_seeded") or os.environ.get("DASH40_NO_DEMO"):
        return
    if store.count_runs() == 0:
        # One page at a time makes the demo (two tabs, or a page opened while it is made, once
        # made it twice); the others say so and look again on their next run.
        lock = _seed_lock()
        if not lock.acquire(blocking=False):
            st.info("First start: the demo athlete is being made in another page. Open this page again in a minute "
                    "to see it.")
            return
        try:
            if store.count_runs() == 0:
                bar = st.progress(0.0, text="First start: analysing the sample clips for the demo athlete…")
                seed_demo(store, progress=lambda f, m: bar.progress(min(1.0, f), text=m), analysed=_seed_cache())
                bar.empty()
        finally:
            lock.release()
    st.session_state["_seeded"] = True


@st.cache_resource
def _seed_lock() -> threading.Lock:
    return threading.Lock()


@st.cache_resource
def _seed_cache() -> dict:
    """The sample clips analysed so far (kept when a first start is interrupted)."""
    return {}


def units_ui() -> str:
    choice = st.sidebar.radio("Distances in", ["yd", "m"], index=0 if default_units() == "yd" else 1,
                              horizontal=True, key="units", help="Yards or metres, everywhere.")
    st.sidebar.caption("Times to 0.01 s, as coaches read them. Timed at the chest (photo-finish).")
    return choice


def athlete_picker(store, *, allow_new: bool = True, key: str = "athlete") -> int | None:
    athletes = store.athletes()
    names = {a["id"]: a["name"] + (f" ({a['position']})" if a["position"] else "") for a in athletes}
    if f"{key}_new_id" in st.session_state:  # select what was just added (before the widget exists)
        st.session_state[key] = st.session_state.pop(f"{key}_new_id")
    chosen = st.selectbox("Athlete", list(names), format_func=names.get, key=key) if names else None
    if allow_new:
        with st.expander("New athlete"):
            with st.form(f"{key}_new", clear_on_submit=True):
                name = st.text_input("Name")
                c1, c2, c3 = st.columns(3)
                position = c1.text_input("Position", placeholder="WR")
                mass = c2.number_input("Body mass (kg)", min_value=0.0, max_value=250.0, value=0.0, step=0.5)
                height = c3.number_input("Height (m)", min_value=0.0, max_value=2.4, value=0.0, step=0.01)
                if st.form_submit_button("Add athlete"):
                    try:
                        new = store.add_athlete(name, position=position, body_mass_kg=mass or None,
                                                height_m=height or None)
                        st.session_state[f"{key}_new_id"] = new
                        st.rerun()
                    except Dash40Error as exc:
                        st.error(str(exc))
    return chosen


def session_picker(store, *, allow_new: bool = True, key: str = "session") -> int | None:
    sessions = store.sessions()
    labels = {s["id"]: f"{s['date']} — {s['place'] or 'no place'}" for s in sessions}
    if f"{key}_new_id" in st.session_state:
        st.session_state[key] = st.session_state.pop(f"{key}_new_id")
    chosen = st.selectbox("Session", list(labels), format_func=labels.get, key=key) if labels else None
    if allow_new:
        with st.expander("New session"):
            with st.form(f"{key}_new", clear_on_submit=True):
                c1, c2, c3 = st.columns(3)
                day = c1.date_input("Date", value=date.today())
                place = c2.text_input("Place")
                surface = c3.text_input("Surface", placeholder="turf")
                c4, c5, c6 = st.columns(3)
                temp = c4.number_input("Temperature (°C)", value=20.0, step=1.0)
                pressure = c5.number_input("Pressure (mmHg)", value=760.0, step=1.0)
                wind = c6.number_input("Wind (m/s, + = tail)", value=0.0, step=0.5)
                if st.form_submit_button("Add session"):
                    new = store.add_session(day, place=place, surface=surface, temperature_c=temp,
                                            pressure_mmhg=pressure, wind_m_s=wind)
                    st.session_state[f"{key}_new_id"] = new
                    st.rerun()
    return chosen


# ---- bad input and failures: one sentence, never a traceback ---------------------------------------
def failure_sentence(exc: BaseException, doing: str, *, not_saved: bool = False) -> str:
    """What the coach reads when ``doing`` (e.g. "analysing the clip") failed: a dash40 error's own
    sentence, any other exception as one generic sentence (its traceback goes to the server's log)."""
    if isinstance(exc, Dash40Error):
        msg = str(exc).strip()
    else:
        msg = f"Something unexpected went wrong while {doing} ({type(exc).__name__})."
    return msg + (" The clip was not saved." if not_saved else "")


def reported(exc: BaseException, doing: str, *, not_saved: bool = False) -> str:
    """:func:`failure_sentence`, with the traceback of anything but a dash40 error in the server's log."""
    if not isinstance(exc, Dash40Error):
        log.error("Unexpected failure while %s", doing, exc_info=exc)
    return failure_sentence(exc, doing, not_saved=not_saved)


@contextmanager
def shown_as_error(doing: str, *, not_saved: bool = False) -> Iterator[None]:
    """Run the block; if it fails, show one sentence with ``st.error`` and carry on with the page."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the page must stay usable whatever went wrong
        st.error(reported(exc, doing, not_saved=not_saved))


# ---- the uploaded clip on disk ---------------------------------------------------------------------
def keep_upload(store, name: str, data: bytes) -> tuple[Path, str]:
    """The uploaded clip as a file, one copy per content, and its SHA-256.

    A clip a saved run already stored is used where the store keeps it. A new one is written to a
    temporary folder and checked there (``probe``); only a video dash40 can read is kept, under the
    data folder's ``uploads/<hash>/`` with the coach's file name. Raises VideoError (naming the
    coach's file) and leaves nothing on disk otherwise.
    """
    sha = hashlib.sha256(data).hexdigest()
    known = store.known_clip(sha)
    if known and Path(known["stored_path"]).is_file():
        return Path(known["stored_path"]), sha
    uploads = data_root() / "uploads"
    folder = uploads / sha[:16]
    kept = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    if kept:
        touch(folder)  # in use: not tidied away as an upload nobody saved
        return kept[0], sha
    uploads.mkdir(parents=True, exist_ok=True)
    incoming = Path(tempfile.mkdtemp(prefix=".incoming-", dir=uploads))
    try:
        clip = incoming / (Path(name).name or "clip.mp4")
        clip.write_bytes(data)
        probe(clip)
        try:
            incoming.rename(folder)
        except OSError:
            if not folder.is_dir():  # not another tab keeping the same clip a moment ago: a real failure
                raise
    finally:
        shutil.rmtree(incoming, ignore_errors=True)
    return sorted(p for p in folder.iterdir() if p.is_file())[0], sha


def drop_upload(store, clip_path: Path, sha: str) -> None:
    """Remove the working copy of an upload once the store has its own copy of the clip (saved runs
    keep one copy); while the store has none, the working copy is the only one and stays."""
    uploads = (data_root() / "uploads").resolve()
    folder = Path(clip_path).resolve().parent
    if folder.parent != uploads:
        return
    known = store.known_clip(sha)
    if known is None or not Path(known["stored_path"]).is_file():
        return
    if Path(known["stored_path"]).resolve().parent == folder:  # (never the store's own file)
        return
    shutil.rmtree(folder, ignore_errors=True)


# ---- timing lines: the table and click-to-place -------------------------------------------------------
COLUMNS = ("near u", "near v", "far u", "far v")


def calibration_rows(cal: dict[str, Any], frame_height: int) -> list[dict[str, Any]]:
    """The calibration's lines as the table's rows (None where not placed). The positions are kept
    exactly as the file gives them: the table shows them to 0.1 px, but rounding the values
    themselves moved the demo clip's 10-yd split by 0.7 ms, so the dashboard read 1.93 s where the
    command line read 1.92 s for the same clip and file."""
    rows = []
    for ln in cal.get("lines", []):
        near, far = ln.get("near"), ln.get("far")
        if near is None and far is None and ln.get("x") is not None:  # a vertical line given by its x
            near, far = [ln["x"], frame_height - 1], [ln["x"], 0]
        vals = [*(near or (None, None)), *(far or (None, None))]
        rows.append({"distance": ln.get("distance"),
                     **{c: None if v is None else float(v) for c, v in zip(COLUMNS, vals, strict=True)}})
    return rows


def _number(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def lines_from_table(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The table's rows as calibration lines; rows without a distance are left out, and an end with
    a missing coordinate is None (not placed yet)."""
    lines = []
    for r in records:
        d = _number(r.get("distance"))
        if d is None:
            continue
        nu, nv, fu, fv = (_number(r.get(c)) for c in COLUMNS)
        lines.append({"distance": d, "near": None if nu is None or nv is None else [nu, nv],
                      "far": None if fu is None or fv is None else [fu, fv]})
    return lines


def to_frame_pixels(click: dict[str, Any], frame_size: tuple[int, int]) -> tuple[float, float]:
    """Where a click on the picture as shown falls on the full-resolution frame, in pixels from its
    top-left corner (pixel centres at whole numbers), kept inside the frame.

    ``click`` holds the click's ``x``, ``y`` on the shown picture and that picture's shown ``width``
    and ``height``; ``frame_size`` is the frame's (width, height).
    """
    w, h = frame_size
    sx, sy = w / float(click["width"]), h / float(click["height"])
    u = (float(click["x"]) + 0.5) * sx - 0.5
    v = (float(click["y"]) + 0.5) * sy - 0.5
    return round(min(max(u, 0.0), w - 1.0), 1), round(min(max(v, 0.0), h - 1.0), 1)


def clickable_frame(image_rgb, *, key: str, on_click, max_width: int = 1280) -> None:
    """The frame, scaled to fit the page, reporting where it is clicked (``st.session_state[key]``
    holds the click's position on the picture as shown and the shown size; ``on_click`` runs first)."""
    from PIL import Image

    picture = Image.fromarray(image_rgb)
    picture.thumbnail((max_width, max_width))  # lighter to send; clicks are scaled by the shown size anyway
    try:
        from streamlit_image_coordinates import streamlit_image_coordinates
    except ImportError:  # pragma: no cover - a declared dependency; typing the positions still works
        st.image(picture, width="stretch")
        st.caption("Install streamlit-image-coordinates to place the lines by clicking on the frame.")
        return
    streamlit_image_coordinates(picture, key=key, width="stretch", image_format="JPEG", jpeg_quality=90,
                                on_click=on_click, cursor="crosshair")


def lines_for_click(drawn: dict[str, Any], drawn_version: int, current: dict[str, Any],
                    current_version: int | None) -> dict[str, Any]:
    """The calibration a click on the frame is placed on: the one the page drew, unless it was
    replaced since (a calibration file read in a later run, which the click's callback would
    otherwise overwrite with the drawn lines: a file's lines were wiped that way)."""
    return drawn if current_version == drawn_version else current


def line_index(value, n_lines: int) -> int | None:
    """The line picker's value as a line index, or None when it is not one of the ``n_lines``."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value < n_lines else None


def place_line_end(lines: list[dict[str, Any]], line: int, end: str,
                   point: tuple[float, float]) -> tuple[list[dict[str, Any]], int, str]:
    """Put ``end`` ("near" or "far") of line number ``line`` at ``point``.

    Returns the new lines and what the next click places: the far end after the near one, then
    the next line's near end (the first line's after the last line).
    """
    if end not in ("near", "far"):
        raise ValueError(f"end must be 'near' or 'far', got {end!r}")
    if not 0 <= line < len(lines):
        raise ValueError(f"line must be between 0 and {len(lines) - 1}, got {line}")
    new = [dict(ln) for ln in lines]
    new[line][end] = [float(point[0]), float(point[1])]
    if end == "near":
        return new, line, "far"
    return new, (line + 1) % len(new), "near"
