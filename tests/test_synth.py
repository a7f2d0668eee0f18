"""The synthetic clip generator: its truth is exact and its pixels and timestamps agree with it.

Each test plants a known quantity (a line distance, a contact, a timestamp) and checks the
generator's output against it with a tolerance a broken generator fails.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from fractions import Fraction

import av
import numpy as np
import pytest

from dash40.synth import (
    CAPTURE_FPS_KEY,
    Athlete,
    Scene,
    SceneConfig,
    benchmark_suite,
    load_truth,
    plan_frames,
    preset,
)
from dash40.synth.config import YARD_M
from dash40.video import CAPTURE_FPS_KEYS, iter_frames, probe

pytest_plugins = ["synth_fixtures"]  # synth_clip, synth_tiny, synth_tiny_flying

TINY = preset("tiny")


def _read_back(path):
    """(pts in 1/90000 s, container metadata, frames as RGB arrays) decoded with PyAV."""
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        meta = dict(c.metadata)
        pts, imgs = [], []
        for fr in c.decode(s):
            pts.append(int(round(fr.pts * fr.time_base * 90000)))
            imgs.append(fr.to_ndarray(format="rgb24"))
    return np.array(pts), meta, imgs


# ---------------------------------------------------------------- truth of the continuous model

@pytest.mark.parametrize("name", ["tiny", "tiny_flying", "demo_40yd", "start_10yd_120"])
def test_chest_front_and_hip_reach_each_line_at_their_truth_times(name):
    cfg = preset(name)
    a = Athlete(cfg)
    scene_truth = _truth_lines(cfg)
    assert scene_truth, "every preset must have lines crossed during the clip"
    for ln in scene_truth:
        assert abs(float(a.chest_front_x(ln.chest_time_s)) - ln.distance_m) < 1e-6
        assert abs(float(a.hip_x(ln.hip_time_s)) - ln.distance_m) < 1e-6
        # the chest (ahead of the hip) crosses first, and is behind the line a moment before
        assert ln.chest_time_s < ln.hip_time_s
        assert float(a.chest_front_x(ln.chest_time_s - 1e-3)) < ln.distance_m
        assert ln.split_s == pytest.approx(ln.chest_time_s - cfg.t0, abs=1e-12)


def _truth_lines(cfg):
    from dash40.synth.truth import line_truths

    return [ln for ln in line_truths(Athlete(cfg), cfg, 0.0, cfg.duration) if ln.chest_time_s is not None]


def test_chest_front_is_the_trunk_capsules_forward_extreme():
    a = Athlete(TINY)
    for t in (0.0, 0.5, 0.9, 1.4, 2.2):
        cap = next(c for c in a.pose(t).capsules if c.name == "trunk")
        assert cap.ra == pytest.approx(0.125)
        assert float(a.chest_front_x(t)) == pytest.approx(max(cap.a[0], cap.b[0]) + cap.ra, abs=1e-12)
        assert cap.a[0] == pytest.approx(float(a.hip_x(t)), abs=1e-12)


@pytest.mark.parametrize("head, tilt_set", [("up", 35.0), ("in_line", 0.0)])
def test_head_carried_as_configured_and_the_truth_unchanged(head, tilt_set):
    """The neck's angle from the trunk's axis is the configured one in the stance and 8° once
    upright; in line, the face is further ahead of the chest in the drive phase and the neck is
    drawn under the shirt. The chest's truth does not depend on the head."""
    up, cfg = Athlete(TINY), replace(TINY, head=head)
    a = Athlete(cfg)

    def neck_angle(t):
        j = a.pose(t).joints
        v1, v2 = j["neck"][:2] - j["hip"][:2], j["head"][:2] - j["neck"][:2]
        return math.degrees(math.atan2(v1[0] * v2[1] - v1[1] * v2[0], v1 @ v2))

    assert neck_angle(TINY.t0 - 0.1) == pytest.approx(tilt_set, abs=1e-9)
    assert neck_angle(TINY.t0 + 5.0) == pytest.approx(8.0, abs=0.3)
    for t in (TINY.t0 + 0.4, TINY.t0 + 0.8):
        assert float(a.chest_front_x(t)) == float(up.chest_front_x(t))
        ahead = {n: float(x.pose(t).joints["head"][0] - x.chest_front_x(t)) for n, x in (("up", up), (head, a))}
        if head == "in_line":
            assert ahead["in_line"] > ahead["up"] + 0.02
    names = [c.name for c in a.pose(TINY.t0 + 0.4).capsules]
    assert (names.index("neck") < names.index("trunk")) == (head == "in_line")
    with pytest.raises(ValueError, match="head must be"):
        replace(TINY, head="down")


