"""Steps: feet found on the ground, their sides from the zigzag in the step lengths, and the steps of a generated clip against its truth."""

from pathlib import Path

import numpy as np
import pytest

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


def test_compression_smear_under_a_lifting_foot_is_not_ground():
    """A shoe (contrast 100) whose lowest rows are followed by three rows of encoder smear that
    pass the detection threshold (contrast 18): the feet's bottom is the shoe's, not the smear's.
    Feet that hardly stand out from the ground keep the plain silhouette."""
    from dash40.tracking import _ground_runs, _solid_bottom

    thr, ppm = 12.0, 30.0
    d = np.zeros((60, 40), np.float32)
    d[5:40, 14:20] = 100.0  # a leg
    d[40:50, 8:30] = 100.0  # the shoe, bottom row 49
    d[50:53, 10:30] = 18.0  # smear under it
    body = d > thr
    assert _ground_runs(body, 3)[0][2] == 52.0  # the smear would hold the foot 3 rows low
    runs = _ground_runs(_solid_bottom(d, body, thr, ppm), 3)
    assert runs[0][2] == 49.0 and (runs[0][0], runs[0][1]) == (8.0, 29.0)
    faint = np.where(d > 0, 20.0, 0.0).astype(np.float32)  # half of 20 is below the threshold
    assert np.array_equal(_solid_bottom(faint, faint > thr, thr, ppm), faint > thr)


@pytest.mark.slow
def test_steps_of_the_60_fps_demo_clip_match_the_truth():
    """Every contact in view found, touchdown and contact time within a frame (median), step
    lengths within 5 cm (median), nothing spurious. (The benchmark measures the same on 13 clips.)"""
    import json

    from dash40 import analyze

    clip = SAMPLE.with_suffix("").with_suffix(".mp4")
    truth = json.loads(clip.with_suffix(".truth.json").read_text())
    period = 1.0 / truth["capture_fps"]
    r = analyze(clip, SAMPLE)
    true_c = [c for c in truth["contacts"] if c["touchdown_s"] is not None and c["x_m"] < 38.0]
    found, td_err, ct_err, len_err = 0, [], [], []
    for c in true_c:
        near = [s for s in r.steps if abs(s.time_s - c["touchdown_s"]) <= 3 * period
                and abs(s.distance * 0.9144 - c["x_m"]) <= 0.3]
        if not near:
            continue
        s = near[0]
        found += 1
        td_err.append(abs(s.time_s - c["touchdown_s"]) / period)
        if s.contact_time_s is not None:
            ct_err.append(abs(s.contact_time_s - c["contact_time_s"]) / period)
        if s.length is not None and c["step_length_m"] is not None:
            len_err.append(abs(s.length * 0.9144 - c["step_length_m"]))
    assert found == len(true_c) and len(r.steps) <= len(true_c) + 1
    assert np.median(td_err) <= 1.0 and np.median(ct_err) <= 1.0 and len(ct_err) >= 0.8 * found
    assert np.median(len_err) <= 0.05


def test_a_short_clip_puts_the_path_between_its_left_and_right_feet():
    """Planted contacts on a pinhole camera's ground plane, alternately 9 cm either side of a path
    0.3 m off the lane's middle. A short clip of a start has 2 or 3 running contacts: the path is
    the middle of a left and a right foot (not one foot, as the median of 3 would be; before, it
    needed 4 contacts and fell back on the silhouette's lowest points), with a 1-sigma that owns up
    to how few they are. From 4 contacts on it is their median."""
    from types import SimpleNamespace

    from test_calibration import _cal, _camera_points

    from dash40.calibration import lane_geometry, load_calibration
    from dash40.steps import path_from_contacts

    project = _camera_points(0.0)
    geom = lane_geometry(load_calibration(_cal(project)), s_path=0.5, width=1280, height=720)
    lane_w = geom.lane_width_m
    z_path = 0.3
    s_true = (z_path + 1.5) / 3.0  # lane widths from the near cones (z = -1.5) to the far ones (+1.5)
    track = SimpleNamespace(repeat=np.zeros(100, bool), time_s=np.arange(100) / 60.0)

    def contacts(n):
        out = []
        for k in range(n):
            x, z = 1.0 + 1.8 * k, z_path + (0.09 if k % 2 == 0 else -0.09)
            u, v = project(x, 0.0, z)
            frames = [10 * k + 5 + j for j in range(4)]
            out.append({"frames": frames, "x": x, "at": {f: (x, 0.0, 0.01, u, v - 0.5) for f in frames}})
        return out

    for n in (2, 3, 4, 8):
        s, sd, used = path_from_contacts(contacts(n), track, geom)
        assert used == n
        assert abs(s - s_true) * lane_w < 0.01, (n, (s - s_true) * lane_w)  # within a centimetre
        if n < 4:
            assert sd * lane_w >= 0.09 / np.sqrt(n - 1) - 1e-9
    one_foot = float(np.median([(z_path + (0.09 if k % 2 == 0 else -0.09) + 1.5) / 3.0 for k in range(3)]))
    assert abs(one_foot - s_true) * lane_w > 0.08  # what the median of 3 contacts would give
    assert path_from_contacts(contacts(1), track, geom) is None

    # Something low on the ground for a while just before the first step (seen on a generated
    # 120-fps start filmed 20° off perpendicular: 0.09 s before it, on one foot's side, which
    # tipped the median of 7 to that side: 10 cm off). Of two touchdowns closer than a sprinter's
    # steps can be, the one further along is the step, as for the steps themselves.
    six = contacts(6)
    x, z = 0.7, z_path + 0.2
    u, v = project(x, 0.0, z)
    early = {"frames": [4, 5, 6, 7], "x": x, "at": {f: (x, 0.0, 0.01, u, v - 0.5) for f in (4, 5, 6, 7)}}
    s, _, used = path_from_contacts([early] + six, track, geom)
    assert used == 6 and abs(s - s_true) * lane_w < 0.01, (used, (s - s_true) * lane_w)


