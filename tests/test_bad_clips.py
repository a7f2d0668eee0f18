"""Damaged clips end in a VideoError with one sentence, never in an IndexError from deep inside."""

import json
from pathlib import Path

import pytest

from dash40.analysis import analyze
from dash40.calibration import load_calibration
from dash40.errors import VideoError
from dash40.video import first_frame, probe

SAMPLE = Path(__file__).resolve().parents[1] / "sample_videos" / "start_10yd_120fps.mp4"


@pytest.fixture
def garbled(tmp_path):
    """The sample with its middle third scrambled: the container and the first frame still read."""
    data = SAMPLE.read_bytes()
    n = len(data)
    out = tmp_path / "garbled.mp4"
    out.write_bytes(data[: n // 3] + bytes((b * 7 + 13) % 256 for b in data[n // 3: 2 * n // 3]) + data[2 * n // 3:])
    return out


def test_a_clip_scrambled_in_the_middle_is_refused_with_a_video_error(garbled):
    probe(garbled)
    assert first_frame(garbled).shape[:2] == (720, 1280)
    cal = load_calibration(json.loads(SAMPLE.with_suffix(".calib.json").read_text()))
    with pytest.raises(VideoError, match=r"'garbled.mp4'.*damaged") as err:
        analyze(garbled, cal)
    assert "\n" not in str(err.value)
