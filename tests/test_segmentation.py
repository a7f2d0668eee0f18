"""Stabilisation and exposure: plant a shift and a gain, recover them; inputs are never modified.
The background model: bounded memory on a clip of key frames only."""

import cv2
import numpy as np
import pytest

from dash40.segmentation import (
    Registrar,
    exposure_gain,
    local_warps,
    register,
    shift_and_confidence,
    translate,
    warp_to_reference,
)

pytest_plugins = ["synth_fixtures"]


def _texture(h=180, w=320, seed=0):
    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(rng.random((h, w)).astype(np.float32) * 255, (0, 0), 2.0)


@pytest.mark.parametrize("dx, dy", [(0.0, 0.0), (3.4, -1.7), (-12.25, 6.5)])
def test_shift_recovered_to_a_few_hundredths_of_a_pixel_despite_a_runner(dx, dy):
    ref = _texture()
    cur = translate(ref, dx, dy)
    cur[60:140, 150:175] = 20.0  # something that moved: it must not pull the estimate
    M, resp = register(ref, cur)
    assert M[0, 2] == pytest.approx(dx, abs=0.05) and M[1, 2] == pytest.approx(dy, abs=0.05)
    np.testing.assert_allclose(M[:, :2], np.eye(2), atol=2e-4)
    assert resp > 0.3


def test_a_picture_mostly_equal_to_the_reference_is_not_held_at_the_last_warp():
    """A low bit rate encoder freezes a still background: a flat grass half of the picture then
    equals the reference to the grey level. Started from a warp a pixel off (the previous frame's),
    the registration must still come back to the identity (it used to keep the wrong warp for
    the rest of the clip: the median residual was 0, so only pixels that fit already were used)."""
    ref = np.full((180, 320), 90.0, np.float32)
    ref[:, ::20] = 140.0  # flat grass with thin field lines...
    ref[::20, :] = 140.0
    ref = np.round(cv2.GaussianBlur(ref, (0, 0), 0.7))
    ref[:54] = np.round(_texture(54, 320, seed=2))  # ...below textured stands
    cur = ref.copy()
    start = np.array([[1.0, 0.0, 0.9], [0.0, 1.0, -1.1]])
    M, _ = Registrar(ref)(cur, start=start)
    assert np.abs(M[:, 2]).max() < 0.05, M
    np.testing.assert_allclose(M[:, :2], np.eye(2), atol=2e-4)


def test_hand_held_rotation_and_zoom_recovered():
    """A phone turns a little about its axis and zooms: plant 0.6° and 0.4 %, get them back."""
    ref = _texture(360, 640, seed=4)
    a, k = np.radians(0.6), 1.004
    c, s = k * np.cos(a), k * np.sin(a)
    true = np.array([[c, -s, 5.3], [s, c, -2.1]])  # ref pixel p is at true·[p, 1] in cur
    cur = cv2.warpAffine(ref, true, (640, 360), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REPLICATE)
    M, _ = register(ref, cur)
    corners = np.array([[0, 0, 1], [639, 0, 1], [0, 359, 1], [639, 359, 1]], float)
    err = np.abs(corners @ M.T - corners @ true.T).max()
    assert err < 0.1, err
    back = warp_to_reference(cur, M)
    assert float(np.median(np.abs(back[20:-20, 20:-20] - ref[20:-20, 20:-20]))) < 1.0



def test_local_warps_take_off_what_a_hand_held_frame_is_still_off_around_the_athlete():
    """Windows cut around the set position from frames that the whole picture's warp left a few
    tenths of a pixel off (planted: shifts and a small turn), with the athlete inside moving:
    read on the ring of background around him, each window's warp comes back to 0.03 px, and
    the athlete's movement does not pull it."""
    scene = _texture(200, 240, seed=7)
    body = 0.5 * _texture(80, 80, seed=8)
    rng = np.random.default_rng(3)
    inner = (slice(60, 140), slice(70, 170))
    wins, true = [], []
    for i in range(12):
        a = np.radians(rng.uniform(-0.15, 0.15))
        c, s_ = np.cos(a), np.sin(a)
        T = np.array([[c, -s_, rng.uniform(-0.6, 0.6)], [s_, c, rng.uniform(-0.6, 0.6)]])
        if i == 0:
            T = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
        w = cv2.warpAffine(scene, T, (240, 200), flags=cv2.INTER_LINEAR,  # scene pixel p is at T·[p, 1]
                           borderMode=cv2.BORDER_REPLICATE)
        w[70 + i: 130 + i, 80 + 2 * i: 150 + 2 * i] = body[i: 60 + i, : 70]  # the athlete rises and goes
        wins.append(w)
        true.append(T)
    ring = np.ones((200, 240), bool)
    ring[inner] = False
    got = local_warps(np.stack(wins), ring)
    pts = np.array([[70, 60, 1], [170, 60, 1], [70, 140, 1], [170, 140, 1]], float)
    for M, T in zip(got, true, strict=True):
        assert np.abs(pts @ M.T - pts @ T.T).max() < 0.03, (M, T)
    # Without a ring (too few still pixels) nothing is moved.
    none = local_warps(np.stack(wins), np.zeros((200, 240), bool))
    np.testing.assert_array_equal(none, np.tile(np.eye(2, 3), (12, 1, 1)))

def test_inputs_are_not_modified():
    # OpenCV's phaseCorrelate windows its inputs in place; a background used for every frame
    # would fade away. The wrapper must protect it.
    ref = _texture()
    cur = translate(ref, 2.0, 1.0)
    ref0, cur0 = ref.copy(), cur.copy()
    for _ in range(3):
        shift_and_confidence(ref, cur)
    np.testing.assert_array_equal(ref, ref0)
    np.testing.assert_array_equal(cur, cur0)


def test_exposure_gain_recovered():
    bg = _texture() * 0.6 + 40
    assert exposure_gain(bg * 1.25, bg) == pytest.approx(1.25, rel=0.01)
    assert exposure_gain(bg, bg) == pytest.approx(1.0, abs=1e-6)


def test_a_clip_of_key_frames_only_keeps_a_bounded_number_of_frames_for_its_background(synth_clip, monkeypatch):
    """An all-intra export makes every frame a key frame; the background's key frames were all
    kept in memory (a minute of 4K: 90 GB). Now at most the first, the last five and twice
    ``max_samples`` of the late part are alive at once, and the background is still the median
    of the late part (within a grey level of it taken over every late frame)."""
    import weakref

    import dash40.segmentation as seg
    from dash40.video import probe

    clip, _ = synth_clip("tiny", keyframe_s=1 / 60, duration=3.0, seed=5)  # 180 key frames
    info = probe(clip)
    alive: list = []
    most = [0]
    real = seg.iter_frames

    def counted(*args, **kw):
        for fr in real(*args, **kw):
            alive.append(weakref.ref(fr.image))
            most[0] = max(most[0], sum(r() is not None for r in alive))
            yield fr

    monkeypatch.setattr(seg, "iter_frames", counted)
    bg = seg.build_background(clip, info, max_samples=15)
    assert len(alive) >= 150  # every frame came as a key frame
    assert most[0] <= 1 + 5 + 2 * 15 + 2
    late = [fr.image for fr in real(clip, info) if fr.time_s >= (1 - seg.LATE_FRACTION) * info.duration_s]
    ref = np.median(np.stack(late), axis=0)
    assert np.mean(np.abs(bg.full.astype(float) - ref)) < 1.0
