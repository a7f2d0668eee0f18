"""Damaged clips end in a VideoError with one sentence, never in an IndexError from deep inside."""

import json

import pytest
from helpers import SAMPLES, garbled_clip

from dash40.analysis import analyze
from dash40.calibration import load_calibration
from dash40.errors import VideoError
from dash40.video import first_frame, probe


def test_a_clip_scrambled_in_the_middle_is_refused_with_a_video_error(tmp_path):
    garbled = garbled_clip(tmp_path)  # the sample with its middle third scrambled
    probe(garbled)
    assert first_frame(garbled).shape[:2] == (720, 1280)
    cal = load_calibration(json.loads((SAMPLES / "start_10yd_120fps.calib.json").read_text()))
    with pytest.raises(VideoError, match=r"'garbled.mp4'.*damaged") as err:
        analyze(garbled, cal)
    assert "\n" not in str(err.value)