def test_long_drive_keeps_the_trunk_low_for_longer_from_rest():
    """posture="long_drive": the trunk leaves the stance from rest (no jump in its angle at the
    first movement), stands ~40° above the horizontal at the first touchdown (the suite's ~23°),
    ~54° when the chest reaches 5 m (the suite's ~68°) and still rises to the same running angle;
    the chest's truth follows the trunk it draws."""
    base = dict(width=1280, height=720, units="m", lines=(0.0, 5.0, 10.0), duration=3.0, t0=0.6, mss=9.0, tau=1.2)
    suite, drive = Athlete(SceneConfig(**base)), Athlete(SceneConfig(**base, posture="long_drive"))
    t0 = drive.t0
    assert float(drive.trunk_angle(t0 + 1e-4)) - float(drive.trunk_angle(t0 - 0.1)) < math.radians(0.01)

    def at_chest(a, x):
        ts = np.linspace(t0, t0 + 4.0, 4001)
        return float(ts[np.argmax(np.array([float(a.chest_front_x(t)) for t in ts]) >= x)])

    td = next(c.touchdown for c in drive.contacts if not c.set_position)
    assert 35 <= math.degrees(float(drive.trunk_angle(td))) <= 45
    assert 50 <= math.degrees(float(drive.trunk_angle(at_chest(drive, 5.0)))) <= 58
    assert math.degrees(float(suite.trunk_angle(at_chest(suite, 5.0)))) > 64
    assert float(drive.trunk_angle(t0 + 20.0)) == pytest.approx(float(suite.trunk_angle(t0 + 20.0)), abs=1e-6)
    for t in (t0 + 0.3, t0 + 1.0):
        trunk = next(c for c in drive.pose(t).capsules if c.name == "trunk")
        assert float(drive.chest_front_x(t)) == pytest.approx(max(trunk.a[0], trunk.b[0]) + trunk.ra, abs=1e-12)
    with pytest.raises(ValueError, match="posture must be"):
        SceneConfig(**base, posture="upright")


def test_hip_still_before_t0_and_follows_the_sprint_model_after():
    a = Athlete(TINY)
    t0 = TINY.t0
    before = np.linspace(-1.0, t0, 50)
    assert np.all(a.hip_x(before) == a.hip_x(0.0))
    p0 = a.pose(0.0).joints
    p1 = a.pose(t0 - 1e-9).joints
    assert all(np.array_equal(p0[k], p1[k]) for k in p0)
    tau = np.array([0.05, 0.3, 1.0, 1.8])
    expect = a.x_hip_set + TINY.mss * (tau + TINY.tau * np.exp(-tau / TINY.tau) - TINY.tau)
    np.testing.assert_allclose(a.hip_x(t0 + tau), expect, atol=1e-12)
    assert np.all(np.diff(a.hip_x(t0 + np.linspace(0.01, 2, 100))) > 0)
    # the hand on the ground lifts at t0
    hand = a.pose(t0 + 0.1).joints["right_hand"]
    assert not np.allclose(hand, p0["right_hand"])


def test_on_your_marks_the_athlete_rises_into_set_holds_it_then_starts_at_t0():
    """A clip that begins at "on your marks": the hips are back and low, rise into the set position
    over ``into_set_s`` and hold it ``set_hold_s`` before t0 (the chest moves ~0.2 m forward into
    set: what a first-movement detector must not take for the start). The ground hand stays on
    the ground all along."""
    cfg = replace(TINY, into_set_s=0.6, set_hold_s=1.0, t0=2.0, duration=3.0)
    a = Athlete(cfg)
    chest = a.chest_front_x(np.array([0.0, 0.39, 1.0, 1.5, 2.0]))
    assert chest[0] == chest[1] and chest[2] == chest[3] == chest[4]  # still in marks, still in set
    assert 0.15 < chest[2] - chest[0] < 0.3
    assert a.hip_x(2.0) == a.x_hip_set
    hands = [a.pose(t).joints["right_wrist"] for t in (0.0, 0.7, 1.0, 1.99)]
    for h in hands[1:]:
        np.testing.assert_allclose(h, hands[0], atol=1e-9)
    knee = [a.pose(t).joints["right_knee"][1] for t in (0.0, 1.0)]
    assert knee[0] < knee[1]  # the rear knee near the ground in marks
    # Without it, the clip begins in the set position, exactly as before.
    plain = Athlete(TINY)
    assert plain.chest_front_x(0.0) == plain.chest_front_x(TINY.t0)
    with pytest.raises(ValueError, match="into_set_s"):
        replace(TINY, into_set_s=0.6, set_hold_s=1.0, t0=1.0)


def test_chest_front_never_moves_back_after_t0():
    a = Athlete(preset("demo_40yd"))
    t = np.arange(a.t0, 6.5, 1e-4)
    assert np.all(np.diff(a.chest_front_x(t)) > 0)


