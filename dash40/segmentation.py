"""Background model, stabilisation and the runner's silhouette.

* The background is the per-pixel median of frames spread over the clip (key frames when the
  clip has enough of them, so building it costs a fraction of a decode), each aligned to the
  first frame. A runner who moves through the picture is absent from most of them.
* Stabilisation: each frame's translation against the background is measured by phase
  correlation on a reduced grey picture (sub-pixel), so hand-held drift does not look like motion.
* Exposure: a global gain (median ratio of frame to background) is divided out.
* Foreground: colour distance to the background above a threshold set from the picture's own
  noise (median absolute deviation).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .video import VideoInfo, iter_frames

WORK_WIDTH = 640  # width of the reduced picture used for detection and stabilisation
LATE_FRACTION = 0.35  # the background is learnt from this last part of the clip


@dataclass(frozen=True)
class Background:
    full: np.ndarray  # H×W×3 uint8, first-frame coordinates
    work: np.ndarray  # h×w×3 float32 reduced picture
    work_gray: np.ndarray  # h×w float32 (for phase correlation)
    scale: float  # work pixels per full pixel
    noise: float  # robust std of the colour distance of a still frame to the background (work scale)
    noise_full: float  # the same at full resolution
    work_grad: np.ndarray  # h×w float32 gradient magnitude of the background (work scale)
    full_grad: np.ndarray  # H×W float32, the same at full resolution
    static: bool  # the camera does not move (no stabilisation needed)


def work_scale(width: int) -> float:
    return min(1.0, WORK_WIDTH / float(width))


def reduce(img: np.ndarray, scale: float) -> np.ndarray:
    """The picture at work scale (same dtype)."""
    if scale >= 1.0:
        return img
    h, w = img.shape[:2]
    return cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


def gray(img: np.ndarray) -> np.ndarray:
    """Grey picture as float32 (what phase correlation needs)."""
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32)


_HANN_CACHE: dict[tuple[int, int], np.ndarray] = {}


def _hann(shape: tuple[int, int]) -> np.ndarray:
    win = _HANN_CACHE.get(shape)
    if win is None:
        win = cv2.createHanningWindow((shape[1], shape[0]), cv2.CV_32F)
        _HANN_CACHE[shape] = win
    return win


def shift_between(ref_gray: np.ndarray, cur_gray: np.ndarray) -> tuple[float, float]:
    """Translation (dx, dy) in pixels of ``cur`` relative to ``ref`` (sub-pixel phase correlation)."""
    dx, dy, _ = shift_and_confidence(ref_gray, cur_gray)
    return dx, dy


def shift_and_confidence(ref_gray: np.ndarray, cur_gray: np.ndarray) -> tuple[float, float, float]:
    """Phase-correlation shift and its peak response (0–1; below ~0.05 the peak is noise).

    OpenCV 5's ``phaseCorrelate`` multiplies its inputs by the window in place, so it is given
    copies: the caller's background must not fade a little at every frame.
    """
    (dx, dy), resp = cv2.phaseCorrelate(ref_gray.copy(), cur_gray.copy(), _hann(ref_gray.shape))
    return float(dx), float(dy), float(resp)


def image_gradients(gray_img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Central-difference gradients (d/dx, d/dy) of a float32 grey picture."""
    gx = cv2.Sobel(gray_img, cv2.CV_32F, 1, 0, ksize=1, scale=0.5)
    gy = cv2.Sobel(gray_img, cv2.CV_32F, 0, 1, ksize=1, scale=0.5)
    return gx, gy


def register(ref_gray: np.ndarray, cur_gray: np.ndarray, grads=None, iterations: int = 3) -> tuple[float, float, float]:
    """Translation of ``cur`` relative to ``ref`` to a few hundredths of a pixel.

    Phase correlation finds it to about half a pixel whatever its size; Gauss–Newton steps on the
    grey levels (Lucas–Kanade for a translation) then refine it, ignoring pixels that do not fit
    (the runner, a bystander). Returns (dx, dy, confidence of the phase-correlation peak).
    """
    dx, dy, resp = shift_and_confidence(ref_gray, cur_gray)
    gx, gy = grads if grads is not None else image_gradients(ref_gray)
    h, w = ref_gray.shape
    m = int(np.ceil(max(abs(dx), abs(dy)))) + 3
    if m * 2 >= min(h, w):
        return dx, dy, resp
    inner = (slice(m, h - m), slice(m, w - m))
    gxi, gyi, refi = gx[inner], gy[inner], ref_gray[inner]
    for _ in range(iterations):
        aligned = translate(cur_gray, -dx, -dy)[inner]
        r = aligned - refi
        scale = 1.4826 * float(np.median(np.abs(r[::4, ::4]))) + 1e-3
        ok = np.abs(r) < 3.0 * scale
        a11 = float(np.sum(gxi * gxi, where=ok))
        a12 = float(np.sum(gxi * gyi, where=ok))
        a22 = float(np.sum(gyi * gyi, where=ok))
        b1 = float(np.sum(gxi * r, where=ok))
        b2 = float(np.sum(gyi * r, where=ok))
        det = a11 * a22 - a12 * a12
        if det <= 1e-9 * max(a11 * a22, 1e-12):
            break
        ex = (a22 * b1 - a12 * b2) / det
        ey = (a11 * b2 - a12 * b1) / det
        if abs(ex) > 2.0 or abs(ey) > 2.0:
            break
        dx, dy = dx - ex, dy - ey
        if abs(ex) < 0.005 and abs(ey) < 0.005:
            break
    return float(dx), float(dy), resp


