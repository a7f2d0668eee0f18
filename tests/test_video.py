"""Frame times come from the container's timestamps; bad files give one clear sentence."""

from fractions import Fraction

import av
import numpy as np
import pytest

from dash40.errors import InputError, VideoError
from dash40.video import iter_frames, probe

pytest_plugins = ["synth_fixtures"]


def _write(path, pts_90k, size=(64, 48), rate=30, codec="libx264", metadata=None):
    with av.open(str(path), "w", options={"movflags": "use_metadata_tags"}) as c:
        for k, v in (metadata or {}).items():
            c.metadata[k] = v
        s = c.add_stream(codec, rate=rate)
        s.width, s.height, s.pix_fmt = size[0], size[1], "yuv420p"
        s.time_base = Fraction(1, 90000)
        s.codec_context.time_base = Fraction(1, 90000)
        rng = np.random.default_rng(0)
        for p in pts_90k:
            img = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
            f = av.VideoFrame.from_ndarray(img, format="rgb24")
            f.pts, f.time_base = int(p), Fraction(1, 90000)
            for pkt in s.encode(f):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    return path


def test_variable_frame_rate_times_are_the_timestamps(tmp_path):
    # 30 fps with jitter and two dropped frames: times must be pts, not index / fps.
    rng = np.random.default_rng(1)
    t = np.cumsum(np.r_[0, np.full(29, 1 / 30) + rng.uniform(-0.004, 0.004, 29)])
    t = np.delete(t, [7, 19])
    pts = np.round(t * 90000)
    clip = _write(tmp_path / "vfr.mp4", pts)
    got = np.array([f.time_s for f in iter_frames(clip)])
    assert len(got) == len(pts)
    np.testing.assert_allclose(got, (pts - pts[0]) / 90000, atol=1e-6)


def test_slow_motion_is_rescaled_to_real_time(tmp_path):
    pts = np.arange(12) * 3000  # stored at 30 fps
    clip = _write(tmp_path / "slomo.mp4", pts)
    info = probe(clip, capture_fps=240)
    got = np.array([f.time_s for f in iter_frames(clip, info)])
    np.testing.assert_allclose(np.diff(got), 1 / 240, atol=1e-9)
    assert info.capture_fps == 240 and info.time_scale == pytest.approx(30 / 240)


def test_capture_rate_read_from_metadata(tmp_path):
    pts = np.arange(6) * 3000
    clip = tmp_path / "meta.mov"
    _write(clip, pts, metadata={"com.apple.quicktime.capture.fps": "240"})
    info = probe(clip)
    assert info.capture_fps == 240 and info.fps == pytest.approx(30)
    got = np.array([f.time_s for f in iter_frames(clip, info)])
    np.testing.assert_allclose(np.diff(got), 1 / 240, atol=1e-9)


def test_a_slow_motion_file_that_dropped_frames_keeps_its_time_scale(tmp_path):
    # A 240-fps capture stored at 30 fps, its timestamps jittered (±8 %) and 1 frame in 12
    # dropped: the container's average rate is ~28 fps, and real time taken as file time × 28/240
    # ran 7 % short. The file's rate is its timestamps' usual interval: 30 fps.
    rng = np.random.default_rng(3)
    dt = (1 + 0.08 * rng.standard_normal(150)) / 30
    dt[rng.random(150) < 1 / 12] += 1 / 30
    pts = np.round(np.cumsum(np.r_[0, dt]) * 90000)
    clip = tmp_path / "slomo_drops.mov"
    _write(clip, pts, metadata={"com.android.capture.fps": "240"})
    info = probe(clip)
    assert info.fps == pytest.approx(30) and info.time_scale == pytest.approx(30 / 240)
    got = np.array([f.time_s for f in iter_frames(clip, info)])
    np.testing.assert_allclose(got, (pts - pts[0]) / 90000 * 30 / 240, atol=1e-6)


@pytest.mark.parametrize("clockwise", [90, 180, 270])
def test_a_clip_stored_turned_is_read_as_the_phone_shows_it(tmp_path, clockwise):
    from synth_fixtures import set_display_rotation

    # The picture as shown: portrait for 90/270, a bright block in its top-left corner.
    shown = np.zeros((64, 48, 3), np.uint8) if clockwise in (90, 270) else np.zeros((48, 64, 3), np.uint8)
    shown[4:16, 6:18] = 255
    stored = np.ascontiguousarray(np.rot90(shown, clockwise // 90))  # the player turns it back clockwise
    clip = tmp_path / f"turned{clockwise}.mp4"
    with av.open(str(clip), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.height, s.width, s.pix_fmt = stored.shape[0], stored.shape[1], "yuv420p"
        for _ in range(4):
            for pkt in s.encode(av.VideoFrame.from_ndarray(stored, format="rgb24")):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    set_display_rotation(clip, clockwise)
    info = probe(clip)
    assert (info.height, info.width) == shown.shape[:2]
    img = next(iter(iter_frames(clip, info))).image
    assert img.shape[:2] == shown.shape[:2]
    rows, cols = np.nonzero(img.mean(axis=2) > 128)
    # The block is back in the top-left corner (within the codec's blur of a pixel).
    assert abs(rows.min() - 4) <= 1 and abs(rows.max() - 15) <= 1
    assert abs(cols.min() - 6) <= 1 and abs(cols.max() - 17) <= 1


def test_zero_byte_file(tmp_path):
    p = tmp_path / "empty.mp4"
    p.write_bytes(b"")
    with pytest.raises(VideoError, match="empty"):
        probe(p)


def test_not_a_video(tmp_path):
    p = tmp_path / "notes.mp4"
    p.write_text("this is a shopping list, not a video\n" * 50)
    with pytest.raises(VideoError, match="not a video"):
        probe(p)


def test_truncated_file(tmp_path):
    clip = _write(tmp_path / "full.mp4", np.arange(30) * 3000, size=(160, 120))
    data = clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(VideoError):
        probe(cut)


def test_audio_only(tmp_path):
    p = tmp_path / "voice.m4a"
    with av.open(str(p), "w") as c:
        s = c.add_stream("aac", rate=44100)
        for i in range(20):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            frame.sample_rate = 44100
            frame.pts = i * 1024
            for pkt in s.encode(frame):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    with pytest.raises(VideoError, match="no video track"):
        probe(p)


def test_missing_file_and_impossible_capture_rate(tmp_path):
    with pytest.raises(VideoError, match="does not exist"):
        probe(tmp_path / "nope.mp4")
    clip = _write(tmp_path / "ok.mp4", np.arange(3) * 3000)
    with pytest.raises(InputError, match="capture-fps"):
        probe(clip, capture_fps=-5)


def test_prefetch_keeps_order_and_hands_errors_over():
    from dash40.video import Frame, prefetch

    def frames(n, fail_at=None):
        for i in range(n):
            if i == fail_at:
                raise VideoError("the decoder failed")
            yield Frame(i, i / 30, np.zeros((2, 2, 3), np.uint8))

    assert [f.index for f in prefetch(frames(20), depth=3)] == list(range(20))
    got = []
    with pytest.raises(VideoError, match="decoder failed"):
        for f in prefetch(frames(10, fail_at=5)):
            got.append(f.index)
    assert got == [0, 1, 2, 3, 4]
    # Stopping early does not hang.
    for f in prefetch(frames(1000), depth=2):
        if f.index == 3:
            break
