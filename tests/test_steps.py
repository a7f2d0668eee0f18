"""Steps: the side each foot lands on, recovered from the zigzag it puts in the step lengths."""

from pathlib import Path

import numpy as np

from dash40.calibration import lane_geometry, load_calibration
from dash40.steps import FOOT_SIDE_M, assign_sides

SAMPLE = Path(__file__).resolve().parents[1] / "sample_videos" / "demo_40yd_60fps.calib.json"


def _geom():
    g = lane_geometry(load_calibration(SAMPLE), width=1280, height=720).with_path(0.5)
    assert g.camera_xz is not None and g.lane_width_m is not None
    return g


def _seen(x_true, sign, g):
    """Where a toe at x_true, landing ``sign``·FOOT_SIDE_M nearer the camera, is placed on the path."""
    cx, cs = g.camera_xz
    depth = abs(g.s_path - cs) * g.lane_width_m
    return cx + (x_true - cx) / (1.0 - sign * FOOT_SIDE_M / depth)


def test_alternating_feet_are_corrected_and_named_from_the_camera_side():
    g = _geom()
    x_true = 0.6 + np.cumsum(np.linspace(1.3, 2.2, 18))  # lengthening steps over ~35 m
    sign = np.array([1.0 if k % 2 == 0 else -1.0 for k in range(18)])  # the first contact is near
    x_seen = _seen(x_true, sign, g)
    assert np.max(np.abs(np.diff(x_seen) - np.diff(x_true))) > 0.05  # the zigzag is there
    x, sides = assign_sides(x_seen, g, direction=+1)
    assert np.max(np.abs(x - x_true)) < 1e-6
    # Left to right in the picture, the camera sees the runner's right side.
    assert sides == ["right" if s > 0 else "left" for s in sign]
    _, sides_rtl = assign_sides(x_seen, g, direction=-1)
    assert sides_rtl == ["left" if s > 0 else "right" for s in sign]


def test_a_missed_contact_keeps_the_sides_in_step():
    g = _geom()
    x_true = 0.6 + np.cumsum(np.linspace(1.3, 2.2, 18))
    t = 1.2 + 0.22 * np.arange(18)
    sign = np.array([1.0 if k % 2 == 0 else -1.0 for k in range(18)])
    keep = np.array([k != 9 for k in range(18)])  # contact 9 was not seen
    x, sides = assign_sides(_seen(x_true, sign, g)[keep], g, +1, t[keep])
    assert np.max(np.abs(x - x_true[keep])) < 1e-6
    assert sides == ["right" if s > 0 else "left" for s in sign[keep]]


def test_no_zigzag_means_no_side_claimed():
    g = _geom()
    x_true = 0.6 + np.cumsum(np.full(12, 2.0))
    x, sides = assign_sides(x_true, g, +1)
    assert sides == ["unknown"] * 12 and np.array_equal(x, x_true)
