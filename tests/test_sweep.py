"""A sweep of short generated starts: every one must be analysed, and timed within a frame.

The benchmark clips are long and few; two bugs of short clips were found only by rendering many
small ones with settings mixed (frame rate, picture size, B pictures or not, direction, where the
athlete runs across the lane, a shaking camera, the first movement's phase between frames). This
keeps such a sweep standing. The cases are fixed (seeds, phases) and were not used to tune the
analyzer. Tolerances, in frame periods of the capture rate: the first movement within 1.25, each
crossing within 1.0 (the 2-yd line within 1.5: in the drive phase the head, ahead of the leaning
trunk, is still taken for the chest's front — a known error of ~0.4 frame), and every error within
3 of the analyzer's own 1-sigma.
"""

from __future__ import annotations

import numpy as np
import pytest

from dash40 import analyze
from dash40.synth import SceneConfig

pytest_plugins = ["synth_fixtures"]

# (fps, width, B pictures, right to left, lane offset m, shake px, lines yd, first movement's phase)
CASES = [
    (30, 640, True, False, 0.0, 0.0, (0.0, 5.0, 10.0), 0.13),
    (60, 640, True, True, 0.3, 0.0, (0.0, 2.0, 5.0), 0.71),
    (120, 640, True, False, -0.3, 0.0, (0.0, 2.0, 5.0), 0.42),
    (60, 960, False, False, -0.2, 0.0, (0.0, 2.0, 5.0), 0.88),
    (30, 960, False, True, 0.2, 0.0, (0.0, 5.0, 10.0), 0.55),
    (120, 960, True, True, 0.0, 0.0, (0.0, 2.0, 5.0), 0.27),
    (60, 640, True, False, 0.1, 1.5, (0.0, 5.0, 10.0), 0.34),
    (120, 640, False, True, -0.1, 0.0, (0.0, 2.0, 5.0), 0.61),
    (30, 640, True, False, 0.35, 1.5, (0.0, 2.0, 5.0), 0.96),
    (60, 960, True, True, -0.35, 0.0, (0.0, 5.0, 10.0), 0.05),
]


IDS = [f"{c[0]}fps-{c[1]}-{'B' if c[2] else 'IP'}-{'rtl' if c[3] else 'ltr'}" for c in CASES]


@pytest.mark.slow
@pytest.mark.parametrize("k", range(len(CASES)), ids=IDS)
def test_a_short_generated_start_is_timed_within_a_frame(synth_clip, k):
    fps, width, b, rtl, offset, shake, lines, phase = CASES[k]
    period = 1.0 / fps
    t0 = 0.6 + phase * period
    cfg = SceneConfig(width=width, height=width * 9 // 16, capture_fps=fps, b_frames=b, right_to_left=rtl,
                      lane_offset=offset, shake_px=shake, lines=lines, t0=t0, seed=700 + k,
                      duration=2.4 if lines[-1] <= 5.0 else 3.0, noise_sigma=1.0 + 0.2 * k, gain_drift=0.02)
    clip, truth = synth_clip(cfg)
    r = analyze(clip, clip.with_suffix(".calib.json"))
    assert not r.flying
    e = (r.start.time_s - truth.t0) / period
    assert abs(e) <= 1.25, f"first movement {e:+.2f} frame"
    sd = r.start.uncertainty_s / period
    assert abs(e) <= 3 * sd, f"first movement {e:+.2f} frame, 1-sigma {sd:.2f}"
    by_d = {ln.distance: ln.chest_time_s for ln in truth.lines}
    last = float(truth.frames["time_s"][-1])
    checked = 0
    for c in r.crossings:
        true = by_d.get(c.distance)
        if c.distance == 0.0 or true is None or true > last - 0.1:
            continue  # the start line (the chest is over it in the set); a line crossed at the clip's end
        assert c.time_s is not None, f"{c.distance:g} yd not timed: {c.note}"
        err = (c.time_s - true) / period
        tol = 1.5 if c.distance <= 2.0 else 1.0
        assert abs(err) <= tol, f"{c.distance:g} yd {err:+.2f} frame"
        sd = c.uncertainty_s / period
        assert abs(err) <= 3 * np.hypot(sd, 0.1), f"{c.distance:g} yd {err:+.2f} frame, 1-sigma {sd:.2f}"
        checked += 1
    assert checked == 2  # both lines past the start are crossed inside every clip


@pytest.mark.slow
def test_a_slow_motion_clip_that_dropped_frames_is_timed_in_real_time(synth_clip):
    """240 fps stored at 30 fps, the file's timestamps jittered and 4 % of the frames dropped: the
    file's average rate (28.8 fps) once set the time scale, and every time came out 4 % short
    (first movement -10 frames, the 5-yd crossing -23 frames on such a clip at 1280x720). The
    file's rate is now read from its timestamps' usual interval; with this much jitter it cannot
    tell 30 from 29.97 fps (0.1 %: half a frame at 240 fps by the 7-yd line), hence 1.5 frames."""
    period = 1.0 / 240
    cfg = SceneConfig(width=640, height=360, capture_fps=240, file_fps=30, container="mov", vfr_jitter=0.08,
                      drop_prob=0.04, t0=0.7, duration=2.6, lines=(0.0, 5.0, 7.0), seed=777, noise_sigma=1.5)
    clip, truth = synth_clip(cfg)
    r = analyze(clip, clip.with_suffix(".calib.json"))
    assert abs(r.start.time_s - truth.t0) <= 3 * period
    by_d = {ln.distance: ln.chest_time_s for ln in truth.lines}
    timed = [c for c in r.crossings if c.time_s is not None and c.distance > 0]
    assert {c.distance for c in timed} == {5.0, 7.0}
    for c in timed:
        err = (c.time_s - by_d[c.distance]) / period
        assert abs(err) <= 1.5, (c.distance, err)


@pytest.mark.slow
def test_a_25_fps_start_whose_next_anchor_comes_four_frames_late(synth_clip):
    """25 fps with B pictures, the camera turned 25° off the lane: the last still anchor comes just
    before the first movement and the next one 3.7 frames after it. The B pictures between them
    code the rise and are fitted (they were left out as blends, as at 60 fps), and the fit ends a
    frame past the moving anchor (reaching two frames past it, 230 ms into the run, it read a
    change growing faster than the square of the time): +1.36 -> +0.35 frame. Start c08 of
    benchmarks/onset.py --common, one of the 24 on which these two rules were chosen."""
    period = 1.0 / 25
    t0 = 0.8 + ((0.37 + 0.618 * 8) % 1.0) * period
    cfg = SceneConfig(width=960, height=540, capture_fps=25, lines=(0.0, 5.0, 10.0), duration=2.6, t0=t0, seed=3108,
                      noise_sigma=1.75, gain_drift=0.02, cam_yaw_deg=-25.0, lane_offset=0.1)
    clip, truth = synth_clip(cfg)
    r = analyze(clip, clip.with_suffix(".calib.json"))
    e = (r.start.time_s - truth.t0) / period
    assert abs(e) <= 0.8, f"first movement {e:+.2f} frame"
    assert abs(e) <= 2 * r.start.uncertainty_s / period
