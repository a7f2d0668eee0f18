"""Stabilisation and exposure: plant a shift and a gain, recover them; inputs are never modified."""

import cv2
import numpy as np
import pytest

from dash40.segmentation import exposure_gain, register, shift_and_confidence, translate


def _texture(h=180, w=320, seed=0):
    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(rng.random((h, w)).astype(np.float32) * 255, (0, 0), 2.0)


@pytest.mark.parametrize("dx, dy", [(0.0, 0.0), (3.4, -1.7), (-12.25, 6.5)])
def test_shift_recovered_to_a_hundredth_of_a_pixel_despite_a_runner(dx, dy):
    ref = _texture()
    cur = translate(ref, dx, dy)
    cur[60:140, 150:175] = 20.0  # something that moved: it must not pull the estimate
    got_dx, got_dy, resp = register(ref, cur)
    assert got_dx == pytest.approx(dx, abs=0.02) and got_dy == pytest.approx(dy, abs=0.02)
    assert resp > 0.3


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
