"""Foot contacts → steps.

During a contact the stance foot is still on the ground while the body passes over it. Each
frame the tracker records the silhouette's lowest runs of columns (``ground_segments``); a run
whose bottom lies on the runner's ground line is a foot on the ground, and its front end (toe) is
a point on the lane. A contact is a series of consecutive frames in which such a toe stays at the
same lane position (within a few centimetres): a swinging foot moves by decimetres per frame.

Touchdown is taken midway between the last frame before the contact and its first frame, toe-off
midway between its last frame and the next (unbiased for an event uniformly placed between two
frames, uncertainty period/√12). Below 60 fps contacts last only 2–3 frames: the contact and
flight times then carry a wide uncertainty and are left out when a contact spans fewer than 3 frames.
"""

from __future__ import annotations

import numpy as np

from .calibration import LaneGeometry
from .result import Step, from_metres
from .tracking import LaneBand, RunnerTrack, feet_on_ground

STILL_M = 0.045  # a stance toe moves less than this between frames (m)
MIN_STEP_INTERVAL_S = 0.15  # touchdowns of consecutive steps are at least this far apart
FOOT_OFFSET_M = 0.2  # a foot lands up to this far to the side of the runner's path
LANE_WIDTH_GUESS_M = 3.0  # cone to cone, when the calibration cannot tell
FOOT_PAIR_SD_M = 0.09  # how far the midpoint of a left and a right contact may sit off the path
GROUND_SLACK_PX = 2.0  # the sole's lowest pixel: anti-aliasing, blur and the ground line's own error
SETTLE_ROWS_PX = 0.7  # a toe this many rows above its contact level is still in the air
MAX_STEP_M = 3.0  # no sprinter's step is longer (elite maximal-speed steps are ~2.6 m)
MAX_STEP_INTERVAL_S = 0.4  # a sprint step takes 0.2-0.3 s: a longer gap hides a missed contact
FOOT_SIDE_M = 0.09  # a sprinter's foot lands about this far to the side of the path (step width ~0.18 m)
RAGGED_STEPS = 0.3  # consecutive step lengths that bend this much (median, ``raggedness``) were not read from feet
RAGGED_ROW_PX = 0.5  # ... and the rows of such contacts are known to this much at best
BALL_BEHIND_TIP_M = 0.045  # the contact point (ball of the foot) lies this far behind the shoe's tip



def lane_width(geom: LaneGeometry) -> float:
    """The lane's width cone to cone (m): the calibration's, or LANE_WIDTH_GUESS_M when it cannot tell."""
    return geom.lane_width_m or LANE_WIDTH_GUESS_M

def _ground_rows(track: RunnerTrack, geom: LaneGeometry) -> callable:
    """Image row of the ground under the runner, as a function of the column."""
    if geom.homography is not None:
        return lambda u: float(geom.path_v_at(np.array([u]))[0])
    cu, cv = feet_on_ground(track, bins=15, q=90.0)
    if len(cu) == 0:
        return lambda u: np.nan
    if len(cu) < 2:
        level = float(cv[0])
        return lambda u_: level
    coef = np.polyfit(cu, cv, 1)
    return lambda u_: float(np.polyval(coef, u_))