def test_stance_foot_is_fixed_during_every_truth_contact_and_on_the_ground(synth_tiny):
    _path, truth = synth_tiny
    a = Athlete(TINY)
    running = [c for c in truth.contacts if not c.set_position]
    assert len(running) >= 5
    for c in running:
        ts = np.linspace(c.touchdown_s, c.toe_off_s, 9)
        feet = [a.pose(t).joints for t in ts]
        for key in (f"{c.side}_heel", f"{c.side}_toe", f"{c.side}_ankle"):
            pts = np.array([j[key] for j in feet])
            assert np.max(np.abs(np.diff(pts, axis=0))) < 1e-9, (c, key)
        toe = feet[0][f"{c.side}_toe"]
        assert toe[0] == pytest.approx(c.x_m, abs=1e-9)
        assert toe[1] - a.r_foot == pytest.approx(0.0, abs=1e-9)  # the ball of the foot on the ground
        # the foot moves just outside the contact
        before = a.pose(c.touchdown_s - 0.01).joints[f"{c.side}_toe"]
        assert np.linalg.norm(before - toe) > 1e-4


def test_contacts_alternate_with_plausible_timing(synth_tiny_flying):
    _path, truth = synth_tiny_flying
    cs = [c for c in truth.contacts if not c.set_position]
    sides = [c.side for c in cs]
    assert all(s1 != s2 for s1, s2 in zip(sides, sides[1:], strict=False))
    for c in cs:
        assert 0.095 <= c.contact_time_s <= 0.205
    tds = np.array([c.touchdown_s for c in cs])
    freq = 1 / np.diff(tds)
    assert np.all((freq > 3.8) & (freq < 4.7))
    lengths = [c.step_length_m for c in cs[1:]]
    assert all(1.2 < s < 2.4 for s in lengths)
    np.testing.assert_allclose(lengths, np.diff([c.x_m for c in cs]), atol=1e-12)


def test_swing_feet_stay_above_the_ground_and_the_pose_is_continuous():
    a = Athlete(TINY)
    ts = np.arange(0.3, 2.4, 2e-3)
    prev = None
    for t in ts:
        j = a.pose(t).joints
        for side in ("left", "right"):
            for p in ("heel", "toe"):
                assert j[f"{side}_{p}"][1] - a.r_foot > -1e-9
        cur = np.array(list(j.values()))
        if prev is not None:
            # no joint jumps: < 60 m/s anywhere (the swing foot peaks near 22 m/s)
            assert np.max(np.linalg.norm(cur - prev, axis=1)) < 60 * 2e-3
        prev = cur


# ---------------------------------------------------------------------- pixels against truth

def _jersey_mask(img, colour, tol=45):
    return np.all(np.abs(img.astype(int) - np.array(colour)) < tol, axis=2)


@pytest.mark.parametrize("rtl", [False, True])
def test_rendered_trunk_front_edge_is_where_the_projected_truth_puts_it(rtl):
    """The jersey's forward edge, measured to sub-pixel precision from the pixels' jersey coverage
    along the row of the chest front, is where the camera sees the chest's outline: the outermost
    of 4000 points around the trunk's elliptical section at its front end, projected (square-on
    that is the truth's chest-front point; at an angle the side of the chest shows)."""
    cfg = replace(TINY, width=640, height=360, right_to_left=rtl)
    scene = Scene(cfg)
    cam = scene.camera
    jersey = np.array(cfg.jersey, float)
    bg = scene.bg_u8.astype(float)
    checked = 0
    for t in np.arange(0.0, 2.3, 0.05):
        pose = scene.athlete.pose(t)
        trunk = next(c for c in pose.capsules if c.name == "trunk")
        ends = np.array([trunk.a, trunk.b])
        front_end = ends[np.argmax(ends[:, 0])]
        phi = np.linspace(0.0, 2 * np.pi, 4000)
        ring = np.stack([front_end[0] + trunk.ra * np.cos(phi), np.full_like(phi, front_end[1]),
                         front_end[2] + trunk.half_width * np.sin(phi)], axis=1)
        ru = cam.project(ring)[:, 0]
        u_truth = float(ru.min() if rtl else ru.max())
        v_truth = float(cam.project(front_end[None, :])[0, 1])
        # skip frames where another part (drawn before or after the trunk) is near its front point
        near_other = False
        for c in pose.capsules:
            if c is trunk:
                continue
            e2 = np.array([c.a, c.b])
            q = cam.project(e2)
            rr = cam.f * np.array([c.ra, c.rb]) / cam.depth(e2)
            d = q[1] - q[0]
            s = 0.0 if d @ d < 1e-12 else np.clip((np.array([u_truth, v_truth]) - q[0]) @ d / (d @ d), 0, 1)
            if np.linalg.norm(q[0] + s * d - [u_truth, v_truth]) < rr.max() + 2.0:
                near_other = True
        if near_other:
            continue
        img = scene.render_frame(t).astype(float)
        row = int(round(v_truth))
        # jersey coverage of each pixel: img = a·jersey + (1 − a)·background
        diff = jersey - bg[row]
        a = np.clip(((img[row] - bg[row]) * diff).sum(axis=1) / np.maximum((diff * diff).sum(axis=1), 1.0), 0, 1)
        # the outermost pixel at least half covered, and the partial coverage beyond it
        c0 = int(round(u_truth))
        win = np.arange(c0 - 3, c0 + 4)
        half = win[a[win] >= 0.5]
        assert len(half), (t, a[win])
        if not rtl:
            k = half.max()
            edge = k - 0.5 + a[k] + a[k + 1]
        else:
            k = half.min()
            edge = k + 0.5 - a[k] - a[k - 1]
        assert abs(edge - u_truth) < 0.2, (t, edge, u_truth)
        checked += 1
    assert checked >= 12


