"""Uploads nobody saved: which folders are old enough to remove (by when they were last used)."""

import os

import pytest

from dash40.store.uploads import UPLOAD_MAX_AGE_S, remove_stale_uploads, stale_uploads, touch

NOW = 1_800_000_000.0  # a fixed "now" (POSIX seconds)
HOUR = 3600.0


def _upload(root, name, age_s, file_age_s=None):
    """An upload folder holding one clip; the folder last changed ``age_s`` ago, the clip ``file_age_s`` ago."""
    folder = root / name
    folder.mkdir(parents=True)
    clip = folder / "rep 3.mp4"
    clip.write_bytes(b"\0" * 16)
    t = NOW - (age_s if file_age_s is None else file_age_s)
    os.utime(clip, (t, t))
    os.utime(folder, (NOW - age_s, NOW - age_s))
    return folder


def test_only_folders_unused_for_more_than_a_day_are_picked(tmp_path):
    old = _upload(tmp_path, "a1b2c3d4e5f60718", 25 * HOUR)
    fresh = _upload(tmp_path, "ffff000011112222", 23 * HOUR)
    just_over = _upload(tmp_path, "0000aaaabbbbcccc", 24 * HOUR + 1)
    crashed = _upload(tmp_path, ".incoming-x8k2", 30 * HOUR)  # a check that never finished
    used_lately = _upload(tmp_path, "9999888877776666", 48 * HOUR, file_age_s=2 * HOUR)  # its clip changed 2 h ago
    loose = tmp_path / "notes.txt"
    loose.write_text("not an upload")
    os.utime(loose, (NOW - 100 * HOUR, NOW - 100 * HOUR))
    assert stale_uploads(tmp_path, NOW) == sorted([old, just_over, crashed])
    assert fresh not in stale_uploads(tmp_path, NOW) and used_lately not in stale_uploads(tmp_path, NOW)
    assert stale_uploads(tmp_path, NOW, max_age_s=22 * HOUR) == sorted([old, just_over, crashed, fresh])
    assert UPLOAD_MAX_AGE_S == 24 * HOUR


def test_removing_them_keeps_the_rest(tmp_path):
    old = _upload(tmp_path, "a1b2c3d4e5f60718", 25 * HOUR)
    fresh = _upload(tmp_path, "ffff000011112222", 1 * HOUR)
    assert remove_stale_uploads(tmp_path, NOW) == [old]
    assert not old.exists() and (fresh / "rep 3.mp4").is_file()
    assert remove_stale_uploads(tmp_path, NOW) == []


def test_a_folder_in_use_is_touched_and_kept(tmp_path):
    folder = _upload(tmp_path, "a1b2c3d4e5f60718", 25 * HOUR)
    touch(folder)  # the coach is working on it (keep_upload found it again)
    assert remove_stale_uploads(tmp_path) == [] and folder.is_dir()


def test_no_uploads_folder_and_bad_ages(tmp_path):
    assert stale_uploads(tmp_path / "uploads", NOW) == []
    with pytest.raises(ValueError, match="max_age_s"):
        stale_uploads(tmp_path, NOW, max_age_s=-1)
