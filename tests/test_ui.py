"""The pure pieces of ui.py: click-to-place arithmetic, the lines table, failure sentences."""

from pathlib import Path

import pytest

pytest.importorskip("streamlit")
import ui  # noqa: E402
from dash40.errors import VideoError  # noqa: E402


def test_a_click_on_the_scaled_frame_lands_on_the_full_resolution_pixel():
    # A 1920×1080 frame shown 960×540: a click on shown pixel (100, 50) covers full pixels 200–201 × 100–101.
    assert ui.to_frame_pixels({"x": 100, "y": 50, "width": 960, "height": 540}, (1920, 1080)) == (200.5, 100.5)
    # Non-square scaling (portrait 1080×1920 shown 405×720) keeps x and y apart.
    u, v = ui.to_frame_pixels({"x": 0, "y": 719, "width": 405, "height": 720}, (1080, 1920))
    assert (u, v) == (0.8, 1918.2)  # pixel centres: (0.5 · 1080/405 − 0.5, 719.5 · 1920/720 − 0.5)
    # Shown at full size: the pixel itself.
    assert ui.to_frame_pixels({"x": 37, "y": 12, "width": 640, "height": 360}, (640, 360)) == (37.0, 12.0)


def test_a_click_outside_the_picture_is_kept_on_the_frame():
    assert ui.to_frame_pixels({"x": -5, "y": 600, "width": 960, "height": 540}, (1920, 1080)) == (0.0, 1079.0)


def test_near_then_far_then_the_next_line():
    lines = [{"distance": 0.0, "near": None, "far": None}, {"distance": 10.0, "near": [1, 2], "far": [3, 4]}]
    after, line, end = ui.place_line_end(lines, 0, "near", (10.0, 20.0))
    assert (line, end) == (0, "far") and after[0]["near"] == [10.0, 20.0] and after[0]["far"] is None
    after, line, end = ui.place_line_end(after, 0, "far", (12.0, 5.0))
    assert (line, end) == (1, "near") and after[0]["far"] == [12.0, 5.0]
    after, line, end = ui.place_line_end(after, 1, "far", (30.0, 6.0))
    assert (line, end) == (0, "near") and after[1] == {"distance": 10.0, "near": [1, 2], "far": [30.0, 6.0]}
    assert lines[0]["near"] is None  # the input is left as it was


def test_placing_refuses_a_line_that_is_not_there():
    with pytest.raises(ValueError, match="between 0 and 0"):
        ui.place_line_end([{"distance": 0.0, "near": None, "far": None}], 1, "near", (0, 0))
    with pytest.raises(ValueError, match="'near' or 'far'"):
        ui.place_line_end([{"distance": 0.0, "near": None, "far": None}], 0, "middle", (0, 0))


def test_the_table_round_trips_and_marks_unplaced_ends():
    cal = {"units": "yd", "lines": [{"distance": 0.0, "near": [100.04, 700.0], "far": [110.0, 400.0]},
                                    {"distance": 10.0, "x": 900.0}]}
    rows = ui.calibration_rows(cal, 720)
    # exactly as the file has them (shown to 0.1 px, but not rounded: the analysis must see the file)
    assert rows[0] == {"distance": 0.0, "near u": 100.04, "near v": 700.0, "far u": 110.0, "far v": 400.0}
    assert rows[1] == {"distance": 10.0, "near u": 900.0, "near v": 719.0, "far u": 900.0, "far v": 0.0}
    lines = ui.lines_from_table(rows + [{"distance": 20.0, "near u": 5.0, "near v": float("nan"), "far u": None},
                                        {"distance": None, "near u": 1.0}])
    assert [ln["distance"] for ln in lines] == [0.0, 10.0, 20.0]
    assert lines[1] == {"distance": 10.0, "near": [900.0, 719.0], "far": [900.0, 0.0]}
    assert lines[2]["near"] is None and lines[2]["far"] is None


def test_failures_read_as_one_sentence():
    err = VideoError("'rep.mp4' is damaged.")
    assert ui.failure_sentence(err, "analysing the clip") == "'rep.mp4' is damaged."
    assert ui.failure_sentence(err, "analysing the clip", not_saved=True) == \
        "'rep.mp4' is damaged. The clip was not saved."
    assert ui.failure_sentence(IndexError("list index out of range"), "saving the run", not_saved=True) == \
        "Something unexpected went wrong while saving the run (IndexError). The clip was not saved."