def test_nothing_moves_in_the_picture_before_t0():
    scene = Scene(TINY)
    a = scene.render_frame(0.0, blur=True)
    b = scene.render_frame(TINY.t0 - 0.05, blur=True)
    c = scene.render_frame(TINY.t0 + 0.15, blur=True)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_motion_blur_averages_subframes_over_the_exposure():
    cfg = replace(TINY, width=640, height=360)
    scene = Scene(cfg)
    t = 1.8
    times = scene.subframe_times(t)
    assert len(times) > 2 and np.mean(times) == pytest.approx(t)
    assert times[-1] - times[0] == pytest.approx(cfg.exposure / cfg.capture_fps * (1 - 1 / len(times)))
    sharp = scene.render_frame(t).astype(float)
    blurred = scene.render_frame(t, blur=True).astype(float)
    assert np.abs(sharp - blurred).max() > 30  # edges smeared
    mean_of_sharp = np.mean([scene.render_frame(tt).astype(float) for tt in times], axis=0)
    assert np.abs(mean_of_sharp - blurred).max() <= 1.0  # only rounding differs


LUMA = np.array([0.299, 0.587, 0.114])  # BT.601: the Y the encoder stores, back from decoded RGB


def test_sensor_noise_varies_from_frame_to_frame_with_the_configured_sigma(synth_clip):
    """Clips shorter than t0 show a still scene: in the sky above the stands and on the turf in
    front of the near cones only the noise changes between frames. Each frame gets its own
    N(0, σ) noise per RGB channel (a random window of a bank of noise fields), so the
    frame-to-frame difference of luma has a standard deviation of √2·|LUMA|·σ (1.89 levels for
    the default σ = 2).

    The clips are encoded near-losslessly (crf 1): at the default crf 21 x264 codes a still
    region of P/B pictures as skipped blocks, and what is left of σ = 2 noise frame to frame is
    ~0.1 level, too little to measure its size."""
    cfg = replace(TINY, duration=0.35, crf=1)
    assert cfg.duration < cfg.t0 and cfg.noise_sigma == 2.0
    scene = Scene(cfg)
    cam, h, w = scene.camera, cfg.height, cfg.width
    far_z = -scene.near_sign * (cfg.field_far + cfg.cone_z)
    xs = np.linspace(-100.0, 100.0, 801)
    top = cam.project(np.stack([xs, np.full_like(xs, 9.0), np.full_like(xs, far_z)], axis=1))  # stands' top
    top = top[(top[:, 0] >= 0) & (top[:, 0] <= w - 1)]
    sky_rows = slice(0, int(np.floor(top[:, 1].min())) - 3)
    front = cam.project(np.stack([xs, np.zeros_like(xs), np.full_like(xs, scene.near_sign * (cfg.cone_z + 1.0))],
                                 axis=1))  # ground 1 m in front of the near cones
    front = front[(front[:, 0] >= 0) & (front[:, 0] <= w - 1)]
    turf_rows = slice(int(np.ceil(front[:, 1].max())) + 2, h)
    assert sky_rows.stop - sky_rows.start >= 20 and turf_rows.stop - turf_rows.start >= 40

    expected = math.sqrt(2.0) * np.linalg.norm(LUMA) * cfg.noise_sigma
    for sigma in (cfg.noise_sigma, 0.0):
        path, _truth = synth_clip(cfg, noise_sigma=sigma)
        _pts, _meta, imgs = _read_back(path)
        y = np.array(imgs, float) @ LUMA
        assert len(y) == 21
        for rows in (sky_rows, turf_rows):
            change = float(np.diff(y[:, rows], axis=0).std())
            if sigma > 0:
                assert 0.75 * expected < change < 1.15 * expected, (rows, change, expected)
            else:
                assert change < 0.1, (rows, change)