def translate(img: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """Move the picture by (dx, dy) pixels (sub-pixel, edges replicated)."""
    if abs(dx) < 1e-3 and abs(dy) < 1e-3:
        return img
    m = np.float32([[1, 0, dx], [0, 1, dy]])
    return cv2.warpAffine(img, m, (img.shape[1], img.shape[0]), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def build_background(path, info: VideoInfo, *, max_samples: int = 15, progress=None) -> Background:
    """Median of frames spread over the clip, each aligned to the first frame.

    An athlete often holds the set position for most of a short clip, so the median is taken over
    frames of the last part of the clip (``LATE_FRACTION`` of its length), where the runner is
    moving or gone; the first frame is kept as the alignment reference.
    """
    scale = work_scale(info.width)
    samples = [(fr.time_s, fr.image) for fr in iter_frames(path, info, keyframes_only=True)]
    t_end = max(info.duration_s, samples[-1][0] if samples else 0.0)
    late_from = (1.0 - LATE_FRACTION) * t_end
    if sum(t >= late_from for t, _ in samples) < 5:
        # Too few key frames late in the clip: take evenly spaced frames from one decode.
        n = max(info.frames, 1)
        step = max(1, int(n * LATE_FRACTION) // max_samples)
        first_idx = int(n * (1.0 - LATE_FRACTION))
        keep = samples[:1]
        samples = keep + [(fr.time_s, fr.image) for fr in
                          iter_frames(path, info, want=lambda i: i >= first_idx and (i - first_idx) % step == 0)]
    first = samples[0][1]
    late = [img for t, img in samples if t >= late_from]
    if len(late) < 5:
        late = [img for _, img in samples[-5:]]
    if len(late) > max_samples:
        idx = np.linspace(0, len(late) - 1, max_samples).round().astype(int)
        late = [late[i] for i in idx]
    samples = [first] + late
    ref = gray(reduce(samples[0], scale))
    aligned = []
    shifts = []
    grads = image_gradients(ref)
    for img in samples[1:]:
        dx, dy, resp = register(ref, gray(reduce(img, scale)), grads)
        if resp < 0.05:
            dx, dy = 0.0, 0.0
        shifts.append(np.hypot(dx, dy))
        aligned.append(translate(img, -dx / scale, -dy / scale))
    # A camera on a tripod: the frames' shifts are only the runner's pull on the correlation.
    static = float(np.percentile(shifts, 80)) < 0.5
    if static:
        aligned = samples[1:]
    full = np.median(np.stack(aligned), axis=0).astype(np.uint8)
    work = reduce(full, scale)
    # Noise: distance of a sample (aligned) to the background, robustly.
    d = colour_distance(reduce(aligned[len(aligned) // 2], scale), work)
    noise = float(1.4826 * np.median(d)) + 0.5
    dfull = colour_distance(aligned[len(aligned) // 2], full)
    noise_full = float(1.4826 * np.median(dfull)) + 0.5
    return Background(full=full, work=work, work_gray=gray(work), scale=scale, noise=noise, noise_full=noise_full,
                      work_grad=gradient_magnitude(work), full_grad=gradient_magnitude(full), static=static)


def gradient_magnitude(img: np.ndarray) -> np.ndarray:
    """Largest per-channel gradient magnitude (per pixel), float32: how much a sub-pixel
    misalignment can change the pixel."""
    f = img.astype(np.float32)
    gx = np.abs(cv2.Sobel(f, cv2.CV_32F, 1, 0, ksize=3)) / 8.0
    gy = np.abs(cv2.Sobel(f, cv2.CV_32F, 0, 1, ksize=3)) / 8.0
    g = cv2.max(gx, gy)
    if g.ndim == 3:
        c0, c1, c2 = cv2.split(g)
        g = cv2.max(cv2.max(c0, c1), c2)
    return cv2.dilate(g, np.ones((3, 3), np.uint8))


def shadow_mask(img: np.ndarray, bg: np.ndarray) -> np.ndarray:
    """Pixels that look like the background in shade: every channel darker by a similar ratio."""
    i = img.astype(np.float32)
    b = bg.astype(np.float32) + 1.0
    r = i / b
    c0, c1, c2 = cv2.split(r)
    lo = cv2.min(cv2.min(c0, c1), c2)
    hi = cv2.max(cv2.max(c0, c1), c2)
    return (lo > 0.3) & (hi < 0.92) & ((hi - lo) < 0.12)


def colour_distance(img: np.ndarray, bg: np.ndarray) -> np.ndarray:
    """Per-pixel max over channels of |img − bg| (same dtype as the inputs)."""
    d = cv2.absdiff(img, bg)
    c0, c1, c2 = cv2.split(d)
    return cv2.max(cv2.max(c0, c1), c2)


def exposure_gain(img_gray: np.ndarray, bg_gray: np.ndarray) -> float:
    """Global brightness ratio frame/background (robust to the runner, who covers little)."""
    sub = (slice(None, None, 5), slice(None, None, 5))
    a = img_gray[sub]
    b = bg_gray[sub]
    ok = b > 8
    if not np.any(ok):
        return 1.0
    g = float(np.median(a[ok] / b[ok]))
    return g if 0.5 < g < 2.0 else 1.0
