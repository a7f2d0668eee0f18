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


def test_touchdown_from_the_toe_descent_at_240_fps():
    """A toe descending 0.3 px per frame (1 m/s at 240 fps, ~70 px/m) onto the ground, seen as
    whole pixel rows: the hinge of its descent is the touchdown, to within a frame."""
    from dash40.steps import _landing_time

    period = 1 / 240
    t = np.arange(40) * period
    td = 20.4 * period
    height_px = 0.3 * np.maximum(0.0, (td - t) / period)  # rows above the contact level
    rows = np.round(-height_px + 0.2)  # the lowest pixel row, quantized (offset 0.2 px)
    at = {i: (5.0, float(rows[i]), 0.014) for i in range(8, 40)}
    settled = [i for i in range(8, 40) if rows[i] >= rows[-1] - 0.7]
    got = _landing_time(t, at, settled)
    assert got is not None and abs(got - td) < period
    # The frame rule (midpoint before the first settled frame) is almost two frames early here.
    assert td - 0.5 * (t[settled[0]] + t[settled[0] - 1]) > 1.5 * period