def test_white_yard_lines_every_5_yards_where_the_camera_puts_them(synth_clip):
    """The lines x = k·5 yd on the ground, projected, are white in the first frame of a noiseless
    clip and the turf half-way between two lines is not. Checked row by row on the near side
    between the cones and the camera (nothing stands there, and a 10-cm line is ≥ 1.5 px wide),
    where each line crosses the pixel row (the lines are slanted in the picture)."""
    cfg = replace(TINY, noise_sigma=0.0, duration=0.35)
    path, _truth = synth_clip(cfg)
    _pts, _meta, imgs = _read_back(path)
    y = imgs[0].astype(float) @ LUMA
    scene = Scene(cfg)
    h, w = cfg.height, cfg.width
    five_yd = 5 * YARD_M
    assert five_yd == pytest.approx(4.572)
    zs = scene.near_sign * np.linspace(cfg.cone_z + 0.4, 10.5, 2000)  # in front of the cones' bases
    rows = np.arange(h)

    def columns(x: float) -> np.ndarray:
        """Sub-pixel column where the ground line at this x crosses each pixel row (NaN: not there)."""
        uv = scene.project(np.stack([np.full_like(zs, x), np.zeros_like(zs), zs], axis=1))
        uv = uv[np.all(np.isfinite(uv), axis=1)]
        assert np.all(np.diff(uv[:, 1]) > 0)  # nearer is lower in the picture
        return np.interp(rows, uv[:, 1], uv[:, 0], left=np.nan, right=np.nan)

    seen: dict[int, int] = {}
    for k in range(-10, 11):
        u_line = columns(k * five_yd)
        u_mids = [columns((k + s) * five_yd) for s in (-0.5, 0.5)]  # the turf half-way on either side
        for r in rows:
            if not 2 <= u_line[r] <= w - 3:  # (False for NaN: the line does not cross this row)
                continue
            line = y[r, int(round(u_line[r]))]
            turf = [y[r, int(round(u[r]))] for u in u_mids if 2 <= u[r] <= w - 3]
            if not turf:
                continue
            assert line > 160 and max(turf) < 125 and line - max(turf) > 60, (k, r, u_line[r], line, turf)
            seen[k] = seen.get(k, 0) + 1
    assert {0, 1, 2} <= set(seen) and sum(seen.values()) >= 70, seen  # (the lines at 0, 5 and 10 yd)


# ------------------------------------------------------------------------- files and timestamps

def test_cfr_clip_timestamps_truth_and_files(synth_tiny):
    path, truth = synth_tiny
    pts, meta, imgs = _read_back(path)
    plan = plan_frames(TINY)
    np.testing.assert_array_equal(pts, plan.pts)
    np.testing.assert_array_equal(pts, np.arange(len(pts)) * 1500)
    np.testing.assert_allclose(pts / 90000, truth.frames["time_s"], atol=1e-12)
    assert CAPTURE_FPS_KEY not in meta
    assert (imgs[0].shape[1], imgs[0].shape[0]) == (320, 180)
    # the per-frame truth arrays are the continuous model at the frame times
    a = Athlete(TINY)
    np.testing.assert_allclose(truth.frames["chest_front_x_m"], a.chest_front_x(np.array(truth.frames["time_s"])))
    np.testing.assert_allclose(truth.frames["hip_x_m"], a.hip_x(np.array(truth.frames["time_s"])))
    # round trip of the JSON
    loaded = load_truth(path.with_suffix(".truth.json"))
    assert loaded == truth
    d = json.loads(path.with_suffix(".truth.json").read_text())
    for key in ("t0", "mss", "tau", "units", "capture_fps", "fps", "direction", "lines", "splits", "contacts",
                "frames", "camera", "exposure", "conventions"):
        assert key in d


def test_vfr_clip_keeps_jittered_timestamps_and_drops(synth_clip):
    path, truth = synth_clip("tiny", vfr_jitter=0.1, drop_prob=0.1, duration=1.2, seed=5)
    pts, _meta, _ = _read_back(path)
    np.testing.assert_array_equal(pts, truth.frames["pts_90khz"])
    dt = np.diff(pts)
    assert len(set(dt.tolist())) > 10  # really variable
    assert dt.max() > 1.8 * 1500  # at least one dropped frame
    np.testing.assert_allclose(pts / 90000, truth.frames["time_s"], atol=1e-12)
    assert truth.vfr


def test_slow_motion_clip_has_30fps_timestamps_and_capture_rate_metadata(synth_clip):
    cfg = replace(TINY, capture_fps=240, file_fps=30, duration=0.6, t0=0.1, lines=(0.0, 1.0),
                  container="mov")
    path, truth = synth_clip(cfg)
    assert path.suffix == ".mov"
    pts, meta, _ = _read_back(path)
    np.testing.assert_array_equal(pts, np.arange(len(pts)) * 3000)  # 30 fps file time
    assert float(meta[CAPTURE_FPS_KEY]) == 240.0
    assert truth.time_scale == pytest.approx(30 / 240)
    real = pts / 90000 * truth.fps / float(meta[CAPTURE_FPS_KEY])
    np.testing.assert_allclose(real, truth.frames["time_s"], atol=1e-12)
    np.testing.assert_allclose(np.diff(truth.frames["time_s"]), 1 / 240, atol=1e-12)


