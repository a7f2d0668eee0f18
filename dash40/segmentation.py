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

from collections import deque
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .errors import VideoError
from .video import VideoInfo, iter_frames

WORK_WIDTH = 640  # width of the reduced picture used for detection and stabilisation
LATE_FRACTION = 0.35  # the background is learnt from this last part of the clip
IDENTITY = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
LOCAL_MIN_PIXELS = 200  # fewer still-scene pixels than this around a place: no local registration
LOCAL_PIXELS = 20000  # about as many pixels used for it at most (a sparser grid on a larger place)


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


class Registrar:
    """Registers frames to a reference picture (see ``register``); the reference's part of the
    work (gradients, Jacobian) is done once. ``keep`` (bool, the picture's shape): the pixels to
    register on, when only some show the still scene."""

    def __init__(self, ref_gray: np.ndarray, step: int = 3, margin: int = 24, keep: np.ndarray | None = None):
        self.ref = ref_gray
        h, w = ref_gray.shape
        self.shape = (h, w)
        gx, gy = image_gradients(ref_gray)
        m = min(margin, min(h, w) // 4)
        self.sub = (slice(m, h - m, step), slice(m, w - m, step))
        ys, xs = np.mgrid[self.sub]
        self.sel = np.ones(ys.size, bool) if keep is None else np.asarray(keep, bool)[self.sub].ravel()
        gxi, gyi = gx[self.sub].ravel()[self.sel], gy[self.sub].ravel()[self.sel]
        self.refi = ref_gray[self.sub].ravel()[self.sel]
        self.cx, self.cy = (w - 1) / 2.0, (h - 1) / 2.0
        xc, yc = (xs.ravel()[self.sel] - self.cx) / w, (ys.ravel()[self.sel] - self.cy) / w
        self.J = np.stack([gxi * xc, gxi * yc, gyi * xc, gyi * yc, gxi, gyi], axis=1)
        self.margin = m

    def __call__(self, cur_gray: np.ndarray, iterations: int = 4, start: np.ndarray | None = None
                 ) -> tuple[np.ndarray, float]:
        """(M, confidence): ``M`` (2×3) maps a reference pixel p to M·[p, 1] in ``cur``.

        ``start`` (the previous frame's warp) skips the phase correlation; if the refinement from
        it does not settle, the frame is registered from scratch.
        """
        if start is not None:
            M, ok = self._refine(cur_gray, start.copy(), iterations)
            if ok:
                return M, 1.0
        dx, dy, resp = shift_and_confidence(self.ref, cur_gray)
        M = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]])
        if max(abs(dx), abs(dy)) > self.margin - 2:
            return M, resp  # moved too far for the refinement's margin: keep the coarse estimate
        M, _ = self._refine(cur_gray, M, iterations)
        return M, resp

    def refine(self, cur_gray: np.ndarray, start: np.ndarray, iterations: int = 6) -> np.ndarray:
        """The warp from ``start`` by Gauss–Newton steps alone (no phase correlation: for a frame
        known to be a fraction of a pixel off, where the moving parts could pull a correlation)."""
        return self._refine(cur_gray, np.array(start, float), iterations)[0]

    def _refine(self, cur_gray: np.ndarray, M: np.ndarray, iterations: int) -> tuple[np.ndarray, bool]:
        h, w = self.shape
        settled = False
        for _ in range(iterations):
            aligned = cv2.warpAffine(cur_gray, M, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                     borderMode=cv2.BORDER_REPLICATE)
            r = aligned[self.sub].ravel()[self.sel] - self.refi
            # A picture the encoder froze can equal the reference in most pixels: the median
            # residual is then 0, and a scale of 0 would keep only the pixels that already fit.
            # A grey level is the least the scale can be.
            scale = max(1.4826 * float(np.median(np.abs(r[::7]))), 1.0)
            ok = np.abs(r) < 3.0 * scale
            Jo = self.J[ok]
            A = Jo.T @ Jo
            b = Jo.T @ r[ok]
            try:
                e = np.linalg.solve(A + 1e-9 * np.trace(A) * np.eye(6), b)
            except np.linalg.LinAlgError:
                break
            # e = (a, b, c, d, tx, ty) in centred, width-normalised coordinates: the picture is off
            # by [[a, b], [c, d]]·(p − c)/w + t; take it off M.
            D = np.array([[e[0], e[1]], [e[2], e[3]]]) / w
            t = np.array([e[4], e[5]]) - D @ np.array([self.cx, self.cy])
            if np.abs(t).max() > 3.0 or np.abs(D).max() > 0.02:
                break
            L = M[:, :2].copy()
            M[:, :2] = L @ (np.eye(2) - D)
            M[:, 2] = M[:, 2] - L @ t
            if np.abs(t).max() < 0.02 and np.abs(D).max() * w < 0.02:
                settled = True
                break
        return M, settled


