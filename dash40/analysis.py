"""The orchestrator: ``analyze(clip, calibration) -> AnalysisResult``.

clip → background and drift (segmentation) → per-frame runner measurements (tracking) →
first movement and crossings (timing) → steps → sprint model (kinematics) → result.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from . import __version__
from .calibration import Calibration, LaneGeometry, lane_geometry, load_calibration
from .errors import AnalysisError, InputError
from .result import AnalysisResult, Crossing, Split, Start, Trace, from_metres, to_metres
from .segmentation import build_background, gray, local_warps, reduce, warp_to_reference
from .steps import (
    RAGGED_STEPS,
    detect_steps,
    find_contacts,
    lane_width,
    path_from_contacts,
    raggedness,
)
from .timing import _NoStart, crossing, detect_start, lane_positions, path_sigma
from .tracking import Measurer, RunnerTrack, feet_on_ground
from .video import iter_frames, prefetch, probe, read_frames_at

Progress = Callable[[float, str], None]
REFERENCES = ("torso", "hip")
# Published mono-exponential fits of sprinters (youth to elite) fall well inside these; outside
# them the trace, not the athlete, is what the fit describes.
PLAUSIBLE_TAU_S = (0.4, 2.5)
PLAUSIBLE_MSS_M_S = (3.0, 13.0)
# ... and MAC = MSS / TAU at most this (m/s²): TAU is about 1 s across sports and levels (Clark &
# Ryan 2022), so the fastest sprinters start at ~10-12 m/s². Hand-held 10-m clips fitted 16-25.
PLAUSIBLE_MAC_M_S2 = 15.0
MODEL_MIN_SPEED_FRACTION = 0.9  # the trace must reach this share of MSS for the model to be reported
SPRINT_SPEED_M_S = 3.5  # below this top speed a rep is not a sprint (a brisk walk is ~2 m/s)
# A first movement less certain than this (1-sigma) gets a warning: coaches compare reps to 0.01 s.
START_UNCERTAIN_S = 0.025
LOCAL_RING_MIN_PX = 24  # the background ring read around the set position on a hand-held clip (pixels, at least)
EDGE_CUT_PX = 3.0  # a chest front this close to the side of the picture it runs toward is cut by it


def analyze(
    clip: str | os.PathLike,
    calibration: str | os.PathLike | dict | Calibration,
    *,
    capture_fps: float | None = None,
    reference: str = "torso",
    progress: Progress | None = None,
    body_mass_kg: float | None = None,
    height_m: float | None = None,
) -> AnalysisResult:
    """Time a sprint clip: first movement, every line crossing, splits, steps and the sprint model.

    Parameters
    ----------
    clip : path to an .mp4/.mov clip (any frame rate, VFR, slow motion, portrait or landscape).
    calibration : the timing lines (a dict, a JSON path or a ``Calibration``); see ``dash40.calibration``.
    capture_fps : real capture rate of a slow-motion clip when its file does not say it.
    reference : "torso" (chest front, the photo-finish convention) or "hip".
    progress : called as ``progress(fraction, message)`` while the clip is read.
    body_mass_kg, height_m : the athlete's, for the force–velocity profile.
    """
    if reference not in REFERENCES:
        raise InputError(f"The reference must be 'torso' or 'hip', got {reference!r}.")
    report = progress or (lambda f, m: None)
    info = probe(clip, capture_fps)
    cal = load_calibration(calibration)
    cal.check_fits(info.width, info.height)
    geom = lane_geometry(cal, width=info.width, height=info.height)
    report(0.0, "Learning the background")
    bg = build_background(clip, info)
    meas = Measurer(bg, geom, info.width, info.height)
    total = max(info.frames, 1)
    n = 0
    # Each picture is also reduced to the work scale in the decoding thread (at 1080p the 3× area
    # reduction costs as much as a quarter of the measurement), so the two threads share the work.
    reduced = ((fr, reduce(fr.image, bg.scale)) for fr in iter_frames(clip, info))
    for fr, work in prefetch(reduced):
        meas.add(fr.index, fr.time_s, fr.image, work=work)
        n += 1
        if n % 10 == 0:
            report(min(0.95, 0.05 + 0.9 * n / total), f"Reading frame {n} of {total}")
    if n < 5:
        raise AnalysisError(f"The clip has only {n} readable frames: it is too short or damaged to time a run.")
    track = meas.track()
    report(0.96, "Timing the run")
    result = _time_track(track, geom, cal, info, reference, Path(clip).name, n,
                         read_patches=_patch_reader(clip, info, track))
    result = for_athlete(result, body_mass_kg=body_mass_kg, height_m=height_m)
    report(1.0, "Done")
    return result


def for_athlete(result: AnalysisResult, *, body_mass_kg: float | None = None,
                height_m: float | None = None) -> AnalysisResult:
    """The same timed rep with its sprint model fitted again for an athlete's body mass and height
    (the force–velocity profile needs both; without them the model has none): what :func:`analyze`
    gives with those numbers, without reading the clip again. Timing, steps and trace are unchanged."""
    return _replace(result, model=_model(result, body_mass_kg, height_m))


def _patch_reader(clip, info, track: RunnerTrack):
    """``read_patches`` for ``timing.detect_start``: decode the clip again up to the asked rows and
    keep only the region of the set position of each, aligned to the first frame (grey)."""

    def read(rows: np.ndarray, region: tuple[int, int, int, int]):
        x0, y0 = max(0, region[0]), max(0, region[1])
        x1, y1 = min(info.width, region[2]), min(info.height, region[3])
        if x1 - x0 < 4 or y1 - y0 < 4 or len(rows) == 0:
            return np.empty((0, 0, 0)), []
        row_of = {int(track.index[r]): int(r) for r in rows}
        # A hand-held camera: the whole picture's warp (an affine for a camera's turn, found at the
        # work scale) leaves a few tenths of a pixel here (benchmarks/registration.py: b09's
        # runner's rows median 0.35 px), as much as the first frames of the movement move; the
        # still frames swayed and the fit read the sway as movement or lost the movement in it.
        # Each frame is cut with a ring of the background around the region and registered again
        # on that ring (``local_warps``); resampled bicubic (the bilinear one blurs each frame by
        # its own sub-pixel offset). onset.py --phone (24 starts, 2 px of shake, crf 30), before ->
        # after: |error| median 0.89 -> 0.85 frame, RMS 7.50 -> 3.63, worst +31.2 -> -14.6 (a
        # 240-fps start said ± 10), within 2 sigma 92 -> 96 %; the suite's b09 +0.66 -> -0.43
        # (± 3.6 -> ± 0.9); tripod clips are read as before.
        m = 0 if np.allclose(track.warps, track.warps[0]) else max(LOCAL_RING_MIN_PX, (y1 - y0) // 2)
        wx0, wy0 = max(0, x0 - m), max(0, y0 - m)
        wx1, wy1 = min(info.width, x1 + m), min(info.height, y1 + m)

        def crop(fr):
            M = track.warps[row_of[fr.index]]
            grey = gray(fr.image).astype(np.float32)  # (float: the second warp below rounds nothing)
            return warp_to_reference(grey, M, (wx0, wy0), (wx1 - wx0, wy1 - wy0), cv2.INTER_CUBIC), fr.pict_type

        got = read_frames_at(clip, row_of, info, convert=crop)
        if len(got) != len(rows):
            return np.empty((0, 0, 0)), []
        order = [int(track.index[r]) for r in rows]
        wins = np.stack([got[i][0] for i in order])
        inner = (slice(y0 - wy0, y1 - wy0), slice(x0 - wx0, x1 - wx0))
        if m:
            ring = np.ones(wins.shape[1:], bool)
            ring[inner] = False
            warps = local_warps(wins, ring)
            wins = np.stack([warp_to_reference(w, M, interpolation=cv2.INTER_CUBIC) for w, M in zip(wins, warps, strict=True)])
        return wins[:, inner[0], inner[1]], [got[i][1] for i in order]

    return read


def _replace(r: AnalysisResult, **kw) -> AnalysisResult:
    from dataclasses import replace

    return replace(r, **kw)


def estimate_path(track: RunnerTrack, geom: LaneGeometry, frame_period: float | None = None,
                  width: int | None = None, height: int | None = None) -> PathEstimate:
    """Across-lane coordinate s of the runner's path (0 = near cones, 1 = far cones) and its 1-sigma.

    The feet touch the ground on the path. Best, from the foot contacts (``steps.find_contacts``,
    found with a first guess of the path; needs ``frame_period``, ``width``, ``height``): each
    toe rests for several frames, and the median over the contacts is the path (with 2-3 of them,
    the middle of a left and a right foot: ``steps.path_from_contacts``). Without two running
    contacts, from the lowest silhouette point of each stretch of the lane. Seen from a low camera
    the lane is only a few pixels tall and a pixel is a large part of it, so the estimate is
    combined with the prior that an athlete runs between the cones, near the middle
    (``PATH_PRIOR``: s = 0.5 ± 0.12).

    In low sun with the phone facing it (the sun beyond the lane), the athlete's shadow lies on the
    ground between the feet and the camera, and the silhouette takes it in: its lowest points are
    the shadow's, and even a resting toe's row is its shadow's (the lane 3 rows deep at a 40-yd
    framing: a row is a metre). When the lowest points lie more than ``SHADOW_IN_FRONT_M`` (and
    1 row) in front of the contacts, or, with no contacts, outside the cones, the feet cannot be
    read and the path is the prior alone (``PathEstimate`` says why, for the coach).
    """
    if geom.homography is None:
        return PathEstimate(geom.s_path, 0.0)
    feet = _path_from_lowest_points(track, geom)
    rough = _with_prior(*feet) if feet else PATH_PRIOR
    if frame_period is not None and width and height:
        g = geom.with_path(rough[0])  # the first guess, for finding the contacts
        got = path_from_contacts(find_contacts(track, g, frame_period, width, height), track, g)
        # Feet are looked for near the guess's ground line, and a guess pulled toward the lane's
        # middle by the prior can miss a runner well off it: on a lane tens of rows deep the far
        # foot's contacts, or all of them, fall outside. Generated starts 1 m off the middle: at
        # 120 fps 4 contacts, all of the near foot (the path 10.7 cm near, said ± 1.7 cm); at
        # 640×360 none (the path 69 cm near, the 10-yd crossing 2.1 frames late). They are looked
        # for again around the path the contacts gave, or else where the lowest points are.
        again_at = got[0] if got is not None else (feet[0] if feet else None)
        if again_at is not None and abs(again_at - rough[0]) * geom.lane_height_px() > CONTACT_SEARCH_AGAIN_PX:
            g = geom.with_path(again_at)
            again = path_from_contacts(find_contacts(track, g, frame_period, width, height), track, g)
            got = again if again is not None else got
        if got is not None:
            ahead = _ahead_of_feet(feet[0] if feet else None, got[0], geom)
            return PathEstimate(*PATH_PRIOR, shadow_ahead_m=ahead) if ahead else PathEstimate(*_with_prior(*got[:2]))
    if feet and feet[0] < -PATH_OUTSIDE:
        return PathEstimate(*PATH_PRIOR, lowest_outside_m=-feet[0] * lane_width(geom))
    return PathEstimate(*rough)


@dataclass(frozen=True)
class PathEstimate:
    """The runner's path across the lane (``s``: 0 = near cones, 1 = far cones) and its 1-sigma;
    when the feet could not be read (the path is then ``PATH_PRIOR``), why: the silhouette reaches
    ``shadow_ahead_m`` along the ground in front of the feet's contacts (a shadow), or, with no
    contacts, its lowest points lie ``lowest_outside_m`` in front of the near cones."""

    s: float
    sd: float
    shadow_ahead_m: float = 0.0
    lowest_outside_m: float = 0.0


def _ahead_of_feet(s_lowest: float | None, s_contacts: float, geom: LaneGeometry) -> float:
    """How far (m) the silhouette's lowest points lie in front of the feet's contacts, when that is
    more than a foot's own offset and compression can explain (``SHADOW_IN_FRONT_M``, 1 row):
    something flat on the ground moves with the athlete (a shadow). 0 otherwise."""
    if s_lowest is None:
        return 0.0
    gap = s_contacts - s_lowest
    metres = gap * lane_width(geom)
    return metres if metres > SHADOW_IN_FRONT_M and gap * geom.lane_height_px() > SHADOW_IN_FRONT_ROWS else 0.0


PATH_OUTSIDE = 0.15  # a path read this far outside the cones (lane widths) is said to be doubtful
PATH_PRIOR = (0.5, 0.12)  # an athlete runs between the cones, near the middle (lane widths)
SHADOW_IN_FRONT_M = 0.5  # the silhouette's lowest points this far in front of the feet's contacts: a shadow ...
SHADOW_IN_FRONT_ROWS = 1.0  # ... and this many rows (at a 40-yd framing a row of the lane is a metre)
CONTACT_SEARCH_AGAIN_PX = 1.0  # contacts this many rows off the first guess are looked for again around their path


def _with_prior(s: float, sd: float) -> tuple[float, float]:
    """A path estimate combined with ``PATH_PRIOR`` (inverse-variance weights)."""
    w, w_prior = 1.0 / sd**2, 1.0 / PATH_PRIOR[1] ** 2
    s_post = (w * s + w_prior * PATH_PRIOR[0]) / (w + w_prior)
    return float(np.clip(s_post, -0.5, 1.5)), float((w + w_prior) ** -0.5)


def _path_from_lowest_points(track: RunnerTrack, geom: LaneGeometry) -> tuple[float, float] | None:
    """The path from the lowest silhouette point of each stretch of the lane (a foot on the
    ground), and its 1-sigma; None with fewer than three stretches."""
    su, sv = feet_on_ground(track, bins=20, q=100.0)
    if len(su) < 3:
        return None
    # The lowest foreground pixel lies about a pixel below the sole's contact (anti-aliasing,
    # blur), and the lower of two feet is the near one: move up by a pixel.
    _, s = geom.pixel_to_ground(np.asarray(su), np.asarray(sv) - 1.0)
    s = s[np.isfinite(s)]
    if len(s) < 3:
        return None
    s_feet = float(np.median(s))
    # One pixel of the foot's row is 1/lane_px of the lane's width at the runner.
    sd_feet = max(3.0 / geom.lane_height_px(), 1.4826 * float(np.median(np.abs(s - s_feet))) / np.sqrt(len(s)))
    return s_feet, sd_feet


def cut_by_picture_edge(track: RunnerTrack, width: int, reference: str = "torso") -> np.ndarray:
    """Frames in which the picture's side cuts the reference: the chest's front reaches the side
    the athlete runs toward, or (for the hip) the silhouette touches either side. Cut, the body is
    measured short of where it is (on the 120-fps sample the chest read 24 cm behind in the last
    frame). The picture's side is followed in first-frame coordinates through the camera's drift.

    For the chest only its front counts, not the whole silhouette: a long shadow on the ground
    reaching the side ahead of the athlete (a real clip in low sun) or a hand or foot out of the
    picture leaves the chest whole, and timing it there kept the line the chest crossed then."""
    bb = np.asarray(track.bbox, float)
    if bb.ndim != 2 or len(bb) == 0:
        return np.zeros(len(track), bool)
    dx = np.asarray(track.shift, float)[:, 0] if len(track.shift) == len(bb) else np.zeros(len(bb))
    right = np.minimum(width - 1.0, width - 1.0 - dx)
    left = np.maximum(0.0, -dx)
    if reference == "hip":
        at_right = np.isfinite(bb[:, 2]) & (bb[:, 2] >= right - 1.5)
        at_left = np.isfinite(bb[:, 0]) & (bb[:, 0] <= left + 1.5)
        return at_right | at_left
    fu = np.asarray(track.front_u, float)
    if track.direction > 0:
        return np.isfinite(fu) & (fu >= right - EDGE_CUT_PX)
    return np.isfinite(fu) & (fu <= left + EDGE_CUT_PX)


def _time_track(track: RunnerTrack, geom: LaneGeometry, cal: Calibration, info, reference: str, name: str, n: int,
                read_patches=None) -> AnalysisResult:
    if not track.found.any() or track.found.sum() < 3:
        raise AnalysisError(
            "No runner was found between the timing lines' cones: check that the clip shows the run and that "
            "the calibration belongs to this clip."
        )
    path = estimate_path(track, geom, 1.0 / info.capture_fps, info.width, info.height)
    s_path, s_sd = path.s, path.sd
    geom = geom.with_path(s_path)
    period = 1.0 / info.capture_fps
    x, sigma = lane_positions(track, geom, reference)
    x[cut_by_picture_edge(track, info.width, reference)] = np.nan
    sigma_path = path_sigma(track, geom, reference, s_sd)
    t = track.time_s
    try:
        onset = detect_start(track, x, period, read_patches)
    except _NoStart:
        fin = x[np.isfinite(x)]
        if len(fin) and float(fin[0] - np.min(fin)) > 1.0 and float(np.max(fin) - fin[0]) < 0.25:
            raise AnalysisError(
                "The athlete moves against the order of the timing lines (toward the first line): check that the "
                "calibration's lines are listed from the start toward the finish of this run."
            ) from None
        raise AnalysisError(
            "The runner never moves more than a few centimetres along the lane: there is no run to time in this clip."
        ) from None
    start = Start(onset.time_s, onset.uncertainty_s, onset.method, onset.frame)
    t_min = onset.time_s if onset.time_s is not None else None
    crossings = []
    for ln in cal.lines:
        lx = to_metres(ln.distance, cal.units)
        c = crossing(t, x, sigma, lx, track.index, period, t_min=t_min, sigma_common=sigma_path)
        note = c.note
        if note.startswith("already past") and not onset.flying:
            note = "the chest is over this line in the set position (the clock starts at first movement)"
        crossings.append(Crossing(ln.distance, c.time_s, c.uncertainty_s, c.frame, note, _plane(geom, lx, info)))
    reached = [c for c in crossings if c.time_s is not None]
    if not reached:
        # (from the first movement on: no line is crossed before it)
        after = np.isfinite(x) & (t >= onset.time_s if onset.time_s is not None else True)
        last = float(np.max(x[after])) if after.any() else float("nan")
        # A line the trace goes past without a time: the tracking broke off around it, which is
        # not the same advice as a line never reached.
        before = np.isfinite(x) & (t <= (onset.time_s if onset.time_s is not None else t[0]))
        x_from = float(np.median(x[before])) if before.any() else float(np.nanmin(x))
        passed = [c for c in crossings if x_from < to_metres(c.distance, cal.units) < last]
        top = _top_speed(t, x)
        if passed and top is not None and top < SPRINT_SPEED_M_S:
            # (someone walking about: the "first movement" found is any moment of it)
            raise AnalysisError(
                f"No line could be timed, and the person followed never moves faster than {top:.1f} m/s: this "
                "does not look like a sprint (walking or jogging?). Check the clip, and the calibration's distances."
            )
        if passed:
            raise AnalysisError(
                f"The runner passes the {passed[0].distance:g} {cal.units} line, but no line could be timed: the "
                "tracking of the chest breaks off around it (the camera shakes, or the picture is too coarse): film "
                "again with the phone held steadier, or closer."
            )
        raise AnalysisError(
            f"The runner never reaches a timing line in this clip (furthest point {from_metres(last, cal.units):.1f} "
            f"{cal.units}): check the calibration's distances, or film the whole rep."
        )
    splits = []
    warnings = []
    if onset.flying:
        base = reached[0]
        for c in reached[1:]:
            splits.append(Split(c.distance, c.time_s - base.time_s, _hyp(c.uncertainty_s, base.uncertainty_s)))
        if onset.method == "before-clip":
            warnings.append(
                f"The clip begins as the athlete goes: the first movement is before its first frame or too close to "
                f"it to time, so times are from the {base.distance:g} {cal.units} line, not from a start. Start "
                "recording a second or two before the athlete goes."
            )
        else:
            warnings.append(
                f"The athlete is already running at the first frame (a flying run): times are from the "
                f"{base.distance:g} {cal.units} line, not from a start."
            )
    else:
        for c in reached:
            # The start line itself is not a split: the clock starts at first movement.
            if c.distance > 0 and c.time_s > onset.time_s:
                splits.append(Split(c.distance, c.time_s - onset.time_s, _hyp(c.uncertainty_s, onset.uncertainty_s)))
    if not onset.flying and start.uncertainty_s is not None and start.uncertainty_s > START_UNCERTAIN_S:
        warnings.append(
            f"The first movement is uncertain (± {start.uncertainty_s:.2f} s), and so is every split: the athlete's "
            "set position sways in the picture (a hand-held phone, or strong compression). On a tripod, at the "
            "phone's highest quality, it is sharper."
        )
    middle = ("so the path is taken as the middle of the cones and each crossing's uncertainty includes that; "
              "check each crossing on its picture.")
    if path.shadow_ahead_m:
        warnings.append(
            f"Something flat on the ground moves with the athlete up to {path.shadow_ahead_m:.1f} m in front of the "
            "feet, toward the phone: the athlete's shadow, the phone facing a low sun? The feet cannot be told from "
            f"it, {middle} With the sun behind or beside the phone the shadow falls out of the way."
        )
    elif path.lowest_outside_m:
        warnings.append(
            f"The lowest part of the athlete's silhouette is {path.lowest_outside_m:.1f} m in front of the near cones: "
            f"a shadow on the ground in low sun, or lines not marked on this clip? The feet cannot be read, {middle}"
        )
    elif geom.homography is not None and not -PATH_OUTSIDE <= s_path <= 1.0 + PATH_OUTSIDE:
        # An athlete runs between the cones. Contacts read well outside them are the athlete's
        # feet with lines marked on another clip (the session's last calibration, the phone moved
        # since), an athlete really set outside them, or, in a short start clip, a shadow toward
        # the camera whose toes are all the feet found (a generated 12-yd start at 960x540: the
        # path 0.63 lane widths in front of the near cones, the 10-yd crossing 5.5 frames early).
        # Which, the feet cannot tell: the path stays, and the coach is asked to check.
        side = "in front of the near cones" if s_path < 0 else "beyond the far cones"
        off = (-s_path if s_path < 0 else s_path - 1.0) * (geom.lane_width_m or 0.0)
        warnings.append(
            f"The feet put the athlete's path {side}" + (f" ({off:.1f} m outside them)" if off > 0 else "")
            + ": a shadow on the ground in low sun, or lines not marked on this clip? The lines are placed there; "
            "check each crossing on its picture."
        )
    top = _top_speed(t, x)
    if top is not None and top < SPRINT_SPEED_M_S:
        warnings.append(
            f"The athlete never moves faster than {top:.1f} m/s between the lines: this does not look like a "
            "sprint (walking or jogging?). Check the clip, and the calibration's distances."
        )
    for c in crossings:
        if c.time_s is None and c.note == "not reached in the clip":
            warnings.append(f"The {c.distance:g} {cal.units} line is not reached in the clip.")
    steps = detect_steps(track, geom, period, cal.units, onset.time_s, info.width, info.height)
    bend = raggedness(steps)
    if steps and (path.shadow_ahead_m or path.lowest_outside_m):
        warnings.append("The steps are not shown: the feet could not be read (above).")
        steps = ()
    elif bend is not None and bend > RAGGED_STEPS:
        warnings.append(
            f"The steps are not shown: their lengths jump by {100 * bend:.0f} % from one step to the next, where a "
            "sprinter's change smoothly, so the feet were not read cleanly (in sunshine the athlete's shadow "
            "touches each toe)."
        )
        steps = ()
    ok = np.isfinite(x)
    trace = Trace(
        time_s=tuple(float(v) for v in t[ok]),
        position_m=tuple(float(v) for v in x[ok]),
        uncertainty_m=tuple(round(float(v), 4) for v in sigma[ok]),
        common_uncertainty_m=tuple(round(float(v), 4) for v in sigma_path[ok]),
        frame=tuple(int(v) for v in track.index[ok]),
        u_px=tuple(round(float(v), 2) for v in (track.front_u if reference == "torso" else track.hip_u)[ok]),
        v_px=tuple(round(float(v), 2) for v in (track.front_v if reference == "torso" else track.hip_v)[ok]),
        drift_px=tuple((round(float(a), 2), round(float(b), 2)) for a, b in track.shift[ok]),
        bbox_px=tuple(tuple(round(float(c), 1) for c in b) for b in track.bbox[ok]),
    )
    return AnalysisResult(
        clip=name, fps=round(info.fps, 4), capture_fps=round(info.capture_fps, 4), frames=n, units=cal.units,
        reference=reference, start=start, crossings=tuple(crossings), splits=tuple(splits), steps=steps,
        width=info.width, height=info.height, duration_s=float(t[-1]) if len(t) else 0.0,
        direction="left-to-right" if geom.direction > 0 else "right-to-left", flying=onset.flying,
        trace=trace, warnings=tuple(warnings), analyzer_version=__version__,
    )


def _plane(geom: LaneGeometry, x_m: float, info) -> tuple[tuple[float, float], tuple[float, float]]:
    """The timing line's vertical plane where the runner runs, as two first-frame pixels."""
    if geom.homography is None:
        u = geom.column_at_distance(x_m)
        return ((round(u, 1), float(info.height - 1)), (round(u, 1), 0.0))
    g = geom.ground_to_pixel(np.array([x_m]), geom.s_path)[0]
    ppm = 1.0 / max(geom.metres_per_pixel(float(g[0])), 1e-9)
    top = (float(g[0]), float(g[1] - 2.0 * ppm))
    if geom.vertical_vp is not None and abs(geom.vertical_vp[2]) > 1e-12:
        vp = np.array(geom.vertical_vp[:2]) / geom.vertical_vp[2]
        d = (g - vp) / np.linalg.norm(g - vp)
        if d[1] > 0:  # "up" in the picture is toward smaller rows
            d = -d
        top = tuple(g + d * 2.0 * ppm)
    return ((round(float(g[0]), 1), round(float(g[1]), 1)), (round(float(top[0]), 1), round(float(top[1]), 1)))


