"""Frame-by-frame measurement of the runner: a narrow ``RunnerTrack`` of arrays.

For every decoded frame the ``Measurer``:

1. measures the camera's drift against the background (phase correlation) and the exposure gain;
2. finds the runner at reduced scale: the largest moving silhouette whose feet are inside the
   lane (between the near and far ends of the timing lines), continuing the previous detection —
   so a coach or bystander elsewhere in the picture is ignored;
3. at full resolution around the runner, removes the thin parts of the silhouette (arms, legs,
   neck) with a morphological opening whose size follows the athlete's trunk thickness in pixels,
   keeps the trunk, and measures its front edge to a fraction of a pixel: along each row the
   edge is where the colour distance to the background falls to half of the trunk's (the
   coverage integral — exact for anti-aliased and motion-blurred edges);
4. records the silhouette's lowest points (feet) and a coarse grid of the frame's difference to
   the first frame (for the first-movement detector).

All positions are in first-frame pixel coordinates (drift removed).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np

from .calibration import LaneGeometry
from .segmentation import (
    IDENTITY,
    Background,
    Registrar,
    colour_distance,
    exposure_gain,
    gray,
    reduce,
    scale_warp,
    shadow_mask,
    warp_to_reference,
)

PIECES_GAP_M = 0.12  # silhouette pieces closer than this are one body when the trunk is looked for
TRUNK_SHARE = 0.4  # a trunk piece at least this part of the largest one's area, highest in the body
TRUNK_THICKNESS_M = 0.25  # chest depth of an athlete, used to size the limb-removing opening
EDGE_GAP_M = 0.12  # hand-held: a gap this wide in the silhouette's row, lost to the raised threshold, is bridged
BODY_HEIGHT_M = 1.9
NEW_RUNNER_MARGIN_M = 0.1  # a runner not yet followed has its lowest point at most this (as a height) beyond the lane ...
NEAR_SIDE_MARGIN_M = 0.5  # ... and at most this in front of it (on the camera's side) ...
LEG_WIDTH_M, LEGS_SEEN_PX = 0.12, 3.0  # ... when its legs are at least this many work pixels wide
CELL = 8  # work pixels per side of a motion cell
EDGE_RAMP_PX = 6  # the fewest pixels summed across the front edge
EDGE_RAMP_M = 0.17  # ...or the widest blur: 10 m/s over a half-frame exposure at 30 fps
REPEAT_REL = 0.25  # a frame changing less than this part of its neighbours' change repeats the image before
MOTION_LAG_S = 0.4  # the first-movement signal compares each frame with the one this long before


@dataclass(frozen=True)
class RunnerTrack:
    """Per-frame measurements (arrays of equal length, one entry per kept frame)."""

    index: np.ndarray  # frame index (decode order)
    time_s: np.ndarray  # real time
    found: np.ndarray  # runner found
    front_u: np.ndarray  # chest-front pixel column (first-frame coordinates), NaN if not found
    front_v: np.ndarray  # its row
    hip_u: np.ndarray
    hip_v: np.ndarray
    bbox: np.ndarray  # N×4 (x0, y0, x1, y1) whole silhouette, first-frame coordinates
    foot_u: np.ndarray  # lowest silhouette point
    foot_v: np.ndarray
    ground_segments: tuple  # per frame: tuple of (u0, u1, v) runs of the silhouette's lowest rows
    shift: np.ndarray  # N×2 camera drift (translation part of the warp), full pixels
    warps: np.ndarray  # N×2×3 affine warps: first-frame pixel p is at warps[i]·[p, 1] in frame i
    motion: np.ndarray  # N×cells float32 coarse difference to the first frame
    cells_shape: tuple[int, int]
    work_scale: float
    direction: int
    repeat: np.ndarray  # the frame repeats the previous image (not measured)

    def __len__(self) -> int:
        return len(self.index)


class LaneBand:
    """Image rows of the lane's near and far edges as functions of the column."""

    def __init__(self, geom: LaneGeometry, width: int, height: int):
        self.height = height
        if geom.homography is not None:
            xs = np.linspace(geom.knots_x[0] - 15.0, geom.knots_x[-1] + 15.0, 400)
            near = geom.ground_to_pixel(xs, 0.0)
            far = geom.ground_to_pixel(xs, 1.0)
            o_n = np.argsort(near[:, 0])
            o_f = np.argsort(far[:, 0])
            self._near = (near[o_n, 0], near[o_n, 1])
            self._far = (far[o_f, 0], far[o_f, 1])
        else:
            self._near = None
            self._far = None
        self.geom = geom
        # Pixels per metre along the lane, tabulated over the columns (looked up per blob).
        self._cols = np.linspace(-0.25 * width, 1.25 * width, 97)
        mpp = np.abs(geom.distance_at(self._cols + 0.5) - geom.distance_at(self._cols - 0.5))
        self._ppm = 1.0 / np.maximum(mpp, 1e-9)

    def rows(self, u: float) -> tuple[float, float]:
        """(far row, near row) of the lane at column u; the whole height for the short form."""
        if self._near is None:
            return 0.0, float(self.height)
        return float(np.interp(u, *self._far)), float(np.interp(u, *self._near))

    def px_per_m(self, u: float) -> float:
        return float(np.interp(u, self._cols, self._ppm))