def find_contacts(track: RunnerTrack, geom: LaneGeometry, frame_period: float, width: int, height: int) -> list[dict]:
    """Every foot (or hand) contact seen in the clip, in time order, set position included.

    Each is a dict: ``frames`` (track rows on the ground, settled), ``x`` (lane position of the
    contact point, m), ``at`` (track row -> (x, rows below the ground line, metres per pixel, toe
    column, toe row)), ``td_fit`` (sub-frame touchdown at ≥ 100 fps, or None).
    """
    band = LaneBand(geom, width, height)
    ground_v = _ground_rows(track, geom)
    # A foot on the ground is on the runner's ground line up to the feet's own offset across the
    # lane (each foot is ~0.1-0.2 m to one side of the path): how many rows that is at a column.
    lane_w = lane_width(geom)

    def tolerance(u: float) -> float:
        far, near = band.rows(u)
        across = abs(near - far) * FOOT_OFFSET_M / lane_w if geom.homography is not None else 0.0
        return max(across, 0.02 * band.px_per_m(u)) + GROUND_SLACK_PX
    # Per frame: toes on the ground, as (lane position, rows below the ground line, metres per
    # pixel, toe column, toe row).
    toes: list[list[tuple[float, float, float, float, float]]] = []
    for i, segs in enumerate(track.ground_segments):
        found = []
        if not track.repeat[i]:
            for u0, u1, v in segs:
                u_toe = u1 if track.direction > 0 else u0
                gv = ground_v(u_toe)
                if np.isfinite(gv) and abs(v - gv) <= tolerance(u_toe):
                    tip = float(geom.distance_at(np.array([u_toe + 0.5 * track.direction]))[0])
                    found.append((tip - BALL_BEHIND_TIP_M, float(v - gv), 1.0 / band.px_per_m(u_toe), float(u_toe),
                                  float(v)))
        toes.append(found)
    t = track.time_s
    # Link toes frame to frame into contacts.
    open_c: list[dict] = []
    done: list[dict] = []
    for i, xs in enumerate(toes):
        if track.repeat[i]:
            continue
        used = set()
        still_open = []
        for c in open_c:
            k = min(range(len(xs)), key=lambda j: abs(xs[j][0] - c["x"]), default=None)
            if k is not None and k not in used and abs(xs[k][0] - c["x"]) <= STILL_M:
                used.add(k)
                c["at"][i] = xs[k]
                c["x"] = float(np.median([a[0] for a in c["at"].values()]))
                c["miss"] = 0
                still_open.append(c)
            elif c["miss"] < 1:
                c["miss"] += 1
                still_open.append(c)
            else:
                done.append(c)
        for j, toe in enumerate(xs):
            if j not in used:
                still_open.append({"at": {i: toe}, "x": toe[0], "miss": 0})
        open_c = still_open
    done += open_c
    done.sort(key=lambda c: min(c["at"]))
    # Merge pieces of one contact (a missed frame, the toe's edge shifting by a few centimetres
    # as the foot rolls): same place, touching or overlapping in time.
    merged: list[dict] = []
    for c in done:
        hit = None
        for m in merged:
            if abs(c["x"] - m["x"]) <= 2 * STILL_M and min(c["at"]) - max(m["at"]) <= 3:
                hit = m
        if hit is not None:
            hit["at"].update(c["at"])
            hit["x"] = float(np.median([a[0] for a in hit["at"].values()]))
        else:
            merged.append(c)
    # The foot settles: a landing foot is near its spot a frame or two before it is down, and a
    # leaving toe rises before it moves. Frames at either end whose toe is not yet (or no
    # longer) at the contact's own place and level are not part of the contact.
    for c in merged:
        fr = sorted(c["at"])
        x_med = float(np.median([c["at"][f][0] for f in fr]))
        dv_med = float(np.median([c["at"][f][1] for f in fr]))

        def settled(f, c=c, x_med=x_med, dv_med=dv_med):
            x, dv, mpp = c["at"][f][:3]
            return abs(x - x_med) <= max(1.2 * mpp, 0.02) and dv >= dv_med - SETTLE_ROWS_PX

        while len(fr) > 1 and not settled(fr[0]):
            fr.pop(0)
        while len(fr) > 1 and not settled(fr[-1]):
            fr.pop()
        c["frames"] = fr
        c["x"] = float(np.median([c["at"][f][0] for f in fr]))
        # (at 100 fps and more; below that the descent spans a frame or two and the midpoint rule is better)
        c["td_fit"] = _landing_time(t, c["at"], fr) if frame_period < 0.01 else None
    # A contact lasts at least ~50 ms (3 frames at 60 fps; 2 at 30 fps).
    min_frames = max(2, int(round(0.05 / frame_period)))
    return [c for c in merged if c["frames"][-1] - c["frames"][0] + 1 >= min_frames]


