"""Small pieces of the tracker checked against what they stand in for."""

import warnings

import numpy as np

from dash40.tracking import _coded_repeats, _row_percentile, _trunk_front


def test_row_percentile_is_numpys_nanpercentile_along_rows():
    rng = np.random.default_rng(0)
    for _ in range(200):
        a = rng.normal(50.0, 20.0, (int(rng.integers(1, 30)), int(rng.integers(1, 12))))
        a[rng.random(a.shape) < 0.3] = np.nan  # whole rows missing too, now and then
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # numpy warns on an all-NaN row
            want = np.nanpercentile(a, 80, axis=1)
        got = _row_percentile(a, 80.0)
        np.testing.assert_allclose(got, want, equal_nan=True)


def _planted_trunk(ppm: float, edge: float, blur: float, contrast: float = 60.0, seed: int = 0):
    """A colour-distance crop holding an upright trunk whose front edge is at column ``edge``.

    Pixel j covers [j - 0.5, j + 0.5]; the edge is smeared over ``blur`` pixels (motion blur: the
    mean of the step over the exposure, centred on ``edge``). Sensor noise of 1.5 grey levels."""
    width, height = int(edge + 0.6 * ppm), int(1.2 * ppm)
    x = np.arange(width)[:, None] + (np.arange(200)[None, :] + 0.5) / 200 - 0.5  # 200 sub-columns
    if blur > 0:
        cover = np.clip((edge + blur / 2 - x) / blur, 0.0, 1.0).mean(axis=1)
    else:
        cover = (x < edge).mean(axis=1)
    back = edge - 0.35 * ppm  # the trunk's back edge (0.35 m deep), sharp
    cover = np.where(np.arange(width) >= np.floor(back), cover, 0.0)
    d = np.tile(contrast * cover, (height, 1))
    d[: int(0.1 * ppm)] = 0.0  # some air above the shoulders
    rng = np.random.default_rng(seed)
    return np.abs(d + rng.normal(0.0, 1.5, d.shape)).astype(np.float32)


def test_trunk_front_is_found_to_a_fifth_of_a_pixel_at_every_picture_scale():
    # 20-60 pixels per metre: a 40-yd field filmed in 720p from far away up to 1080p from close.
    # The limb-removing opening, and the pixels summed across the edge, scale with it; at 720p the
    # sum once missed one pixel and put every chest a pixel behind. Motion blur up to 0.16 m: a
    # runner at 9.5 m/s filmed at 30 fps with the shutter open half the frame.
    for ppm in (20.0, 29.0, 43.0, 60.0):
        for blur in (0.0, 0.08 * ppm, 0.16 * ppm):
            for edge in (60.3, 61.75):
                d = _planted_trunk(ppm, edge, blur)
                got = _trunk_front(d, noise=1.5, ppm=ppm, x0=0, y0=0, width=d.shape[1], direction=1)
                assert got is not None
                assert abs(got["front_u"] - edge) < 0.2, (ppm, blur, edge, got["front_u"])


def _cover(cols: np.ndarray, front: float) -> np.ndarray:
    """The part of each pixel column behind ``front`` (pixel j covers [j - 0.5, j + 0.5])."""
    return np.clip(front - (cols - 0.5), 0.0, 1.0)


def test_the_chest_is_measured_when_the_shirt_fades_into_the_background_at_the_waist():
    # Real hand-held clips (start_a1-a6): a white shirt against a white bench leaves a band at the
    # waist that hardly differs from the background, and the silhouette's opening (which removes
    # the limbs) splits it into the upper body and the bigger legs in dark tights. Taking the
    # biggest piece measured the front of the thigh as the chest on up to a third of a clip's
    # frames. Planted: a trunk 0.35 m deep over rows 0.1-0.7 m, then 6 cm of waist seen only at
    # its back (a strip 5 cm wide), legs 0.45 m wide below, their front 0.1 m behind the chest.
    ppm, edge = 60.0, 70.4
    rows = np.arange(int(2.0 * ppm))[:, None] / ppm
    cols = np.arange(int(edge + 0.4 * ppm))[None, :]
    back = edge - 0.35 * ppm
    trunk = ((rows >= 0.1) & (rows < 0.7) & (cols >= back)) * _cover(cols, edge)
    waist = ((rows >= 0.7) & (rows < 0.76) & (cols >= back)) * _cover(cols, back + 0.05 * ppm)
    legs = ((rows >= 0.76) & (rows < 1.9) & (cols >= edge - 0.55 * ppm)) * _cover(cols, edge - 0.1 * ppm)
    noise = np.abs(np.random.default_rng(3).normal(0.0, 1.5, trunk.shape))
    # With the strip the silhouette is one piece; without it, two (the waist not seen at all).
    for d in (60.0 * (trunk + waist + legs) + noise, 60.0 * (trunk + legs) + noise):
        got = _trunk_front(d.astype(np.float32), noise=1.5, ppm=ppm, x0=0, y0=0, width=d.shape[1], direction=1)
        assert got is not None
        assert abs(got["front_u"] - edge) < 0.3, got["front_u"]  # the thigh's front is 6 px behind
        assert 0.1 * ppm <= got["front_v"] < 0.7 * ppm
        assert got["bbox"][3] >= 1.89 * ppm - 1  # the feet are the legs'