class Measurer:
    """Streaming per-frame measurement (see module doc). Feed frames with ``add``."""

    def __init__(self, bg: Background, geom: LaneGeometry, width: int, height: int):
        self.bg = bg
        self.geom = geom
        self.band = LaneBand(geom, width, height)
        self.W, self.H = width, height
        self.direction = geom.direction
        self.s = bg.scale
        self.prev_box: tuple[float, float, float, float] | None = None
        self.prev_gray: np.ndarray | None = None
        self.history: deque = deque()
        h, w = bg.work.shape[:2]
        self.cells_shape = (h // CELL, w // CELL)
        self.rows: list[tuple] = []
        self.bg_full_f = bg.full.astype(np.float32)
        self.noise_full = max(bg.noise_full, 1.0)
        self.roi = self._lane_roi()
        rows_any = np.nonzero(self.roi.any(axis=1))[0]
        self.roi_rows = (int(rows_any[0]), int(rows_any[-1]) + 1) if len(rows_any) else (0, self.roi.shape[0])
        self.ref_slack: np.ndarray | None = None
        self.prev_aligned: np.ndarray | None = None
        self.prev_warp: np.ndarray | None = None
        self.registrar = None if bg.static else Registrar(bg.work_gray)

    def _lane_roi(self) -> np.ndarray:
        """Work-scale pixels where a runner in the lane can appear (feet in the lane, head above)."""
        h, w = self.bg.work.shape[:2]
        roi = np.zeros((h, w), bool)
        s = self.s
        for c in range(w):
            u = (c + 0.5) / s
            far_v, near_v = self.band.rows(u)
            ppm = self.band.px_per_m(u)
            top = int(max(0, np.floor((far_v - 2.4 * ppm) * s)))
            bot = int(min(h, np.ceil((near_v + 0.4 * ppm) * s)))
            roi[top:bot, c] = True
        return roi

    # ------------------------------------------------------------------------------------------
    def add(self, index: int, time_s: float, image: np.ndarray, work: np.ndarray | None = None) -> None:
        """Measure one frame (``work``: the picture already reduced to the work scale, if at hand)."""
        s = self.s
        work = reduce(image, s) if work is None else work
        g = gray(work)
        # A repeated frame (slow-motion exports show some images twice; a still scene after
        # compression looks the same): no pixel changes. Its image is timed at its first
        # appearance, so it is not measured.
        repeat = self.prev_gray is not None and cv2.norm(g, self.prev_gray, cv2.NORM_INF) <= 4.0
        # How much the lane's rows changed since the frame before (rms grey level): a repeat that
        # the encoder coded again is not bit-exact, but changes far less than its neighbours.
        r0, r1 = self.roi_rows
        step = (np.inf if self.prev_gray is None else
                cv2.norm(g[r0:r1], self.prev_gray[r0:r1], cv2.NORM_L2) / np.sqrt(g[r0:r1].size))
        self.prev_gray = g
        if self.bg.static:
            M = IDENTITY
        else:
            M, resp = self.registrar(g, start=self.prev_warp)
            if self.prev_warp is not None:
                jump = float(np.abs(M[:, 2] - self.prev_warp[:, 2]).max())
                # A phone drifts smoothly: a weak peak or a jump of many pixels in one frame is noise.
                if resp < 0.05 or jump > 3.0 + 0.02 * max(g.shape):
                    M = self.prev_warp
            elif resp < 0.05:
                M = IDENTITY
            self.prev_warp = M
        dx, dy = float(M[0, 2]), float(M[1, 2])
        gain = exposure_gain(g, self.bg.work_gray)
        aligned = work if self.bg.static else warp_to_reference(work, M)
        bg_work = self.bg.work if abs(gain - 1.0) < 0.01 else cv2.convertScaleAbs(self.bg.work, alpha=gain)
        # The change signal for the first movement compares this frame with the one MOTION_LAG
        # seconds earlier (the first frame until then): for a movement that started less than that
        # ago it is the change since the set position, and a slow drift or a camera that is not
        # perfectly registered (parallax) cannot build up over a whole clip.
        self.history.append((time_s, aligned, gain))
        while len(self.history) > 2 and self.history[1][0] <= time_s - MOTION_LAG_S:
            self.history.popleft()
        _, ref_img, ref_gain = self.history[0]
        if self.ref_slack is None and not self.bg.static:
            # Where the scene has edges, a residual misalignment of a fraction of a pixel changes
            # pixels by up to the gradient: discount that from the change signal.
            self.ref_slack = 0.8 * self.bg.work_grad
        ref = ref_img if gain == ref_gain else cv2.convertScaleAbs(ref_img, alpha=gain / ref_gain)
        diff_ref = colour_distance(aligned, ref).astype(np.float32)
        if self.ref_slack is not None:
            diff_ref = cv2.max(diff_ref - self.ref_slack, 0.0)
        ch, cw = self.cells_shape
        cells = cv2.resize(diff_ref[: ch * CELL, : cw * CELL], (cw, ch), interpolation=cv2.INTER_AREA).ravel()
        # Pixels that the drift brought in from outside the picture are not evidence of anything.
        h, w = aligned.shape[:2]
        bx, by = int(np.ceil(abs(dx))) + 2, int(np.ceil(abs(dy))) + 2
        valid = (slice(by, max(by, h - by)), slice(bx, max(bx, w - bx)))
        M_full = scale_warp(M, s)
        if repeat and self.rows:
            meas = None
        else:
            meas = self._measure(image, aligned, bg_work, valid, M_full, gain)
            self.prev_aligned = aligned
        self.rows.append((index, time_s, M_full, cells, meas, repeat, step))

    # ------------------------------------------------------------------------------------------
    def _find_runner(self, aligned: np.ndarray, bg_work: np.ndarray, valid):
        s = self.s
        # Only the rows where a runner in the lane can be (the lane ROI's band) are examined.
        r0, r1 = self.roi_rows
        band = slice(r0, r1)
        d = colour_distance(aligned[band], bg_work[band]).astype(np.float32)
        # The frame's own compression noise: the background is learnt from the clip's last part,
        # often one picture group whose frames code the sensor noise alike, and a frame of another
        # group differs from it everywhere (a 2-s clip in I and P pictures: by 5-25 levels, which
        # joined the runner to patches of a textured grandstand into one blob too wide to be a
        # runner: the clip could not be timed). Measured on the band itself (the runner is a small
        # part of it). A hand-held camera's textured regions are discounted by the slack below.
        frame_noise = float(1.4826 * np.median(d[::2, ::2])) + 0.5 if self.bg.static else 0.0
        thr = max(4.0 * max(self.bg.noise, frame_noise), 14.0)
        # A residual misalignment of about a pixel changes a pixel by up to its gradient.
        slack = 0.0 if self.bg.static else 0.8 * self.bg.work_grad[band]
        fg = (d > thr + slack) & self.roi[band] & ~shadow_mask(aligned[band], bg_work[band])
        mask = np.zeros(aligned.shape[:2], np.uint8)
        mask[band] = fg
        keep_valid = np.zeros_like(mask)
        keep_valid[valid] = 1
        mask &= keep_valid
        ppm_w = self.band.px_per_m(self.W / 2) * s
        k = max(1, int(round(0.12 * ppm_w)))
        closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
        n, labels, stats, cents = cv2.connectedComponentsWithStats(closed, connectivity=8)
        best = None
        best_score = -1.0
        for i in range(1, n):
            x, y, w, h, area = stats[i]
            ucen = (x + w / 2) / s
            ppm = self.band.px_per_m(ucen) * s
            if h < 0.5 * ppm or area < (0.3 * ppm) * (0.4 * ppm) or h > 4.0 * ppm or w > 5.0 * ppm:
                continue
            foot_v = (y + h) / s
            far_v, near_v = self.band.rows(ucen)
            # A runner's lowest point may be half a metre up (in flight, or its shins too thin and
            # blurred to survive at the work scale), which from a low camera is as high in the
            # picture as feet on the ground metres beyond the cones: a second sprinter in the next
            # lane, moving while the athlete was still in the set position, was taken for the
            # runner (and the rep for a flying one). Where the legs are wide enough to be seen,
            # that margin is only for the runner followed (a silhouette within 0.3 m of where it
            # was): any other has its lowest point on the lane, or at most 0.1 m beyond it. In front
            # of it half a metre stays allowed (someone there would hide the athlete, not pass
            # behind): with 0.1 m there too, a real athlete set with a hand just in front of the
            # near end of a reused calibration's lines was found only once running (a flying run).
            box = (x / s, y / s, (x + w) / s, (y + h) / s)
            on_lane = far_v - NEW_RUNNER_MARGIN_M * ppm / s <= foot_v <= near_v + NEAR_SIDE_MARGIN_M * ppm / s
            legs_seen = LEG_WIDTH_M * ppm >= LEGS_SEEN_PX
            if not on_lane:
                followed = self.prev_box is not None and _boxes_near(box, self.prev_box, 0.3 * ppm / s)
                if legs_seen and not followed:
                    continue
                if not (far_v - 0.5 * ppm / s <= foot_v <= near_v + 0.5 * ppm / s):
                    continue
            score = float(area)
            if legs_seen and not on_lane:
                score *= 0.25  # off the lane: the runner in flight, or someone beyond it passing by
            if self.prev_aligned is not None:
                # A runner moves between frames; a ghost of the background or a parked object does not.
                sl = (slice(y, y + h), slice(x, x + w))
                comp = labels[sl] == i
                moving = colour_distance(aligned[sl], self.prev_aligned[sl]) > thr
                frac = float(np.count_nonzero(moving & comp)) / max(1.0, float(area))
                score *= 0.15 + frac
            if self.prev_box is not None:
                score *= 4.0 if _boxes_near(box, self.prev_box, 1.5 * ppm / s) else 0.25
            if score > best_score:
                best_score = score
                best = (x, y, w, h)
        return best

    def _measure(self, image, aligned, bg_work, valid, M_full, gain):
        found = self._find_runner(aligned, bg_work, valid)
        if found is None:
            self.prev_box = None
            return None
        s = self.s
        x, y, w, h = found
        ucen = (x + w / 2) / s
        ppm = self.band.px_per_m(ucen)
        m = 0.15 * ppm + 2 / s
        x0 = max(0, int(np.floor(x / s - m)))
        y0 = max(0, int(np.floor(y / s - m)))
        x1 = min(self.W, int(np.ceil((x + w) / s + m)))
        y1 = min(self.H, int(np.ceil((y + h) / s + m)))
        if x1 - x0 < 4 or y1 - y0 < 4:
            return None
        self.prev_box = (x0, y0, x1, y1)
        cw, chh = x1 - x0, y1 - y0
        if self.bg.static:
            patch = image[y0:y1, x0:x1].astype(np.float32)
        else:
            patch = warp_to_reference(image, M_full, (x0, y0), (cw, chh)).astype(np.float32)
        bgp = self.bg_full_f[y0:y1, x0:x1] * gain
        d = colour_distance(patch, bgp)
        grad = self.bg.full_grad[y0:y1, x0:x1]
        if self.direction < 0:
            d = d[:, ::-1]
            grad = grad[:, ::-1]
        slack = 0.0 if self.bg.static else 0.8
        return _trunk_front(d, self.noise_full, ppm, x0, y0, cw, self.direction, grad * slack)

    # ------------------------------------------------------------------------------------------
    def track(self) -> RunnerTrack:
        n = len(self.rows)
        index = np.array([r[0] for r in self.rows], int)
        time_s = np.array([r[1] for r in self.rows], float)
        warps = np.array([r[2] for r in self.rows], float).reshape(n, 2, 3)
        shift = warps[:, :, 2].copy()
        motion = np.stack([r[3] for r in self.rows]) if n else np.zeros((0, 1), np.float32)
        nan = np.full(n, np.nan)
        front_u, front_v, hip_u, hip_v, foot_u, foot_v = (nan.copy() for _ in range(6))
        bbox = np.full((n, 4), np.nan)
        found = np.zeros(n, bool)
        repeat = np.array([r[5] for r in self.rows], bool) | _coded_repeats(np.array([r[6] for r in self.rows], float))
        segs = []
        for i, r in enumerate(self.rows):
            meas = None if repeat[i] else r[4]
            if meas is None:
                segs.append(())
                continue
            found[i] = meas["front_u"] is not None
            front_u[i] = meas["front_u"] if meas["front_u"] is not None else np.nan
            front_v[i] = meas["front_v"] if meas["front_v"] is not None else np.nan
            hip_u[i] = meas["hip_u"]
            hip_v[i] = meas["hip_v"]
            bbox[i] = meas["bbox"]
            foot_u[i], foot_v[i] = meas["foot"]
            segs.append(meas["ground"])
        return RunnerTrack(
            index=index, time_s=time_s, found=found, front_u=front_u, front_v=front_v, hip_u=hip_u, hip_v=hip_v, bbox=bbox,
            foot_u=foot_u, foot_v=foot_v, ground_segments=tuple(segs), shift=shift, warps=warps, motion=motion,
            cells_shape=self.cells_shape, work_scale=self.s, direction=self.direction, repeat=repeat,
        )


def _coded_repeats(step: np.ndarray) -> np.ndarray:
    """Frames that show the image before them again, though not bit-exact (a slow-motion export,
    or a 30-fps capture written at 60 fps, coded again by the encoder). ``step`` is how much the
    lane's rows changed since the frame before. A repeat changes by less than REPEAT_REL of what
    the frames around it change, on either side: the second-largest change among the six frames
    before it, and among the six after it (when each image is shown up to three times, either
    side holds two new images; a key picture's jump in the still frames is one). A runner who only
    starts to move, or leaves the picture, changes little on one side only. Measured again, a
    repeat would put the runner where it was a frame earlier, at a later time (on a 30-fps capture
    written at 60 fps, crossings came out late by up to a quarter of a capture frame)."""
    n = len(step)
    out = np.zeros(n, bool)
    for i in range(3, n - 2):
        before, after = np.sort(step[max(1, i - 6): i]), np.sort(step[i + 1: i + 7])
        out[i] = step[i] < REPEAT_REL * min(float(before[-2]), float(after[-2]))
    return out


def feet_on_ground(track: RunnerTrack, bins: int = 20, q: float = 100.0) -> tuple[np.ndarray, np.ndarray]:
    """Where the feet touch the ground along the run: for each stretch of columns the silhouette's
    lowest point reached there (the ``q``-th percentile of its rows). Returns (columns, rows)."""
    ok = np.isfinite(track.foot_u) & np.isfinite(track.foot_v)
    if ok.sum() < 5:
        return np.array([]), np.array([])
    u, v = track.foot_u[ok], track.foot_v[ok]
    which = np.digitize(u, np.linspace(u.min(), u.max() + 1e-6, bins + 1))
    cu, cv = [], []
    for b in np.unique(which):
        m = which == b
        if m.sum() >= 3:
            cu.append(float(np.median(u[m])))
            cv.append(float(np.percentile(v[m], q)))
    return np.asarray(cu), np.asarray(cv)


def _bridge_edges(mask: np.ndarray, d: np.ndarray, thr: float, slack: np.ndarray | float, ppm: float) -> np.ndarray:
    """``mask`` with the gaps that the raised threshold of a hand-held clip cut into its rows put back.

    On a hand-held clip the threshold is raised along the background's strong edges (``slack``:
    a registration off by a fraction of a pixel must not read them as the runner), and where the
    runner passes in front of such an edge he is lost there too: on the real start_a6 a light pole
    behind a white shirt cut the trunk's silhouette in two, the opening that removes the limbs took
    the thin part ahead of the pole away, and the chest's front stalled at the pole for 3 frames
    (706.5, 705.2, 702.2 px while the body moved ~15 px a frame), then jumped 44 px. A pixel
    that differs from the background by more than the plain threshold, on a row between two parts
    of the silhouette less than EDGE_GAP_M apart, is the runner's: with it the front follows the
    body through the pole (703.9, 689.2, 672.9 px). Edges read where the silhouette has no
    other part beyond them stay out. Only for the trunk: the silhouette itself (its box, where
    the first movement is read, and its feet) is left as it is.
    """
    if not np.any(slack):
        return mask
    k = max(3, int(round(EDGE_GAP_M * ppm)) | 1)
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    return mask | (closed & (d > thr).astype(np.uint8))


def _with_near_pieces(mask: np.ndarray, body: np.ndarray, ppm: float) -> np.ndarray:
    """``body`` and the pieces of ``mask`` that a closing of PIECES_GAP_M joins to it (uint8)."""
    k = max(1, int(round(PIECES_GAP_M * ppm)))
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    _, labels = cv2.connectedComponents(closed, connectivity=8)
    mine = np.bincount(labels[body]).argmax()
    return (((labels == mine) & (mask > 0)) | body).astype(np.uint8)


def _upper_component(mask: np.ndarray) -> np.ndarray | None:
    """Of the components at least TRUNK_SHARE of the largest one's area, the highest (centroid)."""
    n, labels, stats, cents = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return None
    areas = stats[1:, cv2.CC_STAT_AREA]
    big = 1 + np.nonzero(areas >= TRUNK_SHARE * areas.max())[0]
    return labels == int(big[np.argmin(cents[big, 1])])


def _largest_component(mask: np.ndarray) -> np.ndarray | None:
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return None
    i = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return labels == i


def _trunk_front(d: np.ndarray, noise: float, ppm: float, x0: int, y0: int, width: int, direction: int,
                 slack: np.ndarray | float = 0.0):
    """Measure the trunk's front edge in a crop (already flipped so the run goes to +u).

    ``d`` is the colour distance to the background; returns a dict in first-frame coordinates.
    """
    thr = max(3.5 * noise, 12.0)
    mask = (d > thr + slack).astype(np.uint8)
    body = _largest_component(mask)
    if body is None:
        return None
    ys, xs = np.nonzero(body)
    bx0, bx1, by0, by1 = xs.min(), xs.max(), ys.min(), ys.max()

    # Lowest points (feet).
    low_v = by1
    foot_idx = ys >= low_v - max(1, int(round(0.03 * ppm)))
    foot_u_c = float(np.mean(xs[foot_idx]))
    ground = _ground_runs(_solid_bottom(d, body, thr, ppm), max(1, int(round(0.12 * ppm))))

    kd = int(round(0.7 * TRUNK_THICKNESS_M * ppm))
    if kd >= 3:
        # The trunk is looked for in the silhouette with its pieces less than a hand apart put
        # together: a white shirt against a white bench leaves the waist unseen, and the upper body
        # falls apart from the legs (the silhouette itself, for the feet and the box, is left as it is).
        opened = cv2.morphologyEx(_with_near_pieces(_bridge_edges(mask, d, thr, slack, ppm), body, ppm), cv2.MORPH_OPEN,
                                  cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kd, kd)))
        trunk = _upper_component(opened)
    else:
        trunk = body
    if trunk is None:
        trunk = body
    tys, txs = np.nonzero(trunk)
    ty0, ty1 = tys.min(), tys.max()
    rows = np.arange(ty0, ty0 + max(1, int(round(0.45 * (ty1 - ty0 + 1)))))
    ramp = max(EDGE_RAMP_PX, int(np.ceil(EDGE_RAMP_M * ppm)))
    fr = _row_fronts(d, trunk, rows, max(3, kd), thr, noise, ramp)
    if fr is None:
        return None
    keep = _trunk_edge_rows(fr[:, 0], fr[:, 1], tol=max(1.0, 0.03 * ppm))
    fr = fr[keep]
    u_rows = fr[:, 1]
    if len(u_rows) >= 3:
        u_s = np.convolve(u_rows, np.ones(3) / 3, mode="same")
        u_s[0], u_s[-1] = u_rows[0], u_rows[-1]
    else:
        u_s = u_rows
    k = int(np.argmax(u_s))
    front_c = float(u_s[k])
    front_r = float(fr[k, 0])
    # Hip: middle of the trunk in its lowest fifth.
    low = tys >= ty1 - max(1, int(round(0.2 * (ty1 - ty0 + 1))))
    hip_c = 0.5 * (txs[low].min() + txs[low].max())
    hip_r = float(np.mean(tys[low]))

    def to_u(c: float) -> float:
        return x0 + c if direction > 0 else x0 + (width - 1 - c)

    ground_ff = tuple((min(to_u(g0), to_u(g1)), max(to_u(g0), to_u(g1)), y0 + gv) for g0, g1, gv in ground)
    bb_u = sorted((to_u(bx0), to_u(bx1)))
    return {
        "front_u": to_u(front_c),
        "front_v": y0 + front_r,
        "hip_u": to_u(hip_c),
        "hip_v": y0 + hip_r,
        "bbox": (bb_u[0], y0 + by0, bb_u[1], y0 + by1),
        "foot": (to_u(foot_u_c), y0 + low_v),
        "ground": ground_ff,
    }