def path_from_contacts(contacts: list[dict], track: RunnerTrack, geom: LaneGeometry) -> tuple[float, float, int] | None:
    """Across-lane position of the runner's path (lane widths, 0 = near cones) from the running
    contacts, its 1-sigma, and how many contacts gave it; None with fewer than 2.

    Each contact's toe rests on the ground for several frames: its row, taken at the bottom edge
    of the sole's lowest half-covered pixel (row + 0.5) and its column give a ground point through
    the calibration's homography. Feet land alternately ~9 cm either side of the path, so the
    median over the contacts is the path. On the benchmark this is unbiased to ~0.02 lane widths
    at every camera distance (the lowest pixel row itself, without the half pixel, put the path
    0.18 lane widths too far at 40 yd). Set-position contacts (the hands) are left out, and only
    one contact counts per step (``_one_per_step``).

    With only 2 or 3 running contacts (a short clip of a start) the median would be one foot's:
    the middle of consecutive contacts, a left and a right foot, is taken instead, with a 1-sigma
    for how far off symmetric two feet may land. (Such clips fell back on the silhouette's lowest
    points: a generated 5-yd start at 120 fps put the path 31 cm off, now 6 cm.) The middles of
    consecutive contacts for every clip were tried: the suite's split median 0.27 -> 0.19 frame,
    but over its replicates no better (0.28, 19 -> 21 splits over 0.6 frame) and the angled
    camera's worse in every copy.
    """
    if geom.homography is None:
        return None
    first = _first_valid(track)
    s = []
    used = _one_per_step([c for c in contacts if c["frames"][0] != first], track)
    for c in used:
        pts = np.array([c["at"][f][3:5] for f in c["frames"]], float)
        _, sv = geom.pixel_to_ground(pts[:, 0], pts[:, 1] + 0.5)
        sv = sv[np.isfinite(sv)]
        if len(sv):
            s.append(float(np.median(sv)))
    if len(s) < 2:
        return None
    s = np.array(s)
    lane_px = geom.lane_height_px()
    if len(s) < 4:
        mid = 0.5 * (s[1:] + s[:-1])
        med = float(np.median(mid))
        sd = max(0.15 / lane_px, FOOT_PAIR_SD_M / lane_width(geom) / np.sqrt(len(mid)))
        return med, sd, len(s)
    med = float(np.median(s))
    # The spread of the contacts (feet either side, pixel rows) and a floor for what the rows
    # cannot resolve (0.15 px).
    sd = max(1.4826 * float(np.median(np.abs(s - med))) / np.sqrt(len(s)), 0.15 / lane_px)
    # Contacts that do not follow one another as a sprinter's feet do (``raggedness``: 0.08-0.14
    # on generated starts, 0.69-2.7 on the same starts in low sun) include a shadow's toes, whose
    # row the shadow moves by up to a row (sun along the run, 40-yd framing: the path 0.13 lane
    # widths near, said ± 0.05): their rows are known to half a row at best.
    bend = _bend(np.array([c["x"] for c in used]))
    if bend is not None and bend > RAGGED_STEPS:
        sd = max(sd, RAGGED_ROW_PX / lane_px)
    return med, sd, len(s)


def _one_per_step(contacts: list[dict], track: RunnerTrack) -> list[dict]:
    """The contacts with, of two whose touchdowns are closer than MIN_STEP_INTERVAL_S, the one
    further along the lane (as ``detect_steps`` keeps them): a sprinter takes at most ~6 steps a
    second, and the other is something else on the ground for a while (a knee or the trailing
    foot low behind the first step)."""
    out: list[dict] = []
    for c in sorted(contacts, key=lambda c: c["frames"][0]):
        if out and track.time_s[c["frames"][0]] - track.time_s[out[-1]["frames"][0]] < MIN_STEP_INTERVAL_S:
            if c["x"] > out[-1]["x"]:
                out[-1] = c
            continue
        out.append(c)
    return out


