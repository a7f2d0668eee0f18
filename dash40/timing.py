"""First movement and line crossings, to a fraction of a frame, from a ``RunnerTrack``.

First movement. An athlete leaves the set position from rest: every point of the body starts
with zero speed and a finite acceleration, so its displacement grows as (t − t0)² and a
threshold detector fires several frames late. Once the run is found on the lane trace (the
athlete stays 25 cm past the set position), the frames of the second before it are read again
at full resolution, cut to the set-position region and aligned to the first frame. Each one's
difference D(t) to the set position (the median of the still frames just before the motion) is
projected on the difference of an early moving frame: for small displacements the picture's
change is the displacement times a fixed pattern, so this projection is proportional to the
displacement, with the noise of the whole region averaged out. Then
p(t) = b + a·max(0, t − t0)² is fitted to the frames from before the motion to a few frames
into it; t0 is the extrapolated onset.

Three things a compressed clip does are handled on the way. An image shown twice (slow-motion
exports, a frame rate doubled by the phone) is timed at its first appearance. The still frames
of reference are taken after the last key (I) picture before the motion. A B picture is
predicted from a later picture too, so between the last still and the first moving I or P
picture its content is a blend of both and shows motion before it happened: such pictures are
left out of the fit, unless the frames are far apart in time (25-30 fps), where the encoder codes
the movement each one holds. If the clip cannot be read again the older signal is used: a coarse grid of
each frame's change against the frame 0.4 s before, fitted the same way with a free power.

Crossings. The reference point's lane distance x(t) (chest front by default) is measured on
every frame; near each line a weighted quadratic in time is fitted to the samples within about
±0.12 s and solved for x(t) = line. Uncertainties come from the fit's covariance with a floor for
what a fit cannot see (the definition of the chest on a silhouette, about 1.5 cm).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.optimize import least_squares

from .calibration import LaneGeometry
from .tracking import CELL, RunnerTrack

ONSET_WINDOW_S = 1.0  # the frames read again before the run, for the first movement
RUN_CONFIRM_S = 1.0  # a run reaches a metre past the set position within this
NOISY_STILL_GREY = 1.0  # still frames differing by more than this (rms grey level) come from a noisy camera
ONSET_SYSTEMATIC_FRAMES = 0.25  # 1-sigma of the onset fit beyond its own statistics (frames) ...
ONSET_SIZE_S_PX = 0.15  # ... and (seconds) this over the athlete's height in pixels in the set position
ONSET_HIDDEN_SD = 4.0  # ... and the time the movement takes to clear this many sd of the still frames' values
ONSET_WANDER_S = 0.2  # ... measured over this long before the rise when the key picture leaves few frames
ONSET_MAX_SIGMA_S = 0.1  # the onset's 1-sigma is capped at this or 3 frame periods, whichever is longer
ONSET_BACK_STEP_S = 0.0125  # a fit cut short by a late rise is made again from a rise this much earlier ...
ONSET_BACK_MAX_S = 0.25  # ... up to this much earlier
ONSET_IPPP_TOE = 0.2  # without B pictures, the fit leaves out moving frames below this part of the change
ONSET_CODED_MIN = 0.2  # without B pictures, a P picture coding at least this part of the pattern is read on its coded part ...
ONSET_SKIP_STILL = 0.1  # ... when the still P pictures before the rise code at most this part of it (the encoder skips still blocks)
ONSET_DEAD_ZONE_S = 0.03  # a movement can stay under the encoder's dead zone (coded as nothing) this long
ONSET_B_CODED_S = 0.025  # B pictures at least this far apart (≤ 40 fps) code the first movement, not a blend ...
ONSET_B_BLEND = 0.5  # ... unless the first reads this much of the straight line between its anchors
START_LEAD_S = 0.1  # a first movement found closer than this to the clip's first frame may be before the clip
MOVING_GREY = 15.0  # ... as one whose frames before it change by more than this (RMS grey levels) from one to the next
ONSET_FIT_S = 0.04  # how far into the motion the onset fit reaches (edges moved < ~1 px: change ∝ displacement)
CROSS_BEFORE_START_S = 0.15  # a line crossing is looked for from this long before the first movement
CHEST_DEFINITION_M = 0.015  # 1-sigma systematic uncertainty of the chest front on a silhouette
# 1-sigma of how far the encoder moves a moving edge, the same over neighbouring frames: the chest
# front of the benchmark clips reads -0.3 px (lossless, or crf 12) to +0.65 px (crf 21) from the truth.
EDGE_SYSTEMATIC_PX = 0.5
TRUNK_HALF_DEPTH_M = 0.12  # half the chest's front-to-back depth of an athlete (~0.24 m)
TRUNK_HALF_WIDTH_M = 0.17  # half the chest's width across the body (~0.34 m, shoulders excluded)


@dataclass(frozen=True)
class Onset:
    time_s: float | None
    uncertainty_s: float | None
    method: str
    frame: int | None
    flying: bool
    athlete_px: float | None = None  # the athlete's height in the set position (pixels)


def lane_positions(track: RunnerTrack, geom: LaneGeometry, reference: str = "torso",
                   path_sd: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Lane distance (m) of the reference point per frame, and a 1-sigma uncertainty (m).

    The uncertainty has a per-frame part (0.4 px of edge position and 1 cm) and the part that
    comes from not knowing exactly where across the lane the athlete runs (``path_sd``, in lane
    widths), which is the same for neighbouring frames and grows toward the picture's edges.
    """
    u, v = (track.front_u, track.front_v) if reference == "torso" else (track.hip_u, track.hip_v)
    x = np.full(len(track), np.nan)
    ok = np.isfinite(u) & np.isfinite(v)
    mpp = np.full(len(track), np.nan)
    if np.any(ok):
        x[ok] = geom.distance_at(u[ok], v[ok])
        mpp[ok] = _metres_per_pixel(geom, u[ok], v[ok])
        if reference == "torso":
            x[ok] -= oblique_lead(geom.view_angle_signed(x[ok]))
    sigma = np.sqrt((0.4 * mpp) ** 2 + (0.01) ** 2)
    return x, sigma