def _row_fronts(d: np.ndarray, trunk: np.ndarray, rows: np.ndarray, win: int, thr: float, noise: float,
                ramp: int = EDGE_RAMP_PX):
    """Sub-pixel front edge on each row: (row, edge) pairs, or None.

    Along a row the trunk's colour distance to the background is C inside and falls to 0 outside;
    a pixel the edge crosses (anti-aliasing, motion blur) has a fraction of C. Summing the
    fractions from the pixels inside to the end of this run of foreground gives the edge's
    position exactly for any blur profile (the coverage integral). The sum starts ``ramp`` pixels
    inside the last trunk pixel (the widest motion blur at this scale), the pixels behind counted
    as covered: summed over the whole trunk, every pixel whose contrast differs from C (the
    background behind it changes) added its error, and the front (the maximum over rows) came out
    ~1 px ahead. C is the row's 80th percentile over the ``max(win, ramp)`` pixels inside. (The
    window was once ``win`` pixels, the limb-removing opening's size: at 720p that is 5, one
    short of the sum, and every chest read a pixel behind.)
    """
    sub = trunk[rows]
    has = sub.any(axis=1)
    if not has.any():
        return None
    rows = rows[has]
    sub = sub[has]
    w = d.shape[1]
    ur = w - 1 - np.argmax(sub[:, ::-1], axis=1)  # last trunk pixel on each row
    offs = np.arange(-max(win, ramp), 6)
    cols = ur[:, None] + offs[None, :]
    valid = (cols >= 0) & (cols < w)
    vals = np.where(valid, d[rows[:, None], np.clip(cols, 0, w - 1)], 0.0)
    inner = np.where(offs[None, :] <= 0, vals, np.nan)
    inner[~valid] = np.nan
    c = _row_percentile(inner, 80.0)
    # Stop at the end of this run of foreground (not into an arm ahead of the trunk).
    ahead = offs[None, :] > 0
    gap = ahead & (vals <= thr)
    first_gap = np.where(gap.any(axis=1), np.argmax(gap, axis=1), len(offs))
    # Up to the end of the run, not the pixel past it: compression rings around a moving edge,
    # so a background pixel just past the run looks partly covered (on the benchmark, including
    # it put the chest ~1 cm ahead at 720p).
    upto = np.minimum(first_gap, len(offs))
    use = valid & (np.arange(len(offs))[None, :] < upto[:, None])
    alpha = np.clip((vals - noise) / np.maximum(c - noise, 1e-6)[:, None], 0.0, 1.0)
    start = np.maximum(ur - ramp, 0)
    edge = start - 0.5 + np.sum(np.where(use & (cols >= start[:, None]), alpha, 0.0), axis=1)
    edge = np.where(c > thr, edge, ur + 0.5)
    return np.stack([rows.astype(float), edge], axis=1)