def detect_steps(track: RunnerTrack, geom: LaneGeometry, frame_period: float, units: str,
                 t_start: float | None, width: int, height: int,
                 contacts: list[dict] | None = None) -> tuple[Step, ...]:
    """Every foot contact after ``t_start`` (the first movement), as ``Step``s in ``units``."""
    merged = contacts if contacts is not None else find_contacts(track, geom, frame_period, width, height)
    t = track.time_s
    steps: list[Step] = []
    n = len(t)
    first = _first_valid(track)
    # Contacts already there at the first frame are the set position (feet and hand); the first
    # step is measured from the one that leaves last (the front foot's push).
    set_contacts = [c for c in merged if c["frames"][0] == first]
    merged = [c for c in merged if c["frames"][0] != first]
    prev_x = prev_to = prev_td = None
    if set_contacts:
        last = max(set_contacts, key=lambda c: c["frames"][-1])
        prev_x = last["x"]
        f1 = last["frames"][-1]
        prev_to = 0.5 * (t[f1] + t[min(n - 1, _next_frame(track, f1))])
    # Candidates after the start, in order.
    cands = []
    last_x = prev_x
    for c in merged:
        f0, f1 = c["frames"][0], c["frames"][-1]
        # Each step lands ahead of the last one; anything else (a hand, a heel behind) is not a step.
        if last_x is not None and c["x"] < last_x + 0.25:
            continue
        td = c["td_fit"] if c.get("td_fit") is not None else 0.5 * (t[f0] + t[_prev_frame(track, f0)])
        # Toe-off is seen only if the runner is still seen in the next frame (not out of the picture).
        nxt = _next_frame(track, f1)
        to = 0.5 * (t[f1] + t[nxt]) if (f1 < n - 1 and track.found[nxt]) else None
        if t_start is not None and td <= t_start:
            last_x = c["x"]
            continue
        cand = {"td": float(td), "to": to, "x": c["x"], "spans": f1 - f0 + 1, "f0": f0}
        # Sprinters take at most ~6 steps a second: two touchdowns closer than 0.15 s are one
        # contact seen twice, or a contact and something still on the ground behind the runner
        # (a cone the legs pass, the foot that just left): keep the one further along the lane
        # (of one contact seen twice, the longer-lasting).
        if cands and cand["td"] - cands[-1]["td"] < MIN_STEP_INTERVAL_S:
            prev = cands[-1]
            same = abs(cand["x"] - prev["x"]) <= 2 * STILL_M
            if (same and cand["spans"] > prev["spans"]) or (not same and cand["x"] > prev["x"]):
                cands[-1] = cand
                last_x = cand["x"]
            continue
        cands.append(cand)
        last_x = cand["x"]
    # Feet land alternately on either side of the path: correct each contact for its side
    # (the set position's last foot is the other side from the first step).
    seq = ([prev_x] if prev_x is not None else []) + [c["x"] for c in cands]
    seq_t = ([prev_to] if prev_x is not None else []) + [c["td"] for c in cands]
    seq_x, seq_side = assign_sides(np.array(seq, float), geom, track.direction,
                                   np.array([np.nan if v is None else v for v in seq_t], float))
    if prev_x is not None:
        prev_x = float(seq_x[0])
        seq_x, seq_side = seq_x[1:], seq_side[1:]
    gaps = np.diff([c["td"] for c in cands])
    typical = float(np.median(gaps)) if len(gaps) else None
    for cand, x, side in zip(cands, seq_x, seq_side, strict=True):
        td, to, spans = cand["td"], cand["to"], cand["spans"]
        x = float(x)
        ct = (to - td) if (to is not None and spans >= 3) else None
        if prev_td is not None and ((typical and td - prev_td > 1.6 * typical) or td - prev_td > MAX_STEP_INTERVAL_S):
            # A contact was not seen in between: what lies between these two is not one step.
            prev_x = prev_to = prev_td = None
        steps.append(Step(
            time_s=td,
            distance=from_metres(x, units),
            side=side,
            length=None if (prev_x is None or not 0.2 <= x - prev_x <= MAX_STEP_M) else from_metres(x - prev_x, units),
            toe_off_s=None if to is None else float(to),
            contact_time_s=None if ct is None else float(ct),
            flight_time_s=None if (prev_to is None or spans < 3) else float(td - prev_to),
            frequency_hz=None if (prev_td is None or td <= prev_td) else float(1.0 / (td - prev_td)),
            frame=int(track.index[cand["f0"]]),
            uncertainty_s=float(frame_period / np.sqrt(12)),
        ))
        prev_td, prev_x, prev_to = td, x, to
    return tuple(steps)


def raggedness(steps: tuple[Step, ...]) -> float | None:
    """How much the distances between consecutive steps bend away from a straight line: the
    median over the steps of |L[i-1] - 2 L[i] + L[i+1]| / L[i], L the distances from one step's
    contact to the next (None with fewer than five steps).

    A sprinter's steps lengthen smoothly through the acceleration, and a left-right asymmetry of
    10 % bends them by 0.2; a contact missed now and then doubles one distance and bends two
    (the median does not see it). The suite's clips and the sun suite's overcast twins, read from
    their feet: 0.01-0.04; the same starts in low sun, whose shadow touches each toe and moves or
    hides the contacts found: 0.41-2.3 (``benchmarks/accuracy.py --sun``).
    """
    return _bend(np.array([s.distance for s in steps], float))


