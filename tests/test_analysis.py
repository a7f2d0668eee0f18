"""End to end on generated clips with exact truth: the analyzer recovers the planted start,
crossings and splits within stated tolerances, keeps the JSON contract, and turns bad input into
one sentence with exit code 2 and nothing written."""

import json
from dataclasses import replace
from fractions import Fraction

import av
import numpy as np
import pytest

from dash40 import analyze
from dash40.cli import main
from dash40.errors import AnalysisError, CalibrationError, VideoError

pytest_plugins = ["synth_fixtures"]

FRAME = 1 / 60


def _start_and_crossings_match(r, truth):
    """The tiny clip's first movement and crossings against its truth.

    First movement: within a frame on this 38-px athlete, whose picture change leaves its linear
    regime within ~2 frames while the onset is extrapolated across a 4-frame gap of B pictures
    (a threshold is 3-4 frames late here); the benchmark's athletes: median 0.23 frame.
    Crossings (a 38-px-tall athlete: the hardest case) within 1.5 frames."""
    assert r.start.method == "onset-fit"
    assert abs(r.start.time_s - truth.t0) < 1.0 * FRAME
    by_d = {ln.distance: ln for ln in truth.lines}
    timed = [c for c in r.crossings if c.time_s is not None]
    assert {c.distance for c in timed} >= {5.0, 10.0}
    for c in timed:
        assert abs(c.time_s - by_d[c.distance].chest_time_s) < 1.5 * FRAME, c


def test_tiny_clip_start_and_crossings_match_the_truth(synth_tiny):
    clip, truth = synth_tiny
    r = analyze(clip, clip.with_suffix(".calib.json"))
    _start_and_crossings_match(r, truth)
    by_d = {ln.distance: ln for ln in truth.lines}
    assert [s.distance for s in r.splits] == [5.0, 10.0]  # no split at the start line
    for s in r.splits:
        assert abs(s.time_s - by_d[s.distance].split_s) < 1.5 * FRAME
    assert r.units == "yd" and r.reference == "torso" and r.direction == "left-to-right" and not r.flying
    assert r.warnings == ()  # (nothing to say about a clean rep: no path outside the cones, no sprint doubt)


def test_flying_run_is_recognised_and_timed_line_to_line(synth_tiny_flying):
    clip, truth = synth_tiny_flying
    r = analyze(clip, clip.with_suffix(".calib.json"))
    assert r.flying and r.start.time_s is None and r.start.method == "flying"
    first = truth.lines[0]
    for s in r.splits:
        true_interval = next(ln for ln in truth.lines if ln.distance == s.distance).chest_time_s - first.chest_time_s
        assert abs(s.time_s - true_interval) < 2.0 * FRAME
    assert any("flying" in w for w in r.warnings)


def test_right_to_left_run(synth_clip):
    clip, truth = synth_clip("tiny", right_to_left=True)
    r = analyze(clip, clip.with_suffix(".calib.json"))
    assert r.direction == "right-to-left"
    assert abs(r.start.time_s - truth.t0) < 0.5 * FRAME
    by_d = {ln.distance: ln for ln in truth.lines}
    for c in r.crossings:
        if c.time_s is not None:
            assert abs(c.time_s - by_d[c.distance].chest_time_s) < 1.5 * FRAME


def test_hip_reference_is_later_than_chest(synth_clip):
    # The tiny clip ends 2 frames after the hip reaches 10 yd: a little longer, so that the hip's
    # crossing is not decided by the clip's last frames.
    clip, truth = synth_clip("tiny", duration=2.7)
    chest = analyze(clip, clip.with_suffix(".calib.json"))
    hip = analyze(clip, clip.with_suffix(".calib.json"), reference="hip")
    assert hip.reference == "hip"
    h10 = next(c for c in hip.crossings if c.distance == 10.0).time_s
    c10 = next(c for c in chest.crossings if c.distance == 10.0).time_s
    true_hip = next(ln for ln in truth.lines if ln.distance == 10.0).hip_time_s
    assert h10 > c10
    assert abs(h10 - true_hip) < 3 * FRAME