def test_real_240fps_clip_steps_by_exactly_1_240_s_without_capture_rate_metadata(synth_clip):
    """A 240-fps file that is not slow motion: its timestamps are real time, 1/240 s apart
    (375 ticks of 1/90000 s, exact), and nothing in it claims another capture rate."""
    cfg = replace(TINY, capture_fps=240, duration=0.3)
    path, truth = synth_clip(cfg)
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        meta = {**c.metadata, **s.metadata}
        times = [fr.pts * fr.time_base for fr in c.decode(s)]  # Fractions: exact
    assert len(times) == 72  # 0.3 s × 240, the last frame at 71/240 s
    assert times == [Fraction(i, 240) for i in range(len(times))]
    assert not {k.lower() for k in meta} & {CAPTURE_FPS_KEY, *CAPTURE_FPS_KEYS}
    assert truth.fps == 240 and truth.capture_fps == 240 and truth.time_scale == 1
    assert not truth.capture_fps_metadata["written"]
    # the project's reader sees a 240-fps capture and real times 1/240 s apart
    info = probe(path)
    assert info.capture_fps == pytest.approx(240, abs=1e-6) and info.time_scale == pytest.approx(1, abs=1e-9)
    got = np.array([f.time_s for f in iter_frames(path, info)])
    np.testing.assert_allclose(got, np.arange(len(times)) / 240, atol=1e-9)


def test_repeated_frames_are_identical_and_timed_at_first_appearance(synth_clip):
    cfg = replace(TINY, capture_fps=30, repeat=2, file_fps=60, duration=1.0, noise_sigma=0.0)
    path, truth = synth_clip(cfg)
    pts, _meta, imgs = _read_back(path)
    np.testing.assert_array_equal(pts, np.arange(len(pts)) * 1500)
    times = np.array(truth.frames["time_s"])
    assert np.array_equal(times[0::2], times[1::2])
    np.testing.assert_allclose(times[0::2], pts[0::2] / 90000, atol=1e-12)
    assert truth.frames["repeated"][1] and not truth.frames["repeated"][2]
    # the same image twice (up to the codec)
    k = len(imgs) // 2 // 2 * 2
    assert np.abs(imgs[k].astype(int) - imgs[k + 1].astype(int)).mean() < 1.0


def test_hevc_clip_decodes_with_planned_timestamps(synth_clip):
    path, truth = synth_clip("tiny", codec="hevc", container="mov", duration=0.5)
    with av.open(str(path)) as c:
        assert c.streams.video[0].codec_context.name == "hevc"
    pts, _meta, _ = _read_back(path)
    np.testing.assert_array_equal(pts, truth.frames["pts_90khz"])


@pytest.mark.parametrize("codec,container", [("h264", "mp4"), ("hevc", "mov")])
def test_clip_without_b_frames_has_i_and_p_pictures_only(synth_clip, codec, container):
    def types(path):
        return {f.pict_type for f in iter_frames(path)}

    plain, _ = synth_clip("tiny", codec=codec, container=container, duration=0.5)
    ippp, _ = synth_clip("tiny", codec=codec, container=container, duration=0.5, b_frames=False)
    assert "B" in types(plain)  # the default encoding does use B pictures: the option changes something
    assert types(ippp) <= {"I", "P"}


# ---------------------------------------------------------------------------------- calibration

def test_calibration_points_are_the_projected_cone_bases_and_show_cones(synth_tiny):
    path, truth = synth_tiny
    calib = json.loads(path.with_suffix(".calib.json").read_text())
    assert calib["units"] == "yd" and [ln["distance"] for ln in calib["lines"]] == [0, 5, 10]
    scene = Scene(TINY)
    cam = scene.camera
    _pts, _meta, imgs = _read_back(path)
    # (the athlete hides the far start cone in the set position and the last cone at the end)
    orange = np.zeros(imgs[0].shape[:2], bool)
    for img in (imgs[0], imgs[-1]):
        r, g, b = (img[..., k].astype(int) for k in range(3))
        orange |= (r > 140) & (r - g > 35) & (r - b > 70)
    for ln, dm in zip(calib["lines"], TINY.lines_m, strict=True):
        near = cam.project(np.array([dm, 0.0, TINY.cone_z]))
        far = cam.project(np.array([dm, 0.0, -TINY.cone_z]))
        np.testing.assert_allclose(ln["near"], near, atol=1e-9)
        np.testing.assert_allclose(ln["far"], far, atol=1e-9)
        assert ln["near"][1] > ln["far"][1]  # the near end is lower in the picture
        for u, v in (ln["near"], ln["far"]):
            r, c = int(round(v)), int(round(u))
            assert orange[max(r - 4, 0):r + 1, max(c - 2, 0):c + 3].any(), (ln, u, v)