def _bend(x: np.ndarray) -> float | None:
    """``raggedness`` of contacts at lane positions ``x`` (in time order)."""
    if len(x) < 5:
        return None
    L = np.diff(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        bends = np.abs(L[2:] - 2 * L[1:-1] + L[:-2]) / np.abs(L[1:-1])
    bends = bends[np.isfinite(bends)]
    return float(np.median(bends)) if len(bends) >= 2 else None


def assign_sides(x: np.ndarray, geom: LaneGeometry, direction: int,
                 times: np.ndarray | None = None) -> tuple[np.ndarray, list[str]]:
    """Contact positions corrected for the side each foot lands on, and the sides.

    A toe seen on an image column is placed on the runner's path; a foot landing a little nearer
    to the camera (or further) than the path is then placed too far from (or too close to) the
    camera's own lane position, in proportion — a zigzag in the step lengths that grows away
    from the camera. Feet alternate, so there are two hypotheses (the first contact near or far);
    the one whose corrected step lengths change more smoothly wins. The camera sees the runner's
    right side when the run goes left to right in the picture (and the left side the other way). When the two hypotheses are too
    close to call (a camera square-on to a short run), positions are left as measured and the
    side is "unknown". With ``times`` (touchdowns), a gap of two step times is a missed contact:
    the side alternates twice across it.
    """
    n = len(x)
    if n < 4 or geom.camera_xz is None or geom.lane_width_m is None:
        return x, ["unknown"] * n
    cx, cs = geom.camera_xz
    depth = abs(geom.s_path - cs) * geom.lane_width_m
    if depth <= 1.0:
        return x, ["unknown"] * n
    order = np.arange(n)
    if times is not None and n >= 3:
        gaps = np.diff(np.asarray(times, float))
        typical = float(np.median(gaps[np.isfinite(gaps)])) if np.any(np.isfinite(gaps)) else 0.0
        if typical > 0:
            steps_between = np.where(np.isfinite(gaps), np.maximum(1, np.round(gaps / typical)), 1)
            order = np.r_[0, np.cumsum(steps_between)].astype(int)
    best = None
    for first_near in (True, False):
        sign = np.array([1.0 if (k % 2 == 0) == first_near else -1.0 for k in order])  # +1 = near
        # top view: the column's ray through the path point, followed to the foot's depth
        xc = cx + (x - cx) * (1.0 - sign * FOOT_SIDE_M / depth)
        rough = float(np.sum(np.diff(np.diff(xc) / np.diff(order)) ** 2))  # a gap: its mean step
        if best is None or rough < best[0]:
            best, other = (rough, xc, sign), best
        else:
            other = (rough, xc, sign)
    rough, xc, sign = best
    if other is None or other[0] < 1.2 * rough + 1e-6:
        return x, ["unknown"] * n
    near, far = ("right", "left") if direction > 0 else ("left", "right")
    return xc, [near if s_ > 0 else far for s_ in sign]


def _landing_time(t: np.ndarray, at: dict, frames: list[int]) -> float | None:
    """Sub-frame touchdown from the toe's descent, when the frame rate shows it (≥ 3 frames of
    descent and 3 on the ground): the toe's height above its contact level falls along a line and
    then stays; the hinge of the best such fit is the touchdown. None when it cannot be seen."""
    linked = sorted(f for f in at if f <= frames[min(len(frames) - 1, 3)])
    if len(linked) < 6:
        return None
    on = [f for f in linked if f >= frames[0]]
    before = [f for f in linked if f < frames[0]]
    if len(before) < 3 or len(on) < 3:
        return None
    tt = t[np.array(linked)]
    yy = np.array([at[f][1] for f in linked])  # rows below the ground line (negative: above)
    level = float(np.median(yy[-len(on):]))
    if level - float(yy[0]) < 1.0:
        return None  # the series does not start in the air: no descent to see
    best = None
    for td in np.linspace(tt[0], tt[-1], 4 * len(tt)):
        h = np.maximum(0.0, td - tt)
        A = np.stack([np.ones_like(h), -h], axis=1)
        coef, *_ = np.linalg.lstsq(A, yy, rcond=None)
        if coef[1] <= 0:
            continue
        sse = float(np.sum((A @ coef - yy) ** 2))
        if best is None or sse < best[0]:
            best = (sse, float(td))
    return None if best is None else best[1]


def _first_valid(track: RunnerTrack) -> int:
    ok = np.nonzero(~track.repeat)[0]
    return int(ok[0]) if len(ok) else 0


def _prev_frame(track: RunnerTrack, i: int) -> int:
    j = i - 1
    while j > 0 and track.repeat[j]:
        j -= 1
    return max(j, 0)


def _next_frame(track: RunnerTrack, i: int) -> int:
    j = i + 1
    while j < len(track.repeat) - 1 and track.repeat[j]:
        j += 1
    return j