def test_the_chest_is_followed_in_front_of_a_pole_on_a_hand_held_clip():
    # The real start_a6 (hand-held): a light pole stands behind the white shirt. Along the
    # background's strong edges the threshold is raised (a registration off by a fraction of a
    # pixel must not read them as the runner), the shirt over the pole falls under it, and the
    # silhouette's rows are cut there; the opening that removes the limbs then took the thin part
    # ahead of the pole away and the front stalled at the pole. Planted (60 px/m): a trunk 0.45 m
    # deep over rows 0.1-0.7 m, legs below, a pole 6 px wide whose near edge is 9 px behind the
    # chest's front (the shirt differs from it by 55 grey levels, the raised threshold there is
    # 12 + 60). Without the gap bridged the front is the pole's back edge, 10 px behind.
    ppm = 60.0
    rows = np.arange(int(2.0 * ppm))[:, None] / ppm
    cols = np.arange(100)[None, :]
    for edge in (70.3, 71.75):
        trunk = ((rows >= 0.1) & (rows < 0.7) & (cols >= edge - 0.45 * ppm)) * _cover(cols, edge)
        legs = ((rows >= 0.7) & (rows < 1.9) & (cols >= edge - 0.55 * ppm)) * _cover(cols, edge - 0.1 * ppm)
        d = 60.0 * (trunk + legs) + np.abs(np.random.default_rng(5).normal(0.0, 1.5, trunk.shape))
        pole = (cols >= int(edge) - 15) & (cols < int(edge) - 9)
        d = np.where(pole & (d > 30.0), 55.0, d)
        slack = np.broadcast_to(np.where(pole, 60.0, 0.0), d.shape)
        got = _trunk_front(d.astype(np.float32), noise=1.5, ppm=ppm, x0=0, y0=0, width=d.shape[1], direction=1,
                           slack=slack.astype(np.float32))
        assert got is not None
        assert abs(got["front_u"] - edge) < 0.3, (edge, got["front_u"])
        assert 0.1 * ppm <= got["front_v"] < 0.7 * ppm


def test_an_image_shown_again_is_told_from_a_runner_who_starts_or_leaves():
    """``_coded_repeats`` on planted frame-to-frame changes: still frames (sensor noise, a key
    picture's jump), a runner who starts to move and speeds up, each image shown two or three
    times while running, the runner leaving the picture. Exactly the copies made while running
    are found: not the first moving frames, not the key picture's neighbours, not the empty lane."""
    rng = np.random.default_rng(3)
    for shown in (2, 3):
        step, copy = [np.inf], [False]
        for i in range(1, 60):  # still: noise, and a key picture every 25 frames
            step.append(0.05 * (1 + 0.2 * rng.standard_normal()) + (1.5 if i % 25 == 0 else 0.0))
            copy.append(False)
        for k in range(40):  # running, speeding up from rest; each image shown `shown` times
            step.append(0.2 + 0.15 * k)
            copy.append(False)
            for _ in range(shown - 1):
                step.append(0.03 + 0.01 * rng.random())
                copy.append(True)
        for _ in range(30):  # the lane empty again
            step.append(0.04 * (1 + 0.2 * rng.standard_normal()))
            copy.append(False)
        got = _coded_repeats(np.array(step))
        copy = np.array(copy)
        assert not np.any(got & ~copy)  # nothing but a copy is ever taken for one
        # Every copy is found while running, but for the first and last images' (whose six frames
        # on one side hold a single new image: left in, as the run's first and last frames).
        middle = slice(60 + 2 * shown, 60 + 40 * shown - 2 * shown)
        np.testing.assert_array_equal(got[middle], copy[middle])
        assert copy[middle].sum() >= 35 * (shown - 1)