def _steps_at(distances):
    from dash40.result import Step

    return tuple(Step(time_s=0.25 * i, distance=float(d), side="unknown") for i, d in enumerate(distances))


def test_step_lengths_that_jump_about_are_told_from_a_sprinters():
    """A sprinter's steps lengthen smoothly (the bend between consecutive lengths is small, even with
    a 10 % left-right asymmetry or a contact missed once); contacts read off a shadow land anywhere
    (the generated starts in low sun bent 0.41-2.3), and the analysis leaves such steps out."""
    from dash40.steps import RAGGED_STEPS, raggedness

    rng = np.random.default_rng(3)
    lengths = 2.2 * (1 - np.exp(-np.arange(1, 21) / 3.0)) + 0.6  # 0.6 m growing to 2.8 m
    smooth = np.cumsum(lengths)
    assert raggedness(_steps_at(smooth)) < 0.05
    limp = np.cumsum(lengths * np.where(np.arange(20) % 2, 1.05, 0.95))  # 10 % left-right asymmetry
    assert 0.1 < raggedness(_steps_at(limp)) < RAGGED_STEPS
    missed = np.delete(smooth, 9)  # one contact not seen: one distance twice as long
    assert raggedness(_steps_at(missed)) < RAGGED_STEPS
    jumbled = np.cumsum(lengths * rng.uniform(0.5, 1.5, 20))  # contacts where a shadow's toes are
    assert raggedness(_steps_at(jumbled)) > RAGGED_STEPS
    assert raggedness(_steps_at(smooth[:4])) is None  # too few to say


def test_contacts_that_do_not_step_like_feet_know_their_row_to_half_a_row():
    """Planted contacts on a pinhole camera's ground plane, all on the path. Contacts 1.8 m apart
    are a sprinter's: the path's 1-sigma is what their spread and the rows resolve. The same rows
    at along-lane places that jump about (a shadow's toes found with the feet, in low sun) may be
    the shadow's rows: the 1-sigma is at least half a row."""
    from types import SimpleNamespace

    from test_calibration import _cal, _camera_points

    from dash40.steps import RAGGED_ROW_PX, path_from_contacts

    project = _camera_points(0.0)
    geom = lane_geometry(load_calibration(_cal(project)), s_path=0.5, width=1280, height=720)
    track = SimpleNamespace(repeat=np.zeros(200, bool), time_s=np.arange(200) / 60.0)
    half_row = RAGGED_ROW_PX / geom.lane_height_px()

    def contacts(xs):
        out = []
        for k, x in enumerate(xs):
            u, v = project(x, 0.0, 0.0)
            frames = [15 * k + 5 + j for j in range(4)]
            out.append({"frames": frames, "x": x, "at": {f: (x, 0.0, 0.01, u, v - 0.5) for f in frames}})
        return out

    steady = 1.0 + 1.8 * np.arange(8)
    s, sd, _ = path_from_contacts(contacts(steady), track, geom)
    assert abs(s - 0.5) < 0.01 and sd < 0.5 * half_row
    ragged = steady + np.array([0.0, 0.9, -0.6, 0.8, -0.7, 0.5, -0.9, 0.0])
    s, sd, _ = path_from_contacts(contacts(ragged), track, geom)
    assert abs(s - 0.5) < 0.01 and sd >= half_row - 1e-12