def _metres_per_pixel(geom: LaneGeometry, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Lane distance spanned by one pixel column at each (u, v), on the runner's path."""
    return np.abs(geom.distance_at(u + 0.5, v) - geom.distance_at(u - 0.5, v))


def oblique_lead(theta: np.ndarray) -> np.ndarray:
    """How far ahead of the chest's true front the silhouette's front edge at chest height meets
    the runner's plane, seen at a signed angle ``theta`` (rad) from the lane's perpendicular.

    The chest is taken as an upright elliptical section, half-depth a along the run and
    half-width b across it. Its front edge in the picture is the camera's tangent to that ellipse,
    which meets the runner's plane √(a² + b²·tan²θ) − a ahead of the front (zero square-on; 1.5 cm
    at 20°, 5 cm at 35°, 12 cm at 50°). Symmetric: before or past the camera alike.
    """
    t = np.tan(np.asarray(theta, float))
    a, b = TRUNK_HALF_DEPTH_M, TRUNK_HALF_WIDTH_M
    return np.sqrt(a * a + (b * t) ** 2) - a


def path_sigma(track: RunnerTrack, geom: LaneGeometry, reference: str, path_sd: float) -> np.ndarray:
    """Per-frame 1-sigma of the lane distance that neighbouring frames share (metres): not knowing
    exactly where across the lane the athlete runs (``path_sd`` lane widths; it grows toward the
    picture's edges), and how the encoder moves a moving edge (``EDGE_SYSTEMATIC_PX``)."""
    u, v = (track.front_u, track.front_v) if reference == "torso" else (track.hip_u, track.hip_v)
    out = np.zeros(len(track))
    ok = np.isfinite(u) & np.isfinite(v)
    if not np.any(ok):
        return out
    out[ok] = EDGE_SYSTEMATIC_PX * _metres_per_pixel(geom, u[ok], v[ok])
    if path_sd > 0 and geom.homography is not None:
        x_hi = geom.with_path(geom.s_path + path_sd).distance_at(u[ok], v[ok])
        x_lo = geom.with_path(geom.s_path - path_sd).distance_at(u[ok], v[ok])
        out[ok] = np.hypot(out[ok], 0.5 * np.abs(x_hi - x_lo))
    return out


def _clean(t: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Mask of samples consistent with their neighbours (drops single-frame outliers)."""
    ok = np.isfinite(x)
    idx = np.nonzero(ok)[0]
    keep = ok.copy()
    if len(idx) < 5:
        return keep
    xs = x[idx]
    med = np.array([np.median(xs[max(0, i - 2): i + 3]) for i in range(len(xs))])
    dev = np.abs(xs - med)
    scale = 1.4826 * np.median(dev) + 1e-3
    bad = dev > 8 * scale + 0.15
    # A run of a few bad frames (a bystander passing behind the runner joins the silhouette for
    # ~0.1 s) survives a 5-sample median; against a robust line through ±0.15 s (Theil–Sen: the
    # median of pairwise slopes, then the median intercept) it stands out.
    tt = t[idx]
    lo = np.searchsorted(tt, tt - 0.15)
    hi = np.searchsorted(tt, tt + 0.15, side="right")
    wide = med.copy()
    for k, (a, b) in enumerate(zip(lo, hi, strict=True)):
        if b - a >= 7:
            tw, xw = tt[a:b], xs[a:b]
            dt = tw[:, None] - tw[None, :]
            pair = dt > 0
            slope = float(np.median(((xw[:, None] - xw[None, :])[pair]) / dt[pair]))
            wide[k] = float(np.median(xw - slope * (tw - tt[k])))
    dev_w = np.abs(xs - wide)
    bad |= dev_w > 8 * (1.4826 * np.median(dev_w) + 1e-3) + 0.08
    # A detection with no other within 0.3 s is a stray (a shadow, a passer-by), not the runner.
    gap_before = np.diff(tt, prepend=-np.inf)
    gap_after = np.diff(tt, append=np.inf)
    bad |= np.minimum(gap_before, gap_after) > 0.3
    keep[idx[bad]] = False
    return keep


def detect_flying(t: np.ndarray, x: np.ndarray) -> bool:
    """True when the athlete is already running at the start of the track (> 2 m/s)."""
    ok = np.isfinite(x)
    if ok.sum() < 4:
        return False
    tt, xx = t[ok], x[ok]
    first = tt <= tt[0] + 0.25
    if first.sum() < 3:
        first = np.arange(len(tt)) < 4
    v = np.polyfit(tt[first], xx[first], 1)[0]
    return bool(v > 2.0)


PatchReader = Callable[[np.ndarray, tuple[int, int, int, int]], tuple[np.ndarray, list[str]]]


def detect_start(track: RunnerTrack, x: np.ndarray, frame_period: float,
                 read_patches: PatchReader | None = None) -> Onset:
    """First movement from the lane trace ``x`` and the picture of the set position.

    ``read_patches(rows, box)`` gives the track rows' frames cut to ``box`` (x0, y0, x1, y1 in
    first-frame pixels) and aligned to the first frame, as a grey float array, with each
    frame's picture type ("I", "P", "B" or "?").
    """
    t = track.time_s
    keep = _clean(t, x)
    if detect_flying(t, np.where(keep, x, np.nan)):
        return Onset(None, None, "flying", None, True)
    ok = np.nonzero(keep)[0]
    x_set = float(np.median(x[ok[: max(3, min(len(ok), 9))]]))
    # The run: the first frame from which the athlete stays more than 25 cm past the set
    # position for the next 0.3 s (a stray detection ahead of the athlete is not a start).
    t_ok, x_ok = t[ok], x[ok]
    i_big = None
    j_from = 0
    while i_big is None:
        away = x_ok > x_set + 0.25
        hit = None
        for j in np.nonzero(away)[0]:
            if j < j_from:
                continue
            window = (t_ok >= t_ok[j]) & (t_ok <= t_ok[j] + 0.3)
            span = t_ok[window].max() - t_ok[j]
            at_end = t_ok[-1] < t_ok[j] + 0.3  # the clip ends within the window
            if window.sum() >= 3 and (span >= 0.2 or at_end) and away[window].all():
                hit, held = j, window
                break
        if hit is None:
            raise _NoStart()
        # A run goes on: a metre past the set position within the next second. Getting from "on
        # your marks" into "set" moves the shoulders forward a few tenths of a metre, and they stop
        # there (on a real clip that was taken for the start, 2 s early): the athlete's new place
        # is the set position, and the run is looked for from there.
        later = (t_ok > t_ok[hit]) & (t_ok <= t_ok[hit] + RUN_CONFIRM_S)
        if t_ok[-1] < t_ok[hit] + RUN_CONFIRM_S or np.any(x_ok[later] > x_set + 1.0):
            i_big = int(ok[hit])
        else:
            x_set = float(np.median(x_ok[held]))
            j_from = int(np.nonzero(held)[0][-1]) + 1
    # Region of the set position: where the athlete is just before the run.
    before = ok[(ok < i_big) & (np.abs(x[ok] - x_set) < 0.25)]
    first_found = before[-9:] if len(before) else ok[: max(1, min(len(ok), 5))]
    box = np.nanmedian(track.bbox[first_found], axis=0)
    pad = 0.25 * (box[3] - box[1])
    if read_patches is not None:
        region = (int(np.floor(box[0] - pad)), int(np.floor(box[1] - pad)),
                  int(np.ceil(box[2] + pad)), int(np.ceil(box[3] + pad)))
        rows = np.nonzero((t >= t[i_big] - ONSET_WINDOW_S) & (t <= t[i_big]))[0]
        patches, pict = read_patches(rows, region)
        if len(patches) == len(rows):
            found = onset_from_patches(t[rows], patches, pict, frame_period, track.index[rows],
                                       athlete_px=float(box[3] - box[1]))
            if found is not None:
                if _before_the_clip(found.time_s, float(t[0]), t[rows] if rows[0] == 0 else None, patches):
                    return Onset(None, None, "before-clip", None, True)
                return found
    ch, cw = track.cells_shape
    s = track.work_scale
    c0 = int(max(0, np.floor((box[0] - pad) * s / CELL)))
    c1 = int(min(cw, np.ceil((box[2] + pad) * s / CELL)))
    r0 = int(max(0, np.floor((box[1] - pad) * s / CELL)))
    r1 = int(min(ch, np.ceil((box[3] + pad) * s / CELL)))
    cells = track.motion.reshape(len(track), ch, cw)[:, r0:r1, c0:c1]
    e = cells.reshape(len(track), -1).sum(axis=1).astype(float)
    found = _fit_onset(t, e, i_big, frame_period, track.index)
    if _before_the_clip(found.time_s, float(t[0])):
        return Onset(None, None, "before-clip", None, True)
    return found


def _before_the_clip(t0: float, t_first: float, times: np.ndarray | None = None,
                     patches: np.ndarray | None = None) -> bool:
    """True when a first movement found at ``t0`` cannot be told from one before the clip began.

    A movement from rest is found by extrapolating the first frames of motion back to where they
    leave the still set position; with less than START_LEAD_S of clip before it, no still set
    position was seen, and a clip whose recording began as the athlete went gave the first frame
    as the first movement (generated starts 0.05-0.15 s before the clip: 3-9 frames late, with a
    1-sigma of 0.5-1.2 frame). The same when the frames before it are not still at all (``patches``
    of the set position from the clip's first frame, ``times`` theirs): a real clip recorded as the
    athlete left the blocks changes by ~30 grey levels (RMS) from frame to frame there, where a
    still set position, hand-held at a phone's bit rate, changes by 5 at most and one with someone
    walking behind it by 9."""
    if t0 is None:
        return False
    if t0 - t_first < START_LEAD_S:
        return True
    if times is None or patches is None:
        return False
    before = np.nonzero(np.asarray(times) < t0)[0]
    if len(before) < 3:
        return False
    return bool(np.median(_changes(np.asarray(patches, np.float64)[before])) > MOVING_GREY)


def _changes(P: np.ndarray, lag: int = 1) -> np.ndarray:
    """RMS grey-level change of each patch from the one ``lag`` before it (N - lag values)."""
    return np.sqrt(np.mean((P[lag:] - P[:-lag]) ** 2, axis=(1, 2)))


def _med3(a: np.ndarray) -> np.ndarray:
    b = a.copy()
    if len(a) >= 3:
        b[1:-1] = np.median(np.stack([a[:-2], a[1:-1], a[2:]]), axis=0)
    return b


def onset_from_patches(times: np.ndarray, patches: np.ndarray, pict: list[str], frame_period: float,
                       index: np.ndarray, athlete_px: float | None = None) -> Onset | None:
    """The first movement in a series of aligned grey patches of the set position (module doc).

    ``times`` real seconds, ``patches`` N×H×W, ``pict`` the picture types, ``index`` the frame
    indices, ``athlete_px`` the athlete's height in the patches (pixels; its uncertainty grows for
    a small athlete). None when the series shows no clear onset (too short, no still frames).
    """
    P = np.asarray(patches, np.float64)
    ts = np.asarray(times, float)
    idx = np.asarray(index)
    pict = list(pict)
    if len(P) < 6 or P.ndim != 3 or P.shape[1] * P.shape[2] == 0:
        return None
    # An image shown again is timed at its first appearance: a frame much closer to the one
    # before than its neighbours are to theirs is a repeat (a compressed repeat is not
    # bit-exact, and a still athlete's frames are all alike, so the test is relative).
    step = _changes(P)
    nb = np.minimum(np.r_[step[1:], np.inf], np.r_[np.inf, step[:-1]])
    keep = np.ones(len(P), bool)
    keep[1:] = ~((step < 1.5) & (step < 0.25 * nb))
    P, ts, idx = P[keep], ts[keep], idx[keep]
    pict = [c for c, k in zip(pict, keep, strict=True) if k]
    n = len(P)
    n_pre = max(5, int(round(0.12 / frame_period)))
    # The rise, roughly: walking back from the run, the first frame that differs from the one
    # ~12 ms before by more than the still frames do. On a noisy clip (a shaking camera: still
    # frames differ by more than a grey level) a movement stands out of the frame-to-frame noise
    # only well after it starts, so the comparison reaches ~50 ms back instead: the movement
    # grows over that time, the noise does not.
    for lag_s in (0.012, 0.05):
        lag = max(1, int(round(lag_s / frame_period)))
        dl = np.zeros(n)
        dl[lag:] = _changes(P, lag)
        sm = _med3(dl)
        head = sm[lag: max(lag + 3, n // 3)]
        base = float(np.median(head))
        if base <= NOISY_STILL_GREY:
            break
    spread = float(1.4826 * np.median(np.abs(head - base))) + 0.02
    thr = base + max(5.0 * spread, 0.05 * (sm[-1] - base))
    if sm[-1] <= thr:
        return None  # the run's frames change no more than the first ones: no still set position seen
    i = n - 1
    while i > 0 and sm[i - 1] > thr:
        i -= 1
    i_r = max(1, i - lag)
    if i_r < 3:
        return None  # no still frames before the motion
    found, t_lo = _fit_from_rise(P, ts, idx, pict, frame_period, i, i_r, lag_s, n_pre, athlete_px)
    # A fit that ends on the earliest onset it may take was cut short by a rise found late: on a
    # phone's low bit rate, with a hand-held camera, the first frames of the movement stay in the
    # still frames' wander and the rise stood out of it only 5-30 frames later (120-240 fps). The
    # rise is moved back by steps and the fit made again until it ends inside its bounds.
    # onset.py --phone: median |error| 2.09 -> 1.15 frame, RMS 8.73 -> 7.50, within 2 sigma
    # 62 -> 75 %; 24 iPhone-like starts RMS 1.31 -> 1.17; the 60 lab starts RMS 0.76 -> 0.56 (one
    # 240-fps start 4.4 -> 1.8 frames); the suite and 24 crf-12 starts unchanged (never cut short).
    step = max(1, int(round(ONSET_BACK_STEP_S / frame_period)))
    back = 0
    while (found is not None and found.time_s - t_lo < 0.3 * frame_period
           and (back + step) * frame_period <= ONSET_BACK_MAX_S and i_r - back - step >= 3):
        back += step
        again, lo = _fit_from_rise(P, ts, idx, pict, frame_period, i, i_r - back, lag_s, n_pre, athlete_px)
        if again is None:
            break
        found, t_lo = again, lo
    return found


def _fit_from_rise(P: np.ndarray, ts: np.ndarray, idx: np.ndarray, pict: list[str], frame_period: float, i: int,
                   i_r: int, lag_s: float, n_pre: int, athlete_px: float | None) -> tuple[Onset | None, float | None]:
    """The onset fit of ``onset_from_patches`` from a rise at frame ``i_r`` (``i``: where the
    change stood out, ``lag_s`` the comparison it stood out in), and the earliest onset it allowed."""
    n = len(P)
    # The reference still frames come from the picture group the motion starts in: an I picture
    # codes the whole image afresh, with compression noise of its own, so a still frame before it
    # differs from one after it by as much as the motion's first frames do (on 240-fps clips
    # with a key frame just before the start this made the onset 2-3 frames early).
    s0 = max(0, i_r - n_pre)
    keys = [k for k in range(s0, i_r) if pict[k] == "I"]
    if keys and i_r - keys[-1] >= 2:
        s0 = keys[-1]
    R = np.median(P[s0: i_r], axis=0)
    D = P - R
    anchor = np.array([c != "B" for c in pict])
    m = max(3, int(round(ONSET_FIT_S / frame_period)))
    T = i_r + m
    if lag_s > 0.02:  # (the rise was found on the shaking-camera comparison)
        # The noisy camera's rise was stepped back by the whole 50 ms: the fit reaches half its
        # window past the frame where the change stood out, so that the pattern it projects on is
        # the movement's, not the noise's (it ended there before: at 240 fps with the sensor noise
        # kept, onsets came out 4-7 frames early).
        T = max(T, i + int(round(0.5 * m)))
    T = min(n - 1, T)
    a0 = a1 = i_r
    no_b = "B" not in pict  # a stream without B pictures (many phones' hardware encoders)

    def project(T: int):
        """Every frame's change read as a part of the change at frame T (module doc), and the
        still frames' level and spread on that reading."""
        G = D[T]
        # A key (I) picture between the still reference and T codes the whole picture afresh: every
        # frame from it on differs from the reference by its new compression noise as well, a
        # step that the fit would read as the movement's first frames (3 frames early on a start
        # whose first movement fell on a key picture). Measured from the key picture, the pattern
        # holds the movement alone, and the step no longer projects on it.
        keys_in = [k for k in range(max(s0, i_r - 1), min(T - 1, i_r + 2)) if pict[k] == "I"]
        if keys_in:
            G = D[T] - D[keys_in[-1]]
        gg = float(np.sum(G * G))
        if gg <= 0:
            return None
        p = np.einsum("ijk,jk->i", D, G) / gg
        if no_b:
            p = _coded_part(p, P, D, G, gg, pict, s0, i_r, T)
        pre = p[s0: i_r]
        b0 = float(np.median(pre))
        return p, b0, float(1.4826 * np.median(np.abs(pre - b0))) + 1e-3

    for _ in range(3):
        read = project(T)
        if read is None:
            return None, None
        p, b0, sp = read
        # The last still and the first moving I/P picture (B pictures between them borrow from
        # the later one).
        moving = p > b0 + max(6.0 * sp, 0.03)
        a = np.nonzero(anchor)[0]
        if len(a) == 0:
            return None, None
        j = len(a) - 1
        while j > 0 and moving[a[j - 1]]:
            j -= 1
        a1 = int(a[j])
        a0 = int(a[j - 1]) if j > 0 else -1
        T_new = min(n - 1, max(T, a1 + max(2, m // 2)))
        if T_new == T:
            break
        T = T_new
    blended = np.zeros(n, bool)
    # B pictures between the last still and the first moving anchor: at 48-60 fps and above the
    # body moves too little from one to the next for the encoder to code it, and a B picture is
    # the two anchors' blend, a straight line from one to the other (b01: 0.12, 0.24, 0.35 where
    # the moving anchor reads 0.47): they are left out. At 25-30 fps the body moves 33-40 ms
    # more by each, the encoder codes it, and they read the rise itself (onset.py --common c02,
    # 25 fps: 0.001, 0.054, 0.177 where a blend would read 0.09, 0.18, 0.27): the only frames near
    # the onset when the next anchor comes 3-4 frames after it, and kept - unless the first of them
    # reads half the straight line or more (a coded one reads a quarter of it or less, the rise being
    # quadratic): at a phone's low bit rate they can be blends even at 30 fps.
    # onset_lab.py, median |error| before -> after: the 24 starts at 25-50 fps (common)
    # 0.23 -> 0.19 frame (within 1 sigma 75 -> 92 %); onset 0.35 -> 0.21; phone 1.15 -> 0.90;
    # suite 0.24 -> 0.22; crf12 0.17 -> 0.12; no start at 48 fps or more moves.
    gap = [k for k in range(a0 + 1, a1) if not anchor[k]]
    coded = bool(gap) and a0 >= 0 and frame_period >= ONSET_B_CODED_S
    if coded:
        k = gap[0]
        line = p[a0] + (ts[k] - ts[a0]) / (ts[a1] - ts[a0]) * (p[a1] - p[a0])
        coded = not (line - b0 > 3 * sp and p[k] - b0 > ONSET_B_BLEND * (line - b0))
    if not coded:
        blended[gap] = True
    elif sum(p[k] > b0 + max(6.0 * sp, 0.03) for k in gap) >= 2:
        # With two coded B pictures or more in the rise, the fit no longer needs the first moving
        # anchor, nor to reach two frames past it: at 25-30 fps that is up to 230 ms into the run,
        # where the change no longer grows as the square of the time (a 25-fps start read
        # (t - t0)^2.5 there and came 1.4 frames late). It ends one frame past it, and the anchor
        # itself, which the encoder may have coded only in part (the first moving P picture
        # keeps blocks of the set position: it reads short), is left out.
        # onset_lab.py, median |error|: common 0.19 -> 0.11 (RMS 0.34 -> 0.17), onset 0.21 -> 0.18;
        # the suite's b02 +0.08 -> +0.03; the phone set's 30-fps starts move by 0.13 frame at most.
        blended[a1] = True
        if T > a1 + 1:
            T = a1 + 1
            read = project(T)
            if read is None:
                return None, None
            p, b0, sp = read
    if a0 >= 0 and a1 - a0 > 1:
        # The last still I/P picture before them may already hold a movement too small for the
        # codec to code (its dead zone): a zero there pulls the onset late. It is left out too.
        blended[a0] = True
        # So may the B pictures before it, back to the anchor before it, when they are exact copies
        # of it (the encoder skipped every block: a movement below the dead zone reads exactly
        # nothing, not a small value) and within ONSET_DEAD_ZONE_S of the first moving anchor. Seen
        # at 240 fps (b04), where the movement's first 4-7 frames are skipped: those zeros, fitted
        # as still frames, held the onset 0.8-1.5 frame late. onset_lab.py: b04 +0.81 -> +0.39
        # frame, its copies +1.00 -> +0.53 and +1.51 -> +1.45; no other start of the suite, its
        # copies, onset, common or phone sets moves by more than 0.01. (Without the bound, the
        # generated 60-fps "tiny" start lost its B pictures 17-50 ms before its first moving
        # anchor, which were still: the fit kept only blends of the anchors, and its 1-sigma grew
        # from 1.5 to 6 frames.)
        before = [k for k in range(a0) if anchor[k]]
        for k in range(before[-1] + 1 if before else a0, a0):
            if np.array_equal(P[k], P[a0]) and ts[a1] - ts[k] <= ONSET_DEAD_ZONE_S:
                blended[k] = True
    first = max(s0, min(i_r, a0 + 1) - n_pre)
    sel = np.arange(first, T + 1)
    sel = sel[~blended[sel]]
    if no_b:
        # Without B pictures (many phones' hardware encoders) every picture codes its change
        # against the one before, and leaves the first tenths of a pixel of the movement uncoded:
        # its first moving pictures read less change than happened, and no picture borrowed from
        # a later one reads more (with B pictures the two balance). The fit is made on the moving
        # pictures past ONSET_IPPP_TOE of the change at its last frame. The suite encoded without
        # B pictures (accuracy.py --no-b-frames, 13 starts; chosen on these, 10-30 % tried): median
        # |error| 0.55 -> 0.27 frame; its 26 replicate starts, not used to choose (onset_lab.py
        # ippprep): 0.45 -> 0.30, mean +0.35 -> +0.18 (late), RMS 0.79 -> 0.71. Streams with B
        # pictures are not touched (there, leaving the low frames out made every start early).
        moving = sel > max(a0, i_r - 1)
        low = moving & (p[sel] - b0 < ONSET_IPPP_TOE * (p[T] - b0))
        if (moving & ~low).sum() >= 2:
            sel = sel[~low]
    tt, pp = ts[sel], p[sel]

    def model(q, t_):
        b, amp, t0 = q
        return b + amp * np.clip(t_ - t0, 0.0, None) ** 2

    t_lo = float(ts[max(0, min(i_r, a0 + 1) - 6)])
    t_hi = float(ts[max(i_r, a1)])
    q0 = [b0, 1.0 / max(ts[T] - ts[i_r] + frame_period, frame_period) ** 2, t_hi - 0.5 * frame_period]
    lo = [b0 - 10 * sp - 1e-6, 0.0, t_lo]
    hi = [b0 + 10 * sp + 1e-6, np.inf, t_hi]
    q0 = np.clip(q0, np.array(lo) + 1e-12, np.array(hi) - 1e-12)
    try:
        # Robust loss: one frame of codec noise must not move the onset.
        fit = least_squares(lambda q: (model(q, tt) - pp) / sp, q0, bounds=(lo, hi), loss="soft_l1", f_scale=3.0,
                            x_scale=[sp, q0[1], frame_period])
    except ValueError:
        return None, None
    t0 = float(fit.x[2])
    dof = max(1, len(tt) - 3)
    try:
        cov = np.linalg.pinv(fit.jac.T @ fit.jac) * max(float(np.sum(fit.fun**2) / dof), 1.0)
        s_fit = float(np.sqrt(max(cov[2, 2], 0.0)))
    except np.linalg.LinAlgError:
        s_fit = frame_period
    # What the fit cannot see: the first motion is not exactly quadratic (limbs), and the encoder
    # does not code its first tenths of a pixel - for longer the smaller the athlete is in the
    # picture. On 60 generated starts (30-240 fps, athletes 30-150 px tall in the set position)
    # this 1-sigma holds 68 % of the errors, 2 sigma 95 %.
    size = ONSET_SIZE_S_PX / athlete_px if athlete_px and athlete_px > 0 else 0.0
    # And how long the movement stays hidden in the still frames' wander: the modelled rise
    # amp·(t - t0)² clears ONSET_HIDDEN_SD standard deviations of that wander only after
    # sqrt(k·sd / amp). Nothing on a tripod; tens of milliseconds when a hand-held phone at a low
    # bit rate makes the still frames sway (registration leaves a fraction of a pixel): the fit's
    # own statistics count each frame as independent and do not see that a slow sway can pass for
    # the first movement or hide it. Within 2 sigma, before -> after: 24 generated starts encoded
    # like the iPhone clips (crf 30, 30-60 fps, with and without 3 px of shake) 79 -> 92 %;
    # onset.py --phone (up to 240 fps) 50 -> 62 %; the 60 + 24 lab starts 92 -> 93 % and
    # 92 -> 100 % (their median 1-sigma 0.40 -> 0.49 frame).
    amp = float(fit.x[1])
    # Only the wander counts: the still frames' values averaged over the fit's window, less what
    # their frame-to-frame noise (which the fit already counts) leaves in such an average. It is
    # measured on the still reference's frames (since the last key picture); when these are fewer
    # than twice the fit's reach into the motion, on the last ONSET_WANDER_S before the rise: 3
    # frames measure nothing (a 240-fps phone start came out 31 frames late with a 1-sigma of
    # 0.4 frame). Not always: the pattern holds the reference's own noise, so frames outside the
    # reference read a little apart from those in it, and a clean start's 1-sigma grew. Within 2
    # sigma before -> after: 24 phone-quality starts up to 240 fps 62 -> 75 %, 24 iPhone-like
    # 92 -> 96 %, 60 lab starts 93 -> 95 %, the suite's starts encoded without B pictures
    # 91 -> 100 %; the suite and 24 crf-12 starts unchanged.
    end = max(s0, min(i_r, int(np.searchsorted(ts, t0))))  # (frames before the fitted onset)
    w0 = s0 if end - s0 >= 2 * m else min(s0, max(0, i_r - int(round(ONSET_WANDER_S / frame_period))))
    pre = p[w0: end]
    still_sd = 0.0
    if len(pre) >= 4:
        k = min(m, len(pre) // 2)
        still = np.convolve(pre, np.full(k, 1.0 / k), mode="valid")
        d = np.diff(pre)
        white = 1.4826 * float(np.median(np.abs(d - np.median(d)))) / np.sqrt(2)
        still_sd = float(np.sqrt(max(0.0, np.var(still) - white**2 / k)))
    hidden = float(np.sqrt(ONSET_HIDDEN_SD * still_sd / amp)) if amp > 0 else 0.0
    s_t0 = float(np.clip(np.sqrt(s_fit**2 + (ONSET_SYSTEMATIC_FRAMES * frame_period) ** 2 + size**2 + hidden**2),
                         0.2 * frame_period, max(3 * frame_period, ONSET_MAX_SIGMA_S)))
    i_near = int(np.argmin(np.abs(ts - t0)))
    return Onset(t0, s_t0, "onset-fit", int(idx[i_near]), False, athlete_px), t_lo


def _coded_part(p: np.ndarray, P: np.ndarray, D: np.ndarray, G: np.ndarray, gg: float, pict: list[str], s0: int,
                i_r: int, stop: int) -> np.ndarray:
    """``p`` with each P picture up to ``stop`` (the fit's end) read on the blocks it coded, in a
    stream without B pictures.

    A P picture codes what changed since the picture before it; where the change is too small to
    pay for, the encoder copies the block unchanged. In the first moving pictures whole blocks
    of the athlete are still copied from the set position, and the projection on the pattern
    ``G`` counts them as no movement: the first moving pictures read less than happened (b11,
    the b-pictureless suite: a third to a half less), and the onset comes late. Read on its coded
    pixels alone (those that differ from the picture before), a P picture measures its movement
    as a part of the pattern there. Done only when the encoder is seen to leave still blocks
    untouched: the still P pictures before the rise code at most ONSET_SKIP_STILL of the
    pattern (a camera whose every frame is coded anew, or shaken and registered, shows no copied
    blocks and is read as it is). A picture that codes less than ONSET_CODED_MIN of the pattern
    is too little to scale up and stays as read.

    Not done with B pictures: there the B pictures before the first moving P picture borrow from it
    and balance a short reading, and a picture read on its coded blocks reads a little high (parts
    of the athlete that start to move later are in the pattern but not yet in the picture): every
    start came ~0.2 frame early (benchmarks/onset.py: RMS 0.56 -> 0.60). Even limited to pictures
    that coded under 75 % of the pattern (b11: +0.70 -> +0.28 frame) it put a re-encoded 60-fps
    start 2.7 frames early.
    """
    G2 = G * G
    anchors = [k for k in range(len(pict)) if pict[k] != "B"]
    coded_at = {}
    for prev, k in zip(anchors, anchors[1:], strict=False):
        if s0 <= k <= stop and pict[k] == "P":
            coded = np.abs(P[k] - P[prev]) >= 0.5
            coded_at[k] = (coded, float(np.sum(G2[coded])) / gg)
    still = [f for k, (_, f) in coded_at.items() if k < i_r]
    if not still or max(still) > ONSET_SKIP_STILL:
        return p
    out = p.copy()
    for k, (coded, f) in coded_at.items():
        if ONSET_CODED_MIN <= f < 0.999:
            out[k] = float(np.sum(D[k][coded] * G[coded])) / float(np.sum(G2[coded]))
    return out


class _NoStart(Exception):
    pass


def _fit_onset(t: np.ndarray, e: np.ndarray, i_big: int, frame_period: float, index: np.ndarray) -> Onset:
    """Extrapolate the start of the change signal ``e`` (see module doc)."""
    n_pre = max(5, int(round(0.12 / frame_period)))
    # Noise of the signal from frame-to-frame differences (robust to a step in the level that a
    # key frame or an exposure change can make well before the start).
    head = e[: max(i_big, 3)]
    diffs = np.diff(head)
    sig = float(1.4826 * np.median(np.abs(diffs - np.median(diffs)))) / np.sqrt(2) if len(diffs) else 0.0
    top = float(e[i_big])
    # The rise: walking back from the big motion, the last frame whose signal (3-frame median: a
    # noisy signal dips on its way up, and a dip must not end the rise) is still at the level of
    # the frames just before it.
    e_s = _med3(e)
    i_r = 1
    for i in range(i_big, 0, -1):
        base = float(np.median(e[max(0, i - n_pre): i]))
        thr = max(4.0 * sig, 0.02 * (top - base), 1e-9)
        if e_s[i] <= base + thr:
            i_r = i + 1
            break
    i_r = min(i_r, i_big)
    base = float(np.median(e[max(0, i_r - n_pre): i_r])) if i_r > 0 else float(e[0])
    if top - base <= 6.0 * max(sig, 1e-6) or i_r == 0:
        return Onset(float(t[i_r]), 2 * frame_period, "threshold", int(index[i_r]), False)
    # The first ~50 ms of motion (at least 3 frames after the rise): later the body moves in other
    # ways. On a noisy signal (a shaking camera) the window reaches on until the change stands
    # clearly (12 sigma) above the level, so the fit is not steered by noise.
    i_end = min(len(t) - 1, i_r + max(3, int(round(0.05 / frame_period))))
    clear = np.nonzero(e[i_r: i_big + 1] > base + 12.0 * sig)[0]
    if len(clear):
        i_end = min(max(i_end, i_r + int(clear[0]) + 2), i_big, len(t) - 1)
    i_beg = max(0, i_r - n_pre)
    sel = np.arange(i_beg, i_end + 1)
    ts, es = t[sel], e[sel]
    scale = max(top - base, 1e-9)

    def model(p, tt):
        b, a, t0, pw = p
        return b + a * np.clip(tt - t0, 0.0, None) ** pw

    t_lo = float(t[max(0, i_r - 3)])
    t_hi = float(t[i_r])
    span = max(float(ts[-1] - t_lo), frame_period)
    a_guess = max((float(es[-1]) - base) / span**1.5, 1e-12)
    p0 = [base, a_guess, 0.5 * (t_lo + t_hi), 1.5]
    lo = [base - 20 * sig - 1e-6 * scale, 0.0, t_lo - 1e-9, 1.0]
    hi = [base + 20 * sig + 1e-6 * scale, np.inf, t_hi + 1e-9, 3.0]
    try:
        # Robust loss: a compressed B-frame can leak a little of the next frame's motion into the
        # last still frame; one such point must not drag the onset a frame early.
        fit = least_squares(lambda p: (model(p, ts) - es) / scale, p0, bounds=(lo, hi),
                            x_scale=[max(sig, 1e-6) / scale, a_guess, frame_period, 0.5],
                            loss="soft_l1", f_scale=max(3.0 * sig / scale, 0.01))
    except ValueError:
        return Onset(float(t[i_r]), 2 * frame_period, "threshold", int(index[i_r]), False)
    t0 = float(fit.x[2])
    dof = max(1, len(ts) - 4)
    res_var = float(np.sum(fit.fun**2) / dof)
    try:
        cov = np.linalg.pinv(fit.jac.T @ fit.jac) * res_var
        s_t0 = float(np.sqrt(max(cov[2, 2], 0.0)))
    except np.linalg.LinAlgError:
        s_t0 = frame_period
    s_t0 = float(np.clip(np.hypot(s_t0, 0.15 * frame_period), 0.15 * frame_period, frame_period))
    i_near = int(np.argmin(np.abs(t - t0)))
    return Onset(t0, s_t0, "onset-fit", int(index[i_near]), False)


@dataclass(frozen=True)
class LineCrossing:
    time_s: float | None
    uncertainty_s: float | None
    frame: int | None
    note: str = ""


def crossing(t: np.ndarray, x: np.ndarray, sigma: np.ndarray, line_x: float, index: np.ndarray, frame_period: float,
             t_min: float | None = None, sigma_common: np.ndarray | None = None) -> LineCrossing:
    """When x(t) reaches ``line_x`` (first time, after ``t_min``).

    ``sigma_common`` (m, per frame) is an error shared by neighbouring frames (the path's): it
    does not average out in the fit and is added to the crossing's uncertainty as it is.
    """
    keep = _clean(t, x)
    if t_min is not None:
        keep &= t >= t_min - 0.5
    ok = np.nonzero(keep)[0]
    if len(ok) < 3:
        return LineCrossing(None, None, None, "the runner was not tracked")
    xs = x[ok]
    # Smooth a little for the bracketing so noise does not give an early false crossing.
    xs_s = np.convolve(np.pad(xs, 2, mode="edge"), np.ones(5) / 5, mode="valid") if len(xs) >= 5 else xs
    # The chest reaches no line before the first movement (it may be over one already): the line
    # is looked for from shortly before the start on, the frames before kept for the fit. (Someone
    # passing behind an athlete in the set position joins the silhouette, and its front crossed
    # the start line 0.2 s before the start: a generated second sprinter in the next lane.)
    first = int(np.searchsorted(t[ok], t_min - CROSS_BEFORE_START_S)) if t_min is not None else 0
    first = min(first, len(ok) - 1)
    past = np.nonzero(xs_s[first:] >= line_x)[0] + first
    if len(past) == 0:
        # The smoothing lags at the end of the track: a line passed in its last two frames (the clip
        # ends just after the runner reaches it) is timed from the frames as they are, extrapolated.
        raw = np.nonzero(xs[first:] >= line_x)[0] + first
        if len(raw) and raw[0] >= len(xs) - 2 and np.all(xs[raw[0]:] >= line_x) and len(xs) >= 4:
            past = raw
    if len(past) == 0:
        return LineCrossing(None, None, None, "not reached in the clip")
    j = int(past[0])
    if j == 0 or (j == first and xs[j] >= line_x):
        return LineCrossing(None, None, None, "already past this line at the first tracked frame")
    tc_guess = float(t[ok[j]])
    half = max(0.12, 4 * frame_period)
    w = np.nonzero(np.abs(t[ok] - tc_guess) <= half)[0]
    if len(w) < 4:
        w = np.arange(max(0, j - 3), min(len(ok), j + 3))
    tt = t[ok][w] - tc_guess
    xx = xs[w]
    ss = sigma[ok][w]
    # Before/after coverage: a crossing at the edge of the track is extrapolated, note it.
    edge = tt.min() > -frame_period * 1.5 or tt.max() < frame_period * 1.5
    deg = 2 if len(w) >= 5 else 1
    wts = 1.0 / np.maximum(ss, 1e-4)
    coef, cov = _robust_polyfit(tt, xx, wts, deg)
    roots = np.roots(np.r_[coef[:-1], coef[-1] - line_x]) if deg > 0 else []
    roots = [float(r.real) for r in np.atleast_1d(roots) if abs(r.imag) < 1e-9 and abs(r.real) <= half * 2]
    if not roots:
        # No smooth curve through the frames around the line: the trace jumps there (rising out of
        # the set position, the front can switch from the head to the chest within a frame).
        return LineCrossing(None, None, None, "not timed: the chest's outline jumps at this line (check it on the replay)")
    tc = min(roots, key=abs)
    v = float(np.polyval(np.polyder(coef), tc))
    if v <= 0.05:
        return LineCrossing(None, None, None, "the runner was not moving forward at the line")
    grad = np.array([tc ** (deg - k) for k in range(deg + 1)])
    var_x = float(grad @ cov @ grad)
    common = float(np.interp(tc, tt, sigma_common[ok][w])) if sigma_common is not None else 0.0
    sx = np.sqrt(max(var_x, 0.0) + CHEST_DEFINITION_M**2 + common**2)
    s_t = sx / v
    if deg == 2:
        # Near the start the chest crosses slowly and sx/v overstates it: the times at which the
        # fitted curve is sx before and after the line bound the crossing instead.
        # (one side only when the curve never comes back that far: the athlete was at rest)
        spans = []
        for target, side in ((line_x - sx, -1), (line_x + sx, +1)):
            r_ = np.roots(np.r_[coef[:-1], coef[-1] - target])
            r_ = [float(z.real) for z in np.atleast_1d(r_) if abs(z.imag) < 1e-9 and (z.real - tc) * side > 0]
            if r_:
                spans.append(min(abs(z - tc) for z in r_))
        if spans:
            s_t = min(s_t, max(spans))
    if edge:
        s_t = max(s_t, frame_period)
    t_cross = tc + tc_guess
    if t_min is not None and t_cross < t_min:
        # Before the first movement the chest is at rest: a line it "crosses" then is one it was
        # on already, the trace wavering about it (b04's start line, 27 frames before the start).
        return LineCrossing(None, None, None, "already past this line at the first tracked frame")
    near = ok[int(np.argmin(np.abs(t[ok] - t_cross)))]
    return LineCrossing(float(t_cross), float(s_t), int(index[near]), "extrapolated at the edge of the track" if edge else "")


def _robust_polyfit(t, x, w, deg, candidates: int = 600):
    """Weighted polynomial fit that leaves out frames far off the curve.

    A forearm swung in front of the chest makes the front read 20-30 cm ahead for a few frames
    running (on a small, far-away athlete the arm merges with the trunk's silhouette). Those frames
    pull a least-squares fit, and a down-weighting pass after it kept about half of their error in
    the crossing. So the curve is first found by least median of squares (curves through ``deg`` + 1
    of the frames, the one with the smallest median residual; it stands while fewer than half the
    frames are off), then fitted again by weighted least squares to the frames within 2.5 robust
    sigmas of it.
    """
    n, p = len(t), deg + 1
    if n <= p + 3:
        return _wpolyfit(t, x, w, deg)
    combos = np.array(list(combinations(range(n), p))) if n <= 24 else None
    if combos is None or len(combos) > candidates:
        rng = np.random.default_rng(n)  # deterministic
        combos = np.sort(np.array([rng.choice(n, p, replace=False) for _ in range(candidates)]), axis=1)
    A = np.vander(t, p)
    z = x * w
    best, best_med = None, np.inf
    for cmb in np.array_split(combos, max(1, len(combos) // 200)):
        sub = A[cmb]  # (k, p, p)
        try:
            coefs = np.linalg.solve(sub, x[cmb][..., None])[..., 0]
        except np.linalg.LinAlgError:
            continue
        r = z[None, :] - (coefs @ A.T) * w[None, :]
        med = np.median(r * r, axis=1)
        k = int(np.argmin(med))
        if med[k] < best_med:
            best, best_med = coefs[k], float(med[k])
    if best is None:
        return _wpolyfit(t, x, w, deg)
    scale = 1.4826 * (1.0 + 5.0 / (n - p)) * np.sqrt(best_med)
    r = (x - np.polyval(best, t)) * w
    use = np.abs(r) <= 2.5 * max(scale, 1.0)
    if use.sum() <= p + 1:
        return _wpolyfit(t, x, w, deg)
    return _wpolyfit(t[use], x[use], w[use], deg)


def _wpolyfit(t, x, w, deg):
    A = np.vander(t, deg + 1)
    Aw = A * w[:, None]
    xw = x * w
    coef, *_ = np.linalg.lstsq(Aw, xw, rcond=None)
    res = xw - Aw @ coef
    dof = max(1, len(t) - deg - 1)
    s2 = float(res @ res) / dof
    # Scale so that weights act as inverse sigmas; inflate by the observed scatter when larger.
    cov = np.linalg.pinv(Aw.T @ Aw) * max(s2, 1.0)
    return coef, cov