def _row_percentile(a: np.ndarray, q: float) -> np.ndarray:
    """``np.nanpercentile(a, q, axis=1)`` (linear interpolation) without its per-row Python loop."""
    srt = np.sort(np.where(np.isnan(a), np.inf, a), axis=1)  # the missing values last
    srt[~np.isfinite(srt)] = 0.0  # never read where a row has values (only its first k are)
    k = np.sum(~np.isnan(a), axis=1)
    pos = (q / 100.0) * np.maximum(k - 1, 0)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, np.maximum(k - 1, 0))
    rows = np.arange(a.shape[0])
    v_lo, v_hi = srt[rows, lo], srt[rows, hi]
    out = v_lo + (pos - lo) * np.where(hi > lo, v_hi - v_lo, 0.0)
    return np.where(k > 0, out, np.nan)


def _trunk_edge_rows(rows: np.ndarray, fronts: np.ndarray, tol: float) -> np.ndarray:
    """Rows whose front lies on the trunk's straight front edge, not on an arm or the head ahead of it.

    The trunk's front is a straight line across its rows (vertical when upright, slanted when
    leaning); an arm swung forward or the head sticks out ahead of it on a minority of rows. A
    least-median-of-squares line (every pair of rows tried) finds the edge; rows more than ``tol``
    pixels ahead of it are dropped. Rows behind it (the rounded shoulder) are kept.
    """
    n = len(rows)
    if n < 4:
        return np.ones(n, bool)
    i, j = np.triu_indices(n, 1)
    dr = rows[j] - rows[i]
    ok = dr != 0
    i, j = i[ok], j[ok]
    slope = (fronts[j] - fronts[i]) / (rows[j] - rows[i])
    # A trunk leans forward (its top ahead of its bottom: the front moves back down the rows) by
    # at most ~55°; a front that moves forward down the rows is a raised thigh, not the trunk.
    plausible = (slope >= -1.5) & (slope <= 0.15)
    if not plausible.any():
        return np.ones(n, bool)
    i, j, slope = i[plausible], j[plausible], slope[plausible]
    icpt = fronts[i] - slope * rows[i]
    res = fronts[None, :] - (slope[:, None] * rows[None, :] + icpt[:, None])
    best = int(np.argmin(np.median(res**2, axis=1)))
    resid = res[best]
    keep = resid <= tol
    if keep.sum() < 3:
        return np.ones(n, bool)
    return keep