def test_cli_writes_the_json_contract_and_prints_a_table(synth_tiny, tmp_path, capsys):
    clip, _ = synth_tiny
    out = tmp_path / "rep.json"
    assert main(["analyze", str(clip), "--calib", str(clip.with_suffix(".calib.json")), "--json", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "First movement" in printed and "10 yd" in printed
    d = json.loads(out.read_text())
    for key in ("clip", "fps", "capture_fps", "frames", "units", "reference", "start", "crossings", "splits", "steps", "model"):
        assert key in d
    assert set(d["start"]) >= {"time_s", "uncertainty_s", "method"}
    assert all(set(c) >= {"distance", "time_s", "uncertainty_s"} for c in d["crossings"])
    assert all(set(s) >= {"distance", "time_s"} for s in d["splits"])
    assert all(set(s) >= {"time_s", "distance", "side", "length"} for s in d["steps"])
    assert d["reference"] == "torso" and d["fps"] == pytest.approx(60)
    # A 10-yd clip ends far below top speed: the model block says why it gives no MSS, and keeps
    # the extrapolated fit aside (SI units). A 40-yd clip's model: see the sprint-model test.
    assert "top speed" in d["model"]["error"] and "mss" not in d["model"]
    assert 5.0 < d["model"]["extrapolated_fit"]["mss"] < 15.0
    assert "Sprint model: not given" in printed


def test_overlay_and_thumbnails(synth_tiny, tmp_path):
    from dash40.overlay import event_thumbnails, render_overlay

    clip, _ = synth_tiny
    cal = clip.with_suffix(".calib.json")
    r = analyze(clip, cal)
    out = render_overlay(clip, r, cal, tmp_path / "overlay.mp4")
    with av.open(str(out)) as c:
        n = sum(1 for _ in c.decode(video=0))
    assert n == r.frames
    thumbs = event_thumbnails(clip, r, cal, width=160)
    assert [t.label.split(" —")[0] for t in thumbs][0] == "Start"
    assert len(thumbs) == 1 + sum(c.time_s is not None for c in r.crossings)
    # Each line's picture shows its split; a line without one (the start line) says when in the clip.
    splits = {s.distance: s.time_s for s in r.splits}
    for t, c in zip(thumbs[1:], [c for c in r.crossings if c.time_s is not None], strict=True):
        want = f" — {splits[c.distance]:.2f} s" if c.distance in splits else f" — at {c.time_s:.2f} s in the clip"
        assert t.label == f"{c.distance:g} yd{want}", t.label
    assert all(t.image.shape[1] == 160 and t.image.shape[2] == 3 for t in thumbs)
    # The name sits on a dark band (white letters only), readable over a crowd or a fence.
    for t in thumbs:
        band = t.image[2:20, 2:40].astype(int)
        dark, white = band.max(axis=2) < 110, band.min(axis=2) > 200
        assert dark.mean() > 0.5 and white.any()


# ---------------------------------------------------------------------------------------------
# Bad input: one sentence, exit code 2, nothing written.


def _run_bad(args, tmp_path, capsys):
    out = tmp_path / "never.json"
    code = main([*args, "--json", str(out), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert not out.exists()
    assert err.startswith("dash40: ") and "Traceback" not in err and err.count("\n") == 0
    return err


def _blank_clip(path, n=40, size=(160, 90)):
    """A clip of an empty field: nobody runs."""
    rng = np.random.default_rng(3)
    base = np.zeros((size[1], size[0], 3), np.uint8)
    base[:] = (60, 140, 60)
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = size[0], size[1], "yuv420p"
        for i in range(n):
            img = np.clip(base + rng.normal(0, 2, base.shape), 0, 255).astype(np.uint8)
            f = av.VideoFrame.from_ndarray(img, format="rgb24")
            f.pts, f.time_base = i, Fraction(1, 30)
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def test_not_a_video(tmp_path, capsys, synth_tiny):
    clip, _ = synth_tiny
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    err = _run_bad(["analyze", str(bad), "--calib", str(clip.with_suffix(".calib.json"))], tmp_path, capsys)
    assert "not a video" in err


def test_zero_byte_and_truncated(tmp_path, capsys, synth_tiny):
    clip, _ = synth_tiny
    cal = str(clip.with_suffix(".calib.json"))
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    assert "empty" in _run_bad(["analyze", str(empty), "--calib", cal], tmp_path, capsys)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(clip.read_bytes()[:5000])
    _run_bad(["analyze", str(cut), "--calib", cal], tmp_path, capsys)


def test_audio_only(tmp_path, capsys, synth_tiny):
    clip, _ = synth_tiny
    p = tmp_path / "voice.m4a"
    with av.open(str(p), "w") as c:
        s = c.add_stream("aac", rate=44100)
        for i in range(10):
            fr = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            fr.sample_rate, fr.pts = 44100, i * 1024
            for pkt in s.encode(fr):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    assert "no video track" in _run_bad(["analyze", str(p), "--calib", str(clip.with_suffix(".calib.json"))], tmp_path, capsys)


def test_no_runner(tmp_path, capsys):
    clip = _blank_clip(tmp_path / "field.mp4")
    cal = tmp_path / "c.json"
    cal.write_text(json.dumps({"units": "yd", "lines": [{"distance": 0, "x": 30}, {"distance": 10, "x": 130}]}))
    err = _run_bad(["analyze", str(clip), "--calib", str(cal)], tmp_path, capsys)
    assert "No runner" in err
    with pytest.raises(AnalysisError):
        analyze(clip, cal)


def test_runner_never_reaches_a_line(tmp_path, capsys, synth_clip):
    clip, truth = synth_clip("tiny", duration=1.0)  # stops before the 5-yd line
    cal = json.loads(clip.with_suffix(".calib.json").read_text())
    cal["lines"] = [ln for ln in cal["lines"] if ln["distance"] > 0]
    p = tmp_path / "c.json"
    p.write_text(json.dumps(cal))
    err = _run_bad(["analyze", str(clip), "--calib", str(p)], tmp_path, capsys)
    assert "never reaches" in err


def test_a_line_passed_but_never_timed_is_not_called_unreached(tmp_path, capsys, synth_tiny, monkeypatch):
    """On a shaking, coarsely encoded clip the tracking can break off exactly around the only line
    the athlete passes (seen on a generated crf-30 clip with 3 px of shake: the runner went 5.9 yd
    past a 2-yd line and was told he never reached a line). Here every crossing fails to be timed."""
    import dash40.analysis as A
    from dash40.timing import LineCrossing

    monkeypatch.setattr(A, "crossing", lambda *a, **k: LineCrossing(None, None, None, "not timed"))
    clip, _ = synth_tiny
    err = _run_bad(["analyze", str(clip), "--calib", str(clip.with_suffix(".calib.json"))], tmp_path, capsys)
    assert "passes the 5 yd line" in err and "never reaches" not in err


def test_calibration_that_does_not_fit_the_clip(tmp_path, capsys, synth_tiny):
    clip, _ = synth_tiny
    p = tmp_path / "c.json"
    p.write_text(json.dumps({"units": "yd", "lines": [{"distance": 0, "x": 100}, {"distance": 10, "x": 1500}]}))
    err = _run_bad(["analyze", str(clip), "--calib", str(p)], tmp_path, capsys)
    assert "outside" in err
    with pytest.raises(CalibrationError):
        analyze(clip, p)
    with pytest.raises(VideoError):
        analyze(tmp_path / "missing.mp4", p)


@pytest.mark.slow
def test_sprint_model_recovered_from_the_measured_trace_of_a_40_yard_clip():
    """Issue target: MSS within 1 %, TAU within 3 % from the video trace of a 40-yd clip."""
    from pathlib import Path

    clip = Path(__file__).resolve().parents[1] / "sample_videos" / "demo_40yd_60fps.mp4"
    truth = json.loads(clip.with_suffix(".truth.json").read_text())
    r = analyze(clip, clip.with_suffix(".calib.json"))
    assert r.model["mss"] == pytest.approx(truth["mss"], rel=0.01)
    assert r.model["tau"] == pytest.approx(truth["tau"], rel=0.03)
    lo, hi = r.model["ci"]["mss"]
    assert lo < r.model["mss"] < hi


@pytest.mark.slow
def test_a_10_yard_clip_does_not_report_a_top_speed_it_never_reached():
    """A start to 10 yd ends far below top speed: MSS/TAU would be an extrapolation (on this clip
    it came out 10.4 m/s against a true 9.5 with a 'confident' interval), so the result says why
    there is no model and keeps the fit aside; splits and steps are still there."""
    from pathlib import Path

    clip = Path(__file__).resolve().parents[1] / "sample_videos" / "start_10yd_120fps.mp4"
    r = analyze(clip, clip.with_suffix(".calib.json"))
    assert "mss" not in r.model and "top speed" in r.model["error"]
    assert r.model["extrapolated_fit"]["mss"] > 0
    assert [s.distance for s in r.splits] == [5.0, 10.0] and len(r.steps) >= 6
    assert {s.side for s in r.steps} <= {"left", "right", "unknown"}
    # The athlete runs out of the picture at the end: frames whose silhouette is cut by the
    # picture's side are not positions (the last one read 24 cm short and bent the velocity down).
    truth = json.loads(clip.with_suffix(".truth.json").read_text())
    t = np.array(r.trace.time_s)
    x = np.array(r.trace.position_m)
    tx = np.interp(t, truth["frames"]["time_s"], truth["frames"]["chest_front_x_m"])
    last = t > t[-1] - 0.2
    assert np.max(np.abs(x[last] - tx[last])) < 0.10



@pytest.mark.slow
def test_the_first_movement_of_a_hand_held_start_is_not_lost_in_the_cameras_sway():
    """The hand-held sample (2 px of shake, filmed 25° off the lane): the whole picture's warp left
    the set position swaying by tenths of a pixel, as much as the first frames of the movement,
    and the start came 87 ms (5 frames) late with a 1-sigma of 20 ms. Registered again on the
    background around the set position, it is within 25 ms of the truth and of its 2-sigma."""
    from pathlib import Path

    clip = Path(__file__).resolve().parents[1] / "sample_videos" / "angled_rtl_30m_60fps.mp4"
    truth = json.loads(clip.with_suffix(".truth.json").read_text())
    r = analyze(clip, clip.with_suffix(".calib.json"))
    err = r.start.time_s - truth["t0"]
    assert abs(err) <= 0.025 and abs(err) <= 2 * r.start.uncertainty_s, (err, r.start.uncertainty_s)

def _result_with_trace(t, x):
    from dash40.result import AnalysisResult, Start, Trace

    return AnalysisResult(clip="c.mp4", fps=60.0, capture_fps=60.0, frames=len(t), units="m", reference="torso",
                          start=Start(0.5, 0.01, "onset-fit"), crossings=(), splits=(),
                          trace=Trace(time_s=tuple(t), position_m=tuple(x), uncertainty_m=(0.02,) * len(t)))


@pytest.mark.parametrize(("mss", "tau", "plausible"), [(9.5, 1.1, True), (9.5, 0.14, False), (9.5, 0.5, False)])
def test_a_sprint_model_outside_what_sprinters_do_is_not_given(mss, tau, plausible):
    """A 40-m trace of the planted model: TAU 1.1 s is fitted and reported; TAU 0.14 s (MAC 68 m/s²,
    what a badly tracked hand-held clip produced) is fitted the same way but not reported, nor is
    TAU 0.5 s (within TAU's own bounds, but MAC 19 m/s²: real hand-held 10-m starts fitted 16-25)."""
    from dash40.analysis import _model

    t = np.arange(0.0, 6.0, 1 / 60)
    tau_ = np.maximum(t - 0.5, 0.0)
    x = mss * (tau_ + tau * np.exp(-tau_ / tau) - tau)
    keep = x <= 40.0
    m = _model(_result_with_trace(t[keep], x[keep]), None, None)
    if plausible:
        assert m["mss"] == pytest.approx(mss, rel=0.01) and m["tau"] == pytest.approx(tau, rel=0.03)
    else:
        assert "mss" not in m and "outside what sprinters do" in m["error"]
        assert m["implausible_fit"]["tau"] == pytest.approx(tau, rel=0.1)


def test_a_runner_off_the_middle_of_the_lane_is_placed_from_the_feet(synth_clip):
    """The athlete runs 0.35 m nearer the camera than the lane's middle. Where the path is
    matters (a close camera sees the 10 yd line's plane 20 cm off for a wrong path): it is found
    from the foot contacts, and the 10 yd crossing lands within 0.4 frame (placing the runner in
    the middle put it 0.8 frame early)."""
    clip, truth = synth_clip("tiny", width=640, height=360, lane_offset=0.35, seed=7)
    r = analyze(clip, clip.with_suffix(".calib.json"))
    tl = {ln.distance: ln.chest_time_s for ln in truth.lines}
    c10 = next(c for c in r.crossings if c.distance == 10.0)
    assert abs(c10.time_s - tl[10.0]) <= 0.4 * FRAME
    assert abs(c10.time_s - tl[10.0]) <= 2 * c10.uncertainty_s



def test_a_second_sprinter_in_the_next_lane_is_not_taken_for_the_athlete(synth_clip):
    """Someone runs at 7 m/s 3 m beyond the far cones from the first frame, passing behind the
    athlete in the set position. From a low camera that person's feet are as high in the picture
    as a runner's in flight: taken for the runner, the rep was called a flying one, and the
    0 yd line was "crossed" 19 frames early by the other person's front while it joined the
    athlete's silhouette. Now the rep is a start, no line is crossed before the first movement,
    and the 5 and 10 yd crossings land within 0.4 frame. (The first movement itself, with the
    other person crossing the set position until a frame before it, is not claimed here: it
    comes 3 frames late.)"""
    clip, truth = synth_clip("tiny", width=640, height=360, bystander=True, bystander_depth=3.0,
                             bystander_speed=7.0, t0=0.6, duration=2.6, seed=1)
    r = analyze(clip, clip.with_suffix(".calib.json"))
    assert r.start.method == "onset-fit" and not any("flying" in w for w in r.warnings)
    tl = {ln.distance: ln.chest_time_s for ln in truth.lines}
    timed = {c.distance: c for c in r.crossings if c.time_s is not None}
    assert all(c.time_s > r.start.time_s for c in timed.values())
    for d in (5.0, 10.0):
        assert abs(timed[d].time_s - tl[d]) <= 0.4 * FRAME


def test_someone_walking_who_passed_the_lines_before_a_first_movement_is_told_it_is_no_sprint(synth_clip,
                                                                                              monkeypatch):
    """A person walking back and forth (the real clip wall_walk.mp4): the "first movement" found
    can be any moment, after the lines were passed. No line is crossed before a first movement,
    so none is timed; the sentence says why in words that fit (a walk, not a sprint) instead of
    blaming the tracking. Planted here: a slow mover (2.8 m/s at most) and a first movement
    found after it passed every line."""
    import dash40.analysis as A
    from dash40.timing import Onset

    clip, _ = synth_clip("tiny", width=320, height=180, mss=2.8, tau=0.8, t0=0.3, duration=5.0, seed=4)

    def late(track, x, period, read_patches=None):
        i = len(track.time_s) - 5
        return Onset(float(track.time_s[i]), 0.01, "onset-fit", int(track.index[i]), False)

    monkeypatch.setattr(A, "detect_start", late)
    with pytest.raises(AnalysisError, match=r"never moves faster than \d\.\d m/s: this does not look like a sprint"):
        analyze(clip, clip.with_suffix(".calib.json"))


@pytest.mark.parametrize("t0", [-0.05, 0.05])
def test_a_clip_that_begins_as_the_athlete_goes_has_no_start_but_its_crossings(synth_clip, t0, capsys):
    """The recording began 0.05 s after the first movement, or 0.05 s before it: no still set
    position is seen (the first frame was taken for the first movement, 3 frames late with a
    1-sigma of one frame, or the first 2 frames for still). The rep is timed from its first line,
    said so in words, and the lines are timed as usual."""
    clip, truth = synth_clip("tiny", t0=t0, duration=2.6, seed=5)
    r = analyze(clip, clip.with_suffix(".calib.json"))
    assert r.start.time_s is None and r.start.method == "before-clip" and r.flying
    assert any("begins as the athlete goes" in w for w in r.warnings)
    tl = {ln.distance: ln.chest_time_s for ln in truth.lines}
    for c in r.crossings:
        if c.distance > 0:
            assert abs(c.time_s - tl[c.distance]) <= 0.5 * FRAME
    assert [s.distance for s in r.splits] == [10.0]  # from the 5-yd line
    assert main(["analyze", str(clip), "--calib", str(clip.with_suffix(".calib.json")), "--quiet"]) == 0
    assert "not in the clip" in capsys.readouterr().out


def test_a_clip_that_begins_0_15_s_before_the_first_movement_is_timed_from_it(synth_clip):
    clip, truth = synth_clip("tiny", t0=0.15, duration=2.6, seed=5)
    r = analyze(clip, clip.with_suffix(".calib.json"))
    assert r.start.method == "onset-fit" and abs(r.start.time_s - truth.t0) <= 0.5 * FRAME


def test_only_the_chest_reaching_the_side_of_the_picture_cuts_it():
    """A long shadow on the ground ahead of the athlete (a real clip in low sun) reached the side
    of the picture for the last 15 frames while the chest was 100-300 px from it: every one of them
    was left out, and the last line was "not reached". For the chest only its front counts; for
    the hip the whole silhouette does."""
    from dash40.analysis import cut_by_picture_edge
    from dash40.tracking import RunnerTrack

    n = 4
    nan = np.full(n, np.nan)
    front = np.array([900.0, 1100.0, 1277.5, 1279.0])
    track = RunnerTrack(
        index=np.arange(n), time_s=np.arange(n) / 30, found=np.ones(n, bool), front_u=front, front_v=np.full(n, 400.0),
        hip_u=front - 60, hip_v=np.full(n, 450.0), bbox=np.array([[700.0, 350.0, 1279.0, 650.0]] * n),
        foot_u=nan, foot_v=nan, ground_segments=((),) * n, shift=np.zeros((n, 2)),
        warps=np.tile(np.eye(2, 3), (n, 1, 1)), motion=np.zeros((n, 4), np.float32), cells_shape=(2, 2),
        work_scale=1.0, direction=1, repeat=np.zeros(n, bool))
    assert cut_by_picture_edge(track, 1280, "torso").tolist() == [False, False, True, True]
    assert cut_by_picture_edge(track, 1280, "hip").all()
    # the picture's side followed through the camera's drift: 10 px to the left, the side is at 1269
    drifted = RunnerTrack(**{**track.__dict__, "shift": np.tile([10.0, 0.0], (n, 1)),
                             "front_u": np.array([900.0, 1265.0, 1267.0, 1269.0])})
    assert cut_by_picture_edge(drifted, 1280, "torso").tolist() == [False, False, True, True]


def test_an_athlete_set_nearer_the_camera_than_the_near_cones_is_timed_from_the_start(synth_clip):
    """The athlete sets up 0.8 m nearer the camera than the near cones (the lines marked a little
    off, or the session's last calibration reused with the phone moved): seen from the camera, its
    hands and feet are below the lane. The runner search wanted a new runner's lowest point within
    0.1 m (as a height) of the lane on both sides and found the athlete only once running: the rep
    was called a flying one. On the camera's side half a metre is allowed again."""
    clip, truth = synth_clip("tiny", width=1280, height=720, lane_offset=2.3, seed=4, duration=2.6, t0=0.6)
    r = analyze(clip, clip.with_suffix(".calib.json"))
    assert r.start.method == "onset-fit" and abs(r.start.time_s - truth.t0) <= 0.5 * FRAME
    # An athlete runs between the cones: feet read outside them are said to be doubtful.
    assert any("in front of the near cones (0.8 m outside them)" in w for w in r.warnings)
    tl = {ln.distance: ln.chest_time_s for ln in truth.lines}
    for c in r.crossings:
        if c.distance > 0:
            assert abs(c.time_s - tl[c.distance]) <= 0.5 * FRAME


def test_a_shadow_toward_the_phone_is_not_taken_for_the_feet(synth_clip):
    """The phone faces a low sun (25° high, beyond the lane): the athlete's shadow falls toward the
    camera, below the feet in the picture, and the silhouette takes it in. Its lowest points put
    the path 1.5 m in front of the near cones (the athlete runs 0.4 m nearer than the middle); read
    from them, the 10-yd crossing came 3.9 frames late, said ± 1.3. The feet cannot be read, so the
    path is the cones' middle, with its uncertainty in each crossing's, and the coach is told."""
    clip, truth = synth_clip("tiny", width=640, height=360, sun_elevation_deg=25.0, sun_azimuth_deg=20.0,
                             lane_offset=-0.4, seed=9)
    r = analyze(clip, clip.with_suffix(".calib.json"))
    assert any("shadow" in w and "middle of the cones" in w for w in r.warnings)
    # the contacts (none found here) would be the shadow's too: no steps are shown
    assert r.steps == ()
    tl = {ln.distance: ln.chest_time_s for ln in truth.lines}
    c10 = next(c for c in r.crossings if c.distance == 10.0)
    assert abs(c10.time_s - tl[10.0]) <= 2 * c10.uncertainty_s
    assert abs(c10.time_s - tl[10.0]) <= 2.0 * FRAME


def test_a_runner_far_off_the_middle_of_the_lane_is_found_by_its_feet(synth_clip):
    """The athlete runs 1 m beyond the lane's middle (cones 1.8 m either side). The first guess
    of the path, pulled toward the middle, put the feet's search line under neither foot: no
    contact was found, the path stayed at the guess (69 cm near on a clip like this one) and
    the 10 yd crossing came 2.6 frames late. The feet are looked for again where the lowest
    points are; the crossing lands within 0.4 frame."""
    clip, truth = synth_clip("tiny", width=640, height=360, lane_offset=-1.0, cone_z=1.8, seed=8)
    r = analyze(clip, clip.with_suffix(".calib.json"))
    tl = {ln.distance: ln.chest_time_s for ln in truth.lines}
    c10 = next(c for c in r.crossings if c.distance == 10.0)
    assert abs(c10.time_s - tl[10.0]) <= 0.4 * FRAME
    assert abs(c10.time_s - tl[10.0]) <= 2 * c10.uncertainty_s

def test_a_portrait_phone_clip_is_analysed_as_shown(synth_tiny, tmp_path):
    """A phone filming in portrait stores its picture turned and writes how to turn it back: the
    analyzer must time the clip as the phone shows it (the calibration is in shown pixels)."""
    from synth_fixtures import set_display_rotation

    clip, truth = synth_tiny
    turned = tmp_path / "portrait.mp4"
    with av.open(str(clip)) as src, av.open(str(turned), "w") as dst:
        vin = src.streams.video[0]
        out = dst.add_stream("libx264", rate=vin.average_rate)
        out.time_base = vin.time_base
        out.codec_context.time_base = vin.time_base
        out.options = {"crf": "21"}  # the generator's own quality
        # stored turned left: the landscape picture becomes a portrait one
        out.width, out.height, out.pix_fmt = vin.codec_context.height, vin.codec_context.width, "yuv420p"
        for f in src.decode(vin):
            img = np.ascontiguousarray(np.rot90(f.to_ndarray(format="rgb24"), 1))
            g = av.VideoFrame.from_ndarray(img, format="rgb24")
            g.pts, g.time_base = f.pts, f.time_base
            for pkt in out.encode(g):
                dst.mux(pkt)
        for pkt in out.encode():
            dst.mux(pkt)
    set_display_rotation(turned, 90)  # shown turned back right, as an iPhone in portrait writes it
    _start_and_crossings_match(analyze(turned, clip.with_suffix(".calib.json")), truth)


def test_an_uncertain_first_movement_is_said_so_in_words(synth_tiny, monkeypatch):
    """A swaying, coarsely encoded set position can leave the first movement ± 0.05 s: the coach is
    told, with what to do, rather than left to read it off the ± column. A sharp start is not."""
    import dash40.analysis as A
    from dash40.timing import detect_start

    clip, _ = synth_tiny
    cal = clip.with_suffix(".calib.json")
    sharp = analyze(clip, cal)
    assert sharp.start.uncertainty_s < A.START_UNCERTAIN_S
    assert not any("first movement is uncertain" in w for w in sharp.warnings)

    def swaying(*args, **kw):
        o = detect_start(*args, **kw)
        return replace(o, uncertainty_s=0.05)

    monkeypatch.setattr(A, "detect_start", swaying)
    r = analyze(clip, cal)
    assert r.start.uncertainty_s == pytest.approx(0.05)
    assert any("first movement is uncertain (± 0.05 s)" in w and "tripod" in w for w in r.warnings)


@pytest.mark.slow
def test_a_clip_without_b_pictures_times_the_first_movement_without_the_encoders_lag(synth_clip, monkeypatch):
    """Many phones' hardware encoders write I and P pictures only. Each P picture leaves the first
    tenths of a pixel of the movement uncoded (whole blocks of the athlete copied from the set
    position), so the first moving pictures show less change than happened: fitted through them
    as read, the first movement came out late (here +0.46, +0.21, +0.31, +0.40 frame; +0.6 on
    average on the suite). Two rules take it out, each enough alone: a P picture is read on the
    blocks it coded (here +0.20, +0.03, +0.23, -0.04), and the moving frames below a fifth of the
    change the fit reaches are left out (-0.03, -0.13, +0.21, +0.37); both: +0.20, +0.03, +0.13,
    +0.20. Generated starts at 640×360, 60 fps, x264 without B pictures, the first movement at
    four phases between two frames."""
    import dash40.timing as timing
    from dash40.synth import SceneConfig

    fit = timing.onset_from_patches
    seen: list = []

    def spy(*args, **kwargs):
        seen.append((args, kwargs))
        return fit(*args, **kwargs)

    def refit(args, kwargs, t0, coded_min, toe):
        monkeypatch.setattr(timing, "ONSET_CODED_MIN", coded_min)
        monkeypatch.setattr(timing, "ONSET_IPPP_TOE", toe)
        got = (fit(*args, **kwargs).time_s - t0) / period
        monkeypatch.setattr(timing, "ONSET_CODED_MIN", coded)
        monkeypatch.setattr(timing, "ONSET_IPPP_TOE", toe_default)
        return got

    monkeypatch.setattr(timing, "onset_from_patches", spy)
    coded, toe_default = timing.ONSET_CODED_MIN, timing.ONSET_IPPP_TOE
    period = 1 / 60
    new, old, coded_only, toe_only = [], [], [], []
    for k in range(4):
        t0 = 0.5 + k * 0.29 * period
        clip, _ = synth_clip(SceneConfig(width=640, height=360, b_frames=False, seed=200 + k, t0=t0, duration=2.0,
                                         lines=(0.0, 2.0, 5.0), noise_sigma=2.0))
        seen.clear()
        r = analyze(clip, clip.with_suffix(".calib.json"))
        args, kwargs = seen[-1]
        assert set(args[2]) <= {"I", "P"}  # the stream really has no B pictures
        new.append((r.start.time_s - t0) / period)
        old.append(refit(args, kwargs, t0, 2.0, 0.0))  # every moving frame, as read
        coded_only.append(refit(args, kwargs, t0, coded, 0.0))
        toe_only.append(refit(args, kwargs, t0, 2.0, toe_default))
    assert np.mean(old) > 0.25  # the encoder's lag: late on every start
    for got in (new, coded_only, toe_only):
        assert np.mean(np.abs(got)) < 0.25
    assert np.mean(new) < np.mean(old) - 0.15


@pytest.mark.slow
def test_an_image_shown_twice_is_measured_once(synth_clip, monkeypatch):
    """A 30-fps capture written at 60 fps (as slow-motion exports and some apps do) shows every
    image twice; the encoder codes the second copy again, so it is not bit-exact. Measured as a
    frame of its own it put the runner where it was 1/60 s earlier: crossings came out late by
    +0.03 to +0.33 capture frame (mean +0.22 on these three clips). The copies are now found
    (they change far less than the frames around them) and left out: of the frames that repeat
    an image while the athlete runs, at least 90 % are found, none wrongly, and the crossings
    are unbiased (here mean -0.02 frame)."""
    import dash40.analysis as analysis

    real = analysis._time_track
    seen: dict = {}

    def spy(track, *args, **kwargs):
        seen["track"] = track
        return real(track, *args, **kwargs)

    monkeypatch.setattr(analysis, "_time_track", spy)
    period = 1 / 30
    errors = []
    for seed in (1, 2, 3):
        clip, truth = synth_clip("tiny", capture_fps=30, repeat=2, file_fps=60, width=640, height=360, seed=seed)
        r = analyze(clip, clip.with_suffix(".calib.json"))
        track = seen["track"]
        repeated = np.asarray(truth.frames["repeated"], bool)[track.index]
        running = track.time_s > truth.t0 + 0.1
        assert np.sum(track.repeat & repeated & running) >= 0.9 * np.sum(repeated & running)
        assert not np.any(track.repeat & ~repeated & running)
        by_d = {ln.distance: ln.chest_time_s for ln in truth.lines}
        errors += [(c.time_s - by_d[c.distance]) / period for c in r.crossings
                   if c.time_s is not None and by_d.get(c.distance) is not None]
    assert len(errors) >= 6
    assert abs(np.mean(errors)) < 0.1
    assert np.max(np.abs(errors)) < 0.3


@pytest.mark.slow
def test_a_short_clip_whose_background_is_one_picture_group(synth_clip):
    """A 2-s clip in I and P pictures: the background is learnt from its last part, a single
    picture group, whose frames code the sensor noise alike; every frame of the first group then
    differs from it by 5-25 grey levels, most in the textured grandstand. Taken as the runner's,
    those patches joined the athlete into one blob too wide to be a runner: one clip could not be
    timed ("the tracking of the chest breaks off"), the other put the first movement 80 frames
    late. With the threshold raised to each frame's own noise both are timed: first movement within
    half a frame, crossings within 0.6 frame."""
    from dash40.synth import SceneConfig

    period = 1 / 60
    for seed, phase in ((301, 0.17), (302, 0.34)):
        t0 = 0.5 + phase * period
        clip, truth = synth_clip(SceneConfig(width=640, height=360, b_frames=False, seed=seed, t0=t0, duration=2.0,
                                             lines=(0.0, 2.0, 5.0), noise_sigma=2.0))
        r = analyze(clip, clip.with_suffix(".calib.json"))
        assert abs(r.start.time_s - t0) < 0.5 * period
        by_d = {ln.distance: ln.chest_time_s for ln in truth.lines}
        timed = [c for c in r.crossings if c.time_s is not None]
        assert {c.distance for c in timed} >= {2.0, 5.0}
        for c in timed:
            assert abs(c.time_s - by_d[c.distance]) < 0.6 * period, c