def register(ref_gray: np.ndarray, cur_gray: np.ndarray, iterations: int = 4) -> tuple[np.ndarray, float]:
    """Where the reference's pixels are in this frame: an affine warp, to ~0.05 px.

    A hand-held phone drifts, turns a little about its axis and changes its zoom slightly, so the
    picture moves by a translation plus a small rotation and scale. Phase correlation finds the
    translation to about half a pixel whatever its size; Gauss–Newton steps on the grey levels
    (Lucas–Kanade for an affine warp, reference gradients) then refine all six parameters, using
    only pixels that fit (not the runner, not a bystander).

    Returns (M, confidence): ``M`` (2×3) maps a point p of ``ref`` to M·[p, 1] in ``cur``;
    confidence is the phase-correlation peak (below ~0.05 the estimate is not to be trusted).
    For many frames against one reference, build a ``Registrar`` once.
    """
    return Registrar(ref_gray)(cur_gray, iterations)


def scale_warp(M: np.ndarray, scale: float) -> np.ndarray:
    """The same warp in pixels of a picture ``1/scale`` times larger (work scale → full scale)."""
    out = M.copy()
    out[:, 2] = M[:, 2] / scale
    return out


def warp_to_reference(img: np.ndarray, M: np.ndarray, origin: tuple[int, int] = (0, 0),
                      size: tuple[int, int] | None = None, interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
    """The part of ``img`` that shows the reference's region starting at ``origin`` (x, y) with
    ``size`` (w, h), resampled onto the reference's pixel grid."""
    x0, y0 = origin
    w, h = size if size is not None else (img.shape[1], img.shape[0])
    Mo = M.copy()
    Mo[:, 2] = M[:, 2] + M[:, :2] @ np.array([x0, y0], float)
    return cv2.warpAffine(img, Mo, (w, h), flags=interpolation | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)


def translate(img: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """Move the picture by (dx, dy) pixels (sub-pixel, edges replicated)."""
    if abs(dx) < 1e-3 and abs(dy) < 1e-3:
        return img
    m = np.float32([[1, 0, dx], [0, 1, dy]])
    return cv2.warpAffine(img, m, (img.shape[1], img.shape[0]), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def local_warps(windows: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Each window's residual warp against the first ones', read on the ``keep`` pixels.

    ``windows`` N×H×W grey pictures of one place, each already registered to the first frame by
    its whole picture's warp; ``keep`` H×W bool, the pixels that show the still scene (not the
    athlete). A hand-held camera turns, and an affine warp of the whole picture found at the
    work scale leaves a few tenths of a pixel at any one place: here each window is registered
    again (``Registrar`` on the kept pixels, a sparser grid past LOCAL_PIXELS of them) to the
    first window, then to the median of the first five so aligned. Returns N×2×3 warps in ``Registrar``'s sense (window pixel = M·[p, 1]).
    """
    W = [np.asarray(w, np.float32) for w in windows]
    n = len(W)
    out = np.tile(IDENTITY, (n, 1, 1))
    if n == 0 or int(np.count_nonzero(keep)) < LOCAL_MIN_PIXELS:
        return out
    ref = W[0]
    step = max(1, int(np.sqrt(np.count_nonzero(keep) / LOCAL_PIXELS)))  # (every pixel up to that many)
    for rnd in range(2):
        reg = Registrar(ref, step=step, margin=2, keep=keep)
        for i in range(n):
            out[i] = reg.refine(W[i], out[i])
        if rnd == 0:
            ref = np.median(np.stack([warp_to_reference(W[i], out[i]) for i in range(min(5, n))]), axis=0)
            ref = ref.astype(np.float32)
    return out


def build_background(path, info: VideoInfo, *, max_samples: int = 15, progress=None) -> Background:
    """Median of frames spread over the clip, each aligned to the first frame.

    An athlete often holds the set position for most of a short clip, so the median is taken over
    frames of the last part of the clip (``LATE_FRACTION`` of its length), where the runner is
    moving or gone; the first frame is kept as the alignment reference.
    """
    scale = work_scale(info.width)
    # The key frames, kept as they come: the first, the last five, and those of the clip's late
    # part (by its announced length), thinned to every other one whenever they pass twice
    # max_samples. A clip whose every frame is a key frame (an all-intra export) held them all: a
    # minute of 4K, 90 GB.
    first, recent, late_kf = None, deque(maxlen=5), []
    hint = (1.0 - LATE_FRACTION) * info.duration_s
    for fr in iter_frames(path, info, keyframes_only=True):
        item = (fr.time_s, fr.image)
        if first is None:
            first = item
            continue
        recent.append(item)
        if fr.time_s >= hint:
            late_kf.append(item)
            if len(late_kf) > 2 * max_samples:
                late_kf = late_kf[::2]
    samples = ([first] if first is not None else []) + late_kf
    t_end = max(info.duration_s, recent[-1][0] if recent else (first[0] if first else 0.0))
    late_from = (1.0 - LATE_FRACTION) * t_end
    if sum(t >= late_from for t, _ in late_kf) < 5:
        # Too few key frames late in the clip: take evenly spaced frames from one decode.
        n = max(info.frames, 1)
        step = max(1, int(n * LATE_FRACTION) // max_samples)
        first_idx = int(n * (1.0 - LATE_FRACTION))
        samples = samples[:1] + [(fr.time_s, fr.image) for fr in
                                 iter_frames(path, info, want=lambda i: i >= first_idx and (i - first_idx) % step == 0)]
        recent = deque(samples[1:][-5:], maxlen=5)
    if not samples:
        raise VideoError(f"No frame of {Path(path).name!r} could be decoded to model the background: "
                         "the file is damaged, copy it from the phone again.")
    first = samples[0][1]
    late = [img for t, img in samples[1:] if t >= late_from]
    if len(late) < 5:
        late = [img for _, img in ([samples[0]] + list(recent))[-5:]]
    if len(late) > max_samples:
        idx = np.linspace(0, len(late) - 1, max_samples).round().astype(int)
        late = [late[i] for i in idx]
    samples = [first] + late
    ref = gray(reduce(samples[0], scale))
    aligned = []
    shifts = []
    registrar = Registrar(ref)
    corners = np.array([[0, 0, 1], [ref.shape[1], 0, 1], [0, ref.shape[0], 1], [ref.shape[1], ref.shape[0], 1]], float)
    for img in samples[1:]:
        M, resp = registrar(gray(reduce(img, scale)))
        if resp < 0.05:
            M = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
        shifts.append(float(np.max(np.abs(corners @ M.T - corners[:, :2]))))
        aligned.append(warp_to_reference(img, scale_warp(M, scale)))
    # A camera on a tripod: the frames' shifts are only the runner's pull on the correlation.
    static = float(np.percentile(shifts, 80)) < 0.5
    if static:
        aligned = samples[1:]
    full = _median_picture(aligned)
    work = reduce(full, scale)
    # Noise: distance of a sample (aligned) to the background, robustly.
    d = colour_distance(reduce(aligned[len(aligned) // 2], scale), work)
    noise = float(1.4826 * np.median(d)) + 0.5
    dfull = colour_distance(aligned[len(aligned) // 2], full)
    noise_full = float(1.4826 * np.median(dfull)) + 0.5
    return Background(full=full, work=work, work_gray=gray(work), scale=scale, noise=noise, noise_full=noise_full,
                      work_grad=gradient_magnitude(work), full_grad=gradient_magnitude(full), static=static)


def _median_picture(pictures: list[np.ndarray], band: int = 64) -> np.ndarray:
    """The pixel-wise median of equally sized uint8 pictures, a band of rows at a time: stacked
    whole (and the median taken in floats), 16 pictures of 4K took 1 GB more than they hold."""
    h = pictures[0].shape[0]
    out = np.empty_like(pictures[0])
    for r in range(0, h, band):
        out[r: r + band] = np.median(np.stack([p[r: r + band] for p in pictures]), axis=0)
    return out


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