# -- the uploaded clip on disk ---------------------------------------------------------------------------


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("DASH40_DATA_DIR", str(tmp_path))
    return tmp_path


def test_the_working_copy_is_not_dropped_while_it_is_the_only_copy(data):
    """The clip's row is stored but its file was lost; the coach uploads it again and saves: the
    store has its file back and the working copy goes. Had the save not restored it, the working
    copy would have stayed (it was removed, leaving no copy at all)."""
    from datetime import date

    from helpers import SAMPLE, files, sample_result

    from dash40.store import open_store

    st = open_store(None, data)
    a, s = st.add_athlete("A"), st.add_session(date(2026, 11, 24))
    st.save_run(a, s, SAMPLE, {}, sample_result())
    sha = st.clip_hash(SAMPLE)
    stored = Path(st.known_clip(sha)["stored_path"])
    stored.unlink()
    path, got = ui.keep_upload(st, "rep.mp4", SAMPLE.read_bytes())
    assert got == sha and path.parent.parent == data / "uploads"
    ui.drop_upload(st, path, sha)  # the store has no file of it yet: the working copy stays
    assert path.is_file()
    st.save_run(a, s, path, {}, sample_result())
    ui.drop_upload(st, path, sha)
    assert stored.is_file() and st.clip_hash(stored) == sha
    assert files(data / "uploads") == [] and files(data / "clips") == [stored]


def test_an_upload_that_cannot_be_moved_into_place_fails_and_leaves_nothing(data, monkeypatch):
    """Only "another tab kept the same clip a moment ago" is taken as done; any other failure to
    move the checked upload into place (here: permission denied) is raised."""
    from helpers import SAMPLE, files

    from dash40.store import open_store

    st = open_store(None, data)
    real = Path.rename

    def denied(self, target):
        if self.name.startswith(".incoming-"):
            raise PermissionError(13, "Permission denied")
        return real(self, target)

    monkeypatch.setattr(Path, "rename", denied)
    with pytest.raises(PermissionError):
        ui.keep_upload(st, "rep.mp4", SAMPLE.read_bytes())
    assert files(data / "uploads") == []


def test_reported_failures_are_logged_unless_they_are_dash40_sentences(caplog):
    assert ui.reported(KeyError("x"), "reading 'a.mp4'") == \
        "Something unexpected went wrong while reading 'a.mp4' (KeyError)."
    assert ui.reported(VideoError("'a.mp4' is not a video dash40 can read."), "reading 'a.mp4'") == \
        "'a.mp4' is not a video dash40 can read."
    logged = [r for r in caplog.records if r.name == "dash40.ui"]
    assert len(logged) == 1 and isinstance(logged[0].exc_info[1], KeyError)


def test_the_line_picker_value_is_an_index_only_when_it_is_one():
    line_index = ui.line_index
    assert line_index(2, 3) == 2 and line_index(0, 1) == 0
    # What a picker can come back holding: another choice's label, a stale index, nothing.
    assert line_index("10 yd line", 3) is None
    assert line_index(3, 3) is None and line_index(-1, 3) is None
    assert line_index(None, 3) is None and line_index(True, 3) is None


def test_the_lines_the_page_analyses_are_the_files_to_the_last_digit():
    """The demo clip's calibration through the table and back is the file's: the command line and
    the dashboard time the same clip alike (rounding to 0.1 px made 1.92 s read 1.93 s)."""
    import json

    from helpers import SAMPLES

    cal = json.loads((SAMPLES / "demo_40yd_60fps.calib.json").read_text())
    back = ui.lines_from_table(ui.calibration_rows(cal, 720))
    assert back == [{"distance": ln["distance"], "near": ln["near"], "far": ln["far"]} for ln in cal["lines"]]


def test_a_click_after_a_calibration_file_was_read_lands_on_the_files_lines():
    """The frame was drawn with the default lines; a calibration file was read in a run that a
    click on the frame then interrupted. The click is placed on the file's lines, not the drawn
    ones (it used to put the default lines back, the file's lost)."""
    drawn = {"units": "yd", "lines": [{"distance": 0.0, "near": [1, 2], "far": [3, 4]}]}
    from_file = {"units": "m", "lines": [{"distance": 0.0, "near": [5, 6], "far": [7, 8]},
                                         {"distance": 10.0, "near": [9, 10], "far": [11, 12]}]}
    assert ui.lines_for_click(drawn, 3, from_file, 4) is from_file
    assert ui.lines_for_click(drawn, 3, from_file, 3) is drawn  # nothing replaced: the table's edits count