def test_shaken_calibration_is_in_the_first_frame(synth_clip):
    cfg = replace(TINY, shake_px=3.0, duration=0.4, seed=3)
    path, truth = synth_clip(cfg)
    scene = Scene(cfg)
    calib = truth.calibration
    still = Scene(replace(cfg, shake_px=0.0)).camera
    moved = []
    for ln, dm in zip(calib["lines"], cfg.lines_m, strict=True):
        w = np.array([dm, 0.0, cfg.cone_z])
        np.testing.assert_allclose(ln["near"], scene.project(w, 0.0), atol=1e-9)
        moved.append(np.linalg.norm(np.array(ln["near"]) - still.project(w)))
    assert 0.05 < max(moved) < 4 * cfg.shake_px
    # the first decoded frame matches a render with the same shake better than one without
    _pts, _meta, imgs = _read_back(path)
    shaken = scene.render_frame(0.0, blur=True, shake=True, gain=True).astype(float)
    plain = scene.render_frame(0.0, blur=True).astype(float)
    f0 = imgs[0].astype(float)
    assert np.abs(f0 - shaken).mean() < np.abs(f0 - plain).mean()


# ----------------------------------------------------------------------------- scene variants

def test_right_to_left_run_moves_leftward_in_the_picture(synth_clip):
    cfg = replace(TINY, right_to_left=True, noise_sigma=0.0)
    path, truth = synth_clip(cfg)
    assert truth.direction == "right-to-left"
    calib = truth.calibration["lines"]
    assert calib[0]["near"][0] > calib[-1]["near"][0]
    _pts, _meta, imgs = _read_back(path)
    xs = []
    for k in (len(imgs) // 3, 2 * len(imgs) // 3, len(imgs) - 5):
        m = _jersey_mask(imgs[k], cfg.jersey, tol=60)
        xs.append(np.nonzero(m)[1].mean())
    assert xs[0] > xs[1] > xs[2]


def test_angled_camera_and_bystander_render():
    cfg = replace(TINY, cam_yaw_deg=25.0, bystander=True)
    scene = Scene(cfg)
    assert scene.camera.to_dict()["forward_yaw_deg_from_perpendicular"] == pytest.approx(25.0, abs=0.01)
    # the bystander walks: frames differ in his region even before t0
    a, b = scene.render_frame(0.0), scene.render_frame(0.3)
    assert not np.array_equal(a, b)
    # every line and cone in the picture
    for _d, near, far in scene.cone_bases():
        for uv in scene.project(np.array([near, far])):
            assert 0 <= uv[0] < cfg.width and 0 <= uv[1] < cfg.height


def test_partner_starts_beside_the_athlete_at_its_own_time_further_from_the_camera():
    cfg = replace(TINY, partner_gap_m=2.5, partner_delay_s=-0.1, partner_mss=9.0)
    scene = Scene(cfg)
    p, a = scene.partner, scene.athlete
    assert p.z == pytest.approx(a.z - a.near_sign * 2.5) and p.t0 == pytest.approx(a.t0 - 0.1)
    # the partner's hip is drawn where the camera puts it: its jersey colour around the projected
    # hip in the set position, and it moves 0.05 s before the athlete does (the athlete does not)
    u, v = scene.project(np.array([[p.hip_x(0.0), p.hip_y(0.0), p.z]]))[0]
    img = scene.render_frame(0.0).astype(int)
    near = img[int(v) - 2:int(v) + 3, int(u) - 2:int(u) + 3].reshape(-1, 3)
    assert np.any(np.abs(near - np.array(p.cfg.shorts)).sum(axis=1) < 30)
    before = scene.render_frame(cfg.t0 - 0.1)
    lead = scene.render_frame(cfg.t0 - 0.05)
    assert not np.array_equal(before, lead)
    assert a.hip_x(cfg.t0 - 0.05) == a.hip_x(cfg.t0 - 0.1)
    with pytest.raises(ValueError, match="partner_gap_m"):
        replace(TINY, partner_gap_m=1.0)


@pytest.mark.parametrize(("azimuth", "side"), [(0.0, "below"), (180.0, "above")])
def test_the_athletes_shadow_falls_on_the_ground_where_the_sun_casts_it(azimuth, side):
    """In sun the ground where the athlete's shadow falls is darker by the sky's bluish tint, on
    the camera's side of the feet with the sun behind the camera (azimuth 0: below them in the
    picture), beyond them with the sun in front of it (180: above the feet's row, on the ground)."""
    from dash40.synth.scene import SHADOW_RGB

    cfg = replace(TINY, sun_elevation_deg=30.0, sun_azimuth_deg=azimuth, noise_sigma=0.0)
    sunny, plain = Scene(cfg), Scene(replace(cfg, sun_elevation_deg=None))
    a, b = sunny.render_frame(0.0).astype(float), plain.render_frame(0.0).astype(float)
    changed = np.abs(a - b).max(axis=2) > 8
    assert changed.sum() > 20
    rows = np.nonzero(changed)[0]
    ath = sunny.athlete
    feet_v = max(float(sunny.project(np.array([[c.x, 0.0, ath.z]]))[0, 1]) for c in ath.contacts if c.set_position)
    assert (np.median(rows) > feet_v) == (side == "below")
    # deep inside the shadow the ground is the plain ground times the tint (each channel its own)
    ratio = a[changed] / np.maximum(b[changed], 1.0)
    deep = ratio[ratio.max(axis=1) < SHADOW_RGB.max() + 0.03]  # (the shadow's outline is partly covered)
    assert len(deep) >= 5 and np.allclose(np.median(deep, axis=0), SHADOW_RGB, atol=0.05)
    with pytest.raises(ValueError, match="sun_elevation_deg"):
        replace(TINY, sun_elevation_deg=90.0)


@pytest.mark.parametrize("t", [0.0, 1.2])
def test_a_shadow_along_the_run_lies_flat_on_the_ground_under_the_body(t):
    """With the sun's rays along the run, every point of the shadow is on the ground within the
    body's own width of the path (a shadow is flat: from a low camera the lane's three metres are a
    few dozen rows, so a limb's shadow is a few rows deep, not as deep as the limb is wide; drawn
    upright, it reached a metre toward the camera)."""
    cfg = replace(TINY, width=640, height=360, sun_elevation_deg=25.0, sun_azimuth_deg=90.0, noise_sigma=0.0)
    sunny, plain = Scene(cfg), Scene(replace(cfg, sun_elevation_deg=None))
    a, b = sunny.render_frame(t).astype(float), plain.render_frame(t).astype(float)
    v, u = np.nonzero(np.abs(a - b).max(axis=2) > 8)
    assert len(v) > 50
    cam = sunny.camera
    d = cam.rays(u.astype(float), v.astype(float))
    ground = np.asarray(cam.position) + d * (-cam.position[1] / d[:, 1])[:, None]
    across = np.abs(ground[:, 2] - sunny.athlete.z)
    assert np.percentile(across, 99) < 0.45, np.percentile(across, [50, 99])


def test_flying_clip_starts_running_and_crosses_every_line_in_view(synth_tiny_flying):
    _path, truth = synth_tiny_flying
    assert truth.flying and truth.t0 < 0
    assert truth.frames["hip_x_m"][1] - truth.frames["hip_x_m"][0] > 0.05
    last = truth.frames["time_s"][-1]
    for ln in truth.lines:
        assert 0 < ln.chest_time_s < last and ln.note == ""


def test_line_behind_the_chest_at_t0_is_null_with_a_note():
    cfg = replace(TINY, hand_x=0.2, lines=(0.0, 5.0))
    from dash40.synth.truth import line_truths

    lines = line_truths(Athlete(cfg), cfg, 0.0, cfg.duration)
    assert lines[0].chest_time_s is None and lines[0].split_s is None and "behind" in lines[0].note
    assert lines[1].chest_time_s is not None


# --------------------------------------------------------------------------------- config

def test_presets_and_benchmark_suite_cover_the_variants():
    for name in ("tiny", "tiny_flying", "demo_40yd", "start_10yd_120", "angled_rtl_30m"):
        assert isinstance(preset(name), SceneConfig)
    with pytest.raises(ValueError, match="Unknown preset"):
        preset("nope")
    suite = benchmark_suite()
    names = [n for n, _ in suite]
    assert len(suite) >= 10 and len(set(names)) == len(names)
    cfgs = [c for _, c in suite]
    assert {30, 60, 120, 240} <= {int(c.capture_fps) for c in cfgs}
    assert any(c.capture_fps == 240 and c.file_rate == 30 for c in cfgs)
    assert any(c.drop_prob > 0 for c in cfgs) and any(c.vfr_jitter > 0 for c in cfgs)
    assert {720, 1080} <= {c.height for c in cfgs}
    assert {"h264", "hevc"} <= {c.codec for c in cfgs}
    assert any(c.right_to_left for c in cfgs) and any(c.cam_yaw_deg == 25 for c in cfgs)
    assert any(c.shake_px > 0 for c in cfgs) and any(c.bystander for c in cfgs)
    assert any(c.units == "m" and c.lines == (0, 10, 20, 30) for c in cfgs)
    assert any(c.t0 < 0 and c.lines == (20, 40) for c in cfgs)
    assert any(c.into_set_s > 0 for c in cfgs)


def test_bad_configs_say_what_is_wrong():
    with pytest.raises(ValueError, match="even"):
        SceneConfig(width=321)
    with pytest.raises(ValueError, match="lines"):
        SceneConfig(lines=(10.0, 5.0))
    with pytest.raises(ValueError, match="codec"):
        SceneConfig(codec="vp9")
    assert math.isclose(SceneConfig(units="m").lines_m[1], 5.0)
    assert Fraction(plan_frames(replace(TINY, capture_fps=240, file_fps=30)).time_scale) == Fraction(1, 8)


def test_command_line_needs_something_to_do(tmp_path, capsys):
    from dash40.synth.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main([str(tmp_path)])
    assert exc.value.code == 2
    assert "nothing to do" in capsys.readouterr().err