def _top_speed(t: np.ndarray, x: np.ndarray) -> float | None:
    """A robust top speed (m/s) of the measured trace: the 90th percentile of 0.25-s slopes."""
    ok = np.isfinite(x)
    if ok.sum() < 8:
        return None
    from .kinematics import trace_velocity

    try:
        v = np.asarray(trace_velocity(t[ok], x[ok]))
    except Exception:  # noqa: BLE001 - a trace too short or ragged for a speed: no verdict
        return None
    v = v[np.isfinite(v)]
    return float(np.percentile(np.abs(v), 90)) if len(v) else None


def _hyp(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    return float(np.hypot(a, b))


def _model(result: AnalysisResult, body_mass_kg, height_m) -> dict:
    """Sprint-model fit of the measured trace, from first movement to the last line reached.

    A fit that cannot be made returns ``{"error": "..."}`` so nothing pretends to be valid.
    """
    from .errors import Dash40Error
    from .kinematics import fit_trace, predict_velocity_at_time

    if result.flying or result.start.time_s is None:
        return {}
    t = np.asarray(result.trace.time_s)
    x = np.asarray(result.trace.position_m)
    s = np.asarray(result.trace.uncertainty_m)
    last = max((c.time_s for c in result.crossings if c.time_s is not None), default=None)
    keep = (t >= result.start.time_s - 0.3) & (t <= (last if last is not None else t[-1]) + 0.05)
    try:
        # The chest's trace follows the model with an onset of its own (the trunk rises as the
        # hips drive): the first movement is the starting value, not a constraint.
        fit = fit_trace(t[keep], x[keep], s[keep], t0=result.start.time_s, units=result.units)
        if body_mass_kg is not None and height_m is not None:
            fit = fit.with_force_velocity(body_mass_kg=body_mass_kg, height_m=height_m)
    except Dash40Error as exc:
        return {"error": str(exc)}
    # A clip that ends well before top speed (a 10-yd start) cannot measure MSS: the fit would
    # be an extrapolation whose stated interval only holds if the model is exactly right. Keep
    # it for the curious, under its own name, and say so instead of printing it as a result.
    t_last = float(t[keep][-1]) - fit.onset_time
    reached = float(predict_velocity_at_time(max(t_last, 0.0), fit.mss, fit.tau)) / fit.mss
    if reached < MODEL_MIN_SPEED_FRACTION:
        return {"error": f"the clip ends at {reached:.0%} of the athlete's projected top speed, so top speed (MSS) "
                         "and TAU would be guesses: film 30 m (35 yd) or more for the sprint model",
                "extrapolated_fit": fit.to_dict()}
    # A fit far outside what human sprinters do is a measurement problem, not a result.
    lo_tau, hi_tau = PLAUSIBLE_TAU_S
    mac = fit.mss / fit.tau
    if (not (lo_tau <= fit.tau <= hi_tau) or not (PLAUSIBLE_MSS_M_S[0] <= fit.mss <= PLAUSIBLE_MSS_M_S[1])
            or mac > PLAUSIBLE_MAC_M_S2):
        return {"error": f"the fit (MSS {fit.mss:.2f} m/s, TAU {fit.tau:.2f} s, so MAC {mac:.1f} m/s²) is outside "
                         f"what sprinters do (MSS {PLAUSIBLE_MSS_M_S[0]:g}-{PLAUSIBLE_MSS_M_S[1]:g} m/s, TAU "
                         f"{lo_tau:g}-{hi_tau:g} s, MAC up to {PLAUSIBLE_MAC_M_S2:g} m/s²): the runner was not "
                         "tracked well enough in this clip for the sprint model",
                "implausible_fit": fit.to_dict()}
    return fit.to_dict()