def _boxes_near(a: tuple, b: tuple, margin: float) -> bool:
    """Two (x0, y0, x1, y1) boxes overlap once ``b`` is grown by ``margin`` on every side."""
    return not (a[2] < b[0] - margin or a[0] > b[2] + margin or a[3] < b[1] - margin or a[1] > b[3] + margin)


def _solid_bottom(d: np.ndarray, body: np.ndarray, thr: float, ppm: float) -> np.ndarray:
    """The silhouette without the faint fringe under the feet, for finding where they touch down.

    A shoe against the ground differs from it by far more than the detection threshold; the
    pixels just under a moving foot that pass the threshold are compression smear (the encoder
    codes a moving edge's block coarsely) or a sliver of coverage. Counting them held a lifting
    toe on the ground for frames (toe-off 2-3 frames late at 120 fps on the benchmark). A pixel of
    the feet's region counts when it differs by at least half the feet's own contrast (the 90th
    percentile of the silhouette's lowest rows): the row where the sole covers half a pixel. The
    silhouette is left as it is when the feet hardly stand out from the ground.
    """
    rows = np.nonzero(body.any(axis=1))[0]
    if len(rows) == 0:
        return body
    low = np.zeros_like(body)
    low[max(0, rows[-1] - max(2, int(round(0.3 * ppm)))):] = True
    sel = body & low
    if not sel.any():
        return body
    level = 0.5 * float(np.percentile(d[sel], 90))
    if level <= thr:
        return body
    solid = body & (~low | (d > level))
    return solid if solid[low].any() else body


def _ground_runs(body: np.ndarray, tol: int) -> tuple:
    """Runs of columns whose lowest silhouette pixel is within ``tol`` rows of the lowest point."""
    has = body.any(axis=0)
    if not has.any():
        return ()
    h = body.shape[0]
    lowest = np.where(has, h - 1 - np.argmax(body[::-1], axis=0), -1)
    vmax = lowest.max()
    near = lowest >= vmax - tol
    runs = []
    j = 0
    n = len(near)
    while j < n:
        if near[j]:
            k = j
            while k + 1 < n and near[k + 1]:
                k += 1
            runs.append((float(j), float(k), float(lowest[j:k + 1].max())))
            j = k + 1
        else:
            j += 1
    return tuple(runs[:4])
