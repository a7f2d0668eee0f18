"""The athlete as deterministic continuous functions of time.

Everything that defines the truth is analytic:

* hip centre x(t) = x_hip_set + MSS·(τ + TAU·e^(−τ/TAU) − TAU), τ = max(t − t0, 0);
* the trunk is one capsule from the hip centre to the neck base, radius ``R_TRUNK``·scale (half
  the chest's depth, front to back; across the body it is wider, ``TRUNK_HALF_WIDTH``·scale, and
  drawn with its true perspective outline), whose angle above the horizontal is a smooth function
  of v/MSS; the chest front is its most forward world-x point: max(hip.x, neck.x) + r;
* foot contacts are planned once from the hip trajectory: each has a touchdown and a toe-off time
  and the stance foot is fixed in the world between them.

Everything else (hip height, knees by two-link IK, swing feet, arms, head) is a continuous
function of time built on those, used only for drawing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Segment proportions (fractions of stature) and radii (metres at 1.83 m stature).
THIGH, SHANK = 0.245, 0.246
TRUNK = 0.30
UPPER_ARM, FOREARM = 0.186, 0.146
R_TRUNK, R_HEAD, R_NECK = 0.125, 0.11, 0.06
TRUNK_HALF_WIDTH = 0.175  # across the chest (a chest is ~1.4 times as wide as it is deep)
R_UPPER_ARM, R_FOREARM, R_HAND = 0.045, 0.04, 0.035
R_THIGH, R_SHANK, R_FOOT = 0.075, 0.055, 0.035
HIP_HALF_WIDTH, SHOULDER_HALF_WIDTH = 0.09, 0.17
HEEL = (-0.05, -0.045)  # foot points relative to the ankle (x forward, y up), metres at 1.83 m
TOE = (0.15, -0.045)

THETA_SET, THETA_RUN = math.radians(-10.0), math.radians(82.0)  # trunk angle above horizontal
# The neck's angle from the trunk's axis (degrees, counter-clockwise) in the stance and the drive
# (``SceneConfig.head``), and once upright.
HEAD_TILT_UP_DEG, HEAD_TILT_IN_LINE_DEG, HEAD_TILT_RUN_DEG = 35.0, 0.0, 8.0
PHI_SET, PHI_RUN = math.radians(25.0), math.radians(12.0)  # heel raised during contact
ARM_SET_INCLINE = math.radians(12.0)  # ground arm: hand ahead of the shoulder
REAR_TOE_OFF, FRONT_TOE_OFF, FIRST_TOUCHDOWN = 0.15, 0.32, 0.38  # s after t0
MARKS_BACK, MARKS_DOWN = 0.20, 0.22  # "on your marks": hips this far back and down from "set" (m at 1.83 m)
MARKS_TILT = math.radians(10.0)  # ... and the trunk this much more upright (the shoulders stay over the hands)
HAND_BLEND = 0.30  # s over which the arms go from the stance to running
LANDING_SPEED = 1.0  # m/s, the swing foot's downward speed at touchdown
SIDES = ("left", "right")


def smootherstep(x):
    x = np.clip(x, 0.0, 1.0)
    return x * x * x * (x * (6.0 * x - 15.0) + 10.0)


def _rot(v, a: float) -> np.ndarray:
    """Rotate a 2-D vector counter-clockwise (x forward, y up) by ``a`` radians."""
    c, s = math.cos(a), math.sin(a)
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]])


POSTURE_EASE = 0.08  # v/MSS over which the rise eases in from rest


def posture_fraction(s):
    """Smooth 0 → 1 with v/MSS: how far the body has risen from the stance to running.

    It starts with zero slope (quadratic in v/MSS up to ``POSTURE_EASE``, then continuing with
    the same slope), so that every point of the body, not only the hip, leaves the stance from
    rest: a real athlete's shoulders and head cannot jump to a finite speed at first movement.
    """
    s = np.clip(s, 0.0, 1.0)
    k = POSTURE_EASE
    se = np.where(s < k, s * s / (2.0 * k), s - 0.5 * k) / (1.0 - 0.5 * k)
    return 1.0 - (1.0 - se) ** 1.6


DRIVE_FIRST, DRIVE_EASE = 0.55, 0.3  # long drive: this part of the rise by v/MSS = DRIVE_EASE, the rest as (v/MSS)³


def long_drive_fraction(s):
    """How far the trunk has risen (0 → 1 with v/MSS) for an athlete who stays low through a long
    drive phase (``SceneConfig.posture="long_drive"``): up to ~41° above the horizontal by the first
    step, then slowly, ~54° at 5 m, ~65° at 10 m, ~75° at 20 m (mss 9 m/s, tau 1.2 s; coaches'
    published progressions run 45°, 60°, 70°, 80° at the first step, 5, 10 and 20 m). Zero slope at
    rest, as ``posture_fraction``."""
    s = np.clip(s, 0.0, 1.0)
    return DRIVE_FIRST * smootherstep(s / DRIVE_EASE) + (1.0 - DRIVE_FIRST) * s**3


@dataclass(frozen=True)
class Contact:
    """One foot contact; the stance foot is fixed in the world from touchdown to toe-off.

    ``x`` is the contact point: the world x of the foot capsule's front (toe) end point, which
    is the foot's lowest point (the ball of the foot) during the contact. ``touchdown`` is
    -inf for the feet already on the ground in the set position.
    """

    side: str
    touchdown: float
    toe_off: float
    x: float
    ankle: tuple[float, float]  # (x, y) of the ankle, fixed during the contact
    phi: float  # foot angle (heel raised), rad
    set_position: bool = False


@dataclass(frozen=True)
class Capsule:
    name: str
    a: np.ndarray  # world end points (3,)
    b: np.ndarray
    ra: float
    rb: float
    colour: tuple[int, int, int]
    half_width: float | None = None  # across-lane half width (z) of an elliptical cross-section; None = round


@dataclass(frozen=True)
class Pose:
    """Joint positions (world, metres) and the capsules to draw, back to front."""

    t: float
    joints: dict[str, np.ndarray]
    capsules: list[Capsule]


class Athlete:
    """The continuous model of one run. Build with ``Athlete(config)``.

    Times are real seconds from the first frame. ``near_side`` is the side ("left"/"right") that
    faces the camera.
    """

    def __init__(self, cfg, t_end: float | None = None):
        self.cfg = cfg
        self.sc = cfg.stature / 1.83
        self.mss, self.tau, self.t0 = float(cfg.mss), float(cfg.tau), float(cfg.t0)
        self.into_set = float(getattr(cfg, "into_set_s", 0.0))
        self.t_set = self.t0 - float(getattr(cfg, "set_hold_s", 1.0))  # the set position is reached
        self.z = float(cfg.lane_offset)
        sc = self.sc
        self.thigh, self.shank = THIGH * cfg.stature, SHANK * cfg.stature
        self.leg = self.thigh + self.shank
        self.trunk_len = TRUNK * cfg.stature
        self.r_trunk = R_TRUNK * sc
        self.upper_arm, self.forearm = UPPER_ARM * cfg.stature, FOREARM * cfg.stature
        self.heel = np.array(HEEL) * sc
        self.toe = np.array(TOE) * sc
        self.r_foot = R_FOOT * sc
        # camera at +z (left-to-right) faces the runner's right side
        self.near_side = "left" if cfg.right_to_left else "right"
        self.near_sign = -1.0 if cfg.right_to_left else 1.0
        self.ground_hand = "right"  # the down hand is on the rear foot's side
        self.rear, self.front = "right", "left"
        self._set_geometry()
        self.h_run = 0.50 * cfg.stature
        self.t_end = float(t_end if t_end is not None else cfg.duration) + 1.0
        self.contacts = self._plan_contacts()
        self._by_side = {s: [c for c in self.contacts if c.side == s] for s in SIDES}
        tds = [c.touchdown for c in self.contacts if not c.set_position]
        self._touchdowns = np.array(tds)
        self._td_sides = [c.side for c in self.contacts if not c.set_position]

    # ---- the set position ---------------------------------------------------------------
    def _set_geometry(self) -> None:
        cfg, sc = self.cfg, self.sc
        wrist = np.array([cfg.hand_x - 0.03 * sc, 0.09 * sc])
        arm = 0.97 * (self.upper_arm + self.forearm)
        shoulder = wrist + arm * np.array([-math.sin(ARM_SET_INCLINE), math.cos(ARM_SET_INCLINE)])
        d = np.array([math.cos(THETA_SET), math.sin(THETA_SET)])
        hip = shoulder - 0.93 * self.trunk_len * d
        self.x_hip_set = float(hip[0])
        self.h_set = float(hip[1])
        self.wrist_set = wrist

    # ---- sprint model (vectorised) --------------------------------------------------------
    def tau_of(self, t):
        return np.maximum(np.asarray(t, float) - self.t0, 0.0)

    def marks(self, t):
        """1 in "on your marks", easing to 0 as the athlete rises into the set position (0 when
        the clip begins in set)."""
        if self.into_set <= 0.0:
            return np.zeros_like(np.asarray(t, float))
        return 1.0 - smootherstep((np.asarray(t, float) - (self.t_set - self.into_set)) / self.into_set)

    def hip_x(self, t):
        """Hip-centre world x (m) at real time t (s); exact mono-exponential model after t0."""
        tau = self.tau_of(t)
        run = self.x_hip_set + self.mss * (tau + self.tau * np.exp(-tau / self.tau) - self.tau)
        return run - MARKS_BACK * self.sc * self.marks(t)

    def speed(self, t):
        tau = self.tau_of(t)
        return self.mss * (1.0 - np.exp(-tau / self.tau))

    def trunk_angle(self, t):
        """Trunk angle above the horizontal (rad), smooth in v/MSS."""
        s = self.speed(t) / self.mss
        g = long_drive_fraction(s) if self.cfg.posture == "long_drive" else posture_fraction(s)
        return THETA_SET + (THETA_RUN - THETA_SET) * g + MARKS_TILT * self.marks(t)

    def chest_front_x(self, t):
        """The trunk capsule's most forward world x: max(hip.x, neck.x) + r_trunk."""
        hx = self.hip_x(t)
        nx = hx + self.trunk_len * np.cos(self.trunk_angle(t))
        return np.maximum(hx, nx) + self.r_trunk

    # ---- contacts --------------------------------------------------------------------------
    def _ankle_for(self, toe_x: float, phi: float) -> tuple[float, float]:
        """Ankle (x, y) of a foot at angle phi whose toe end's bottom is on the ground at x = toe_x."""
        toe_rel = _rot(self.toe, -phi)
        return float(toe_x - toe_rel[0]), float(self.r_foot - toe_rel[1])

    def contact_time(self, s: float) -> float:
        return 0.20 - 0.10 * s

    def step_time(self, s: float) -> float:
        return 1.0 / (3.9 + 0.7 * s)

    def _plan_contacts(self) -> list[Contact]:
        sc, t0 = self.sc, self.t0
        out = []
        for side, dx, off in ((self.rear, -0.40, REAR_TOE_OFF), (self.front, 0.15, FRONT_TOE_OFF)):
            ankle_x = self.x_hip_set + dx * sc
            toe_x = ankle_x + _rot(self.toe, -PHI_SET)[0]
            ankle = self._ankle_for(toe_x, PHI_SET)
            out.append(Contact(side, -math.inf, t0 + off, float(toe_x), ankle, PHI_SET, True))
        td, side = t0 + FIRST_TOUCHDOWN, self.rear
        while td < max(self.t_end, t0 + 3.0):
            s = float(self.speed(td)) / self.mss
            c = self.contact_time(s)
            phi = PHI_SET + (PHI_RUN - PHI_SET) * min(1.0, s / 0.5)
            ankle_x = float(self.hip_x(td + 0.5 * c))
            toe_x = ankle_x + _rot(self.toe, -phi)[0]
            ankle = self._ankle_for(toe_x, phi)
            out.append(Contact(side, td, td + c, float(toe_x), ankle, phi))
            td += self.step_time(s)
            side = "left" if side == "right" else "right"
        return out

    # ---- feet ------------------------------------------------------------------------------
    def _foot_state(self, side: str, t: float):
        """(ankle (x, y), foot angle, in contact?, swing fraction or None) of a foot at time t."""
        cs = self._by_side[side]
        for i, c in enumerate(cs):
            if t <= c.toe_off and (t >= c.touchdown):
                return np.array(c.ankle), c.phi, True, None
            if i + 1 < len(cs) and c.toe_off < t < cs[i + 1].touchdown:
                n = cs[i + 1]
                u = (t - c.toe_off) / (n.touchdown - c.toe_off)
                e = float(smootherstep(u))
                s = float(self.speed(t)) / self.mss
                lift = (0.10 + 0.38 * s) * self.sc
                # Up and over, then down onto the ground at LANDING_SPEED (a foot does not float
                # down to rest: it strikes, and the touchdown is a visible event).
                swing = n.touchdown - c.toe_off
                bump = math.sin(math.pi * u ** 0.75) ** 2 + (LANDING_SPEED * swing / lift) * u ** 8 * (1.0 - u)
                x = c.ankle[0] + (n.ankle[0] - c.ankle[0]) * e
                y = c.ankle[1] + (n.ankle[1] - c.ankle[1]) * e + lift * bump
                phi = c.phi + (n.phi - c.phi) * e - math.radians(35.0) * math.sin(math.pi * u) ** 2
                return np.array([x, y]), phi, False, u
        # past the plan: keep the last contact (the plan runs a second beyond the clip)
        c = cs[-1]
        return np.array(c.ankle), c.phi, True, None

    def hip_y(self, t: float, feet=None) -> float:
        """Hip height: smooth nominal height, lowered (continuously) so that a stance foot stays in
        reach of the leg; a swing foot's constraint fades in and out with its swing."""
        g = float(posture_fraction(float(self.speed(t)) / self.mss))
        h = self.h_set + (self.h_run - self.h_set) * g - MARKS_DOWN * self.sc * float(self.marks(t))
        hx = float(self.hip_x(t))
        reach = 0.995 * self.leg
        feet = feet or {s: self._foot_state(s, t) for s in SIDES}
        for _side, (ankle, _phi, _contact, u) in feet.items():
            dx = min(abs(ankle[0] - hx), reach)
            lim = ankle[1] + math.sqrt(reach * reach - dx * dx)
            if u is not None:
                lim += 2.0 * self.leg * math.sqrt(math.sin(math.pi * u))
            h = min(h, lim)
        return h

    # ---- the full pose ---------------------------------------------------------------------
    def _arm_angles(self, side: str, t: float, s: float) -> tuple[float, float]:
        """Running arm: (upper-arm angle from the trunk's downward axis, forward +; elbow flexion).

        The arm is at an extreme at every touchdown (back on the touchdown foot's side) and moves
        between extremes along a half cosine; before the first step it starts from hanging (0)."""
        tds = self._touchdowns
        k = int(np.searchsorted(tds, t, side="right")) - 1
        if k < 0:
            t_a, t_b, a, b = self.t0, tds[0], 0.0, self._arm_target(side, 0)
        elif k + 1 < len(tds):
            t_a, t_b, a, b = tds[k], tds[k + 1], self._arm_target(side, k), self._arm_target(side, k + 1)
        else:
            t_a, t_b, a, b = tds[k], tds[k] + 1.0, self._arm_target(side, k), self._arm_target(side, k)
        u = min(max((t - t_a) / max(t_b - t_a, 1e-9), 0.0), 1.0)
        val = a + (b - a) * (1 - math.cos(math.pi * u)) / 2
        amp = math.radians(32.0 + 18.0 * s)
        return amp * val, math.radians(90.0) + math.radians(20.0) * val

    def _arm_target(self, side: str, k: int) -> float:
        """+1 arm forward, −1 arm back, at the k-th running touchdown (opposite to the leg)."""
        return -1.0 if self._td_sides[k] == side else 1.0

    def _limb_2link(self, root, end, l1, l2, bend: float):
        """Middle joint of a two-link chain (2-D); ``bend`` +1 bends forward (knee), −1 back."""
        d = end - root
        dist = float(np.hypot(*d))
        dist_c = min(max(dist, 1e-6), 0.999 * (l1 + l2))
        if dist > dist_c:
            end = root + d * (dist_c / dist)
            d = end - root
        cos_a = (l1 * l1 + dist_c * dist_c - l2 * l2) / (2 * l1 * dist_c)
        a = math.acos(max(-1.0, min(1.0, cos_a)))
        base = d / dist_c
        mid = root + l1 * _rot(base, bend * a)
        return mid, end

    def pose(self, t: float) -> Pose:
        """Joints and capsules at real time t. Static from the set position to t0."""
        cfg, sc, z0 = self.cfg, self.sc, self.z
        t = float(t)
        s = float(self.speed(t)) / self.mss
        g = float(posture_fraction(s))
        feet = {sd: self._foot_state(sd, t) for sd in SIDES}
        hx = float(self.hip_x(t))
        hy = self.hip_y(t, feet)
        hip = np.array([hx, hy])
        th = float(self.trunk_angle(t))
        tdir = np.array([math.cos(th), math.sin(th)])
        neck = hip + self.trunk_len * tdir
        shoulder = hip + 0.93 * self.trunk_len * tdir
        tilt = HEAD_TILT_IN_LINE_DEG if cfg.head == "in_line" else HEAD_TILT_UP_DEG
        nang = th + math.radians(tilt + (HEAD_TILT_RUN_DEG - tilt) * g)
        ndir = np.array([math.cos(nang), math.sin(nang)])
        neck_top = neck + 0.08 * sc * ndir
        head = neck + (0.06 + R_HEAD) * sc * ndir

        def w3(p2, zoff=0.0):
            return np.array([p2[0], p2[1], z0 + zoff])

        joints = {"hip": w3(hip), "neck": w3(neck), "head": w3(head), "shoulder": w3(shoulder)}
        legs, arms = {}, {}
        for sd in SIDES:
            zs = (1.0 if sd == "right" else -1.0)
            ankle, phi, _c, _u = feet[sd]
            knee, ankle2 = self._limb_2link(hip, ankle, self.thigh, self.shank, +1.0)
            heel = ankle2 + _rot(self.heel, -phi)
            toe = ankle2 + _rot(self.toe, -phi)
            zl = zs * HIP_HALF_WIDTH * sc
            legs[sd] = (w3(hip, zl), w3(knee, zl), w3(ankle2, zl), w3(heel, zl), w3(toe, zl))
            joints.update({f"{sd}_knee": w3(knee, zl), f"{sd}_ankle": w3(ankle2, zl),
                           f"{sd}_heel": w3(heel, zl), f"{sd}_toe": w3(toe, zl)})
            # arms
            psi, flex = self._arm_angles(sd, t, s)
            if sd == self.ground_hand:
                psi0, flex0 = self._set_arm_angles()
            else:
                psi0, flex0 = math.radians(40.0), math.radians(15.0)
            wgt = float(smootherstep((t - self.t0) / HAND_BLEND))
            psi = psi0 + (psi - psi0) * wgt
            flex = flex0 + (flex - flex0) * wgt
            down = -tdir
            if sd == self.ground_hand and self.into_set > 0.0 and t < self.t_set:  # rising into set: the hand stays put
                elbow, wrist = self._limb_2link(shoulder, self.wrist_set, self.upper_arm, self.forearm, -1.0)
                fa = (wrist - elbow) / self.forearm
            else:
                ua = _rot(down, psi)
                elbow = shoulder + self.upper_arm * ua
                fa = _rot(ua, flex)
                wrist = elbow + self.forearm * fa
            hand = wrist + 0.08 * sc * fa
            za = zs * SHOULDER_HALF_WIDTH * sc
            arms[sd] = (w3(shoulder, za), w3(elbow, za), w3(wrist, za), w3(hand, za))
            joints.update({f"{sd}_elbow": w3(elbow, za), f"{sd}_wrist": w3(wrist, za), f"{sd}_hand": w3(hand, za)})

        near, far = self.near_side, ("left" if self.near_side == "right" else "right")
        dark = 0.72

        def col(c, side=None):
            if side == far:
                return tuple(int(round(v * dark)) for v in c)
            return tuple(int(v) for v in c)

        caps: list[Capsule] = []

        def arm_caps(sd):
            sh, el, wr, ha = arms[sd]
            return [Capsule(f"{sd}_upper_arm", sh, el, R_UPPER_ARM * sc, R_UPPER_ARM * sc, col(cfg.skin, sd)),
                    Capsule(f"{sd}_forearm", el, wr, R_FOREARM * sc, R_FOREARM * sc, col(cfg.skin, sd)),
                    Capsule(f"{sd}_hand", wr, ha, R_HAND * sc, R_HAND * sc, col(cfg.skin, sd))]

        def leg_caps(sd):
            hp, kn, an, he, to = legs[sd]
            mid = hp + 0.55 * (kn - hp)
            return [Capsule(f"{sd}_thigh", hp, kn, R_THIGH * sc, R_THIGH * sc * 0.85, col(cfg.skin, sd)),
                    Capsule(f"{sd}_shorts", hp, mid, R_THIGH * sc * 1.12, R_THIGH * sc * 1.05, col(cfg.shorts, sd)),
                    Capsule(f"{sd}_shank", kn, an, R_SHANK * sc, R_SHANK * sc * 0.8, col(cfg.skin, sd)),
                    Capsule(f"{sd}_foot", he, to, self.r_foot, self.r_foot, col(cfg.shoes, sd))]

        caps += arm_caps(far) + leg_caps(far)
        neck_cap = Capsule("neck", w3(neck), w3(neck_top), R_NECK * sc, R_NECK * sc, col(cfg.skin))
        if cfg.head == "in_line":  # under the shirt, which covers its base
            caps.append(neck_cap)
        caps.append(Capsule("trunk", w3(hip), w3(neck), self.r_trunk, self.r_trunk, col(cfg.jersey),
                            half_width=TRUNK_HALF_WIDTH * sc))
        caps.append(Capsule("pelvis", w3(hip - 0.02 * sc * tdir), w3(hip + 0.06 * sc * tdir),
                            self.r_trunk * 1.06, self.r_trunk * 1.04, col(cfg.shorts)))
        if cfg.head != "in_line":
            caps.append(neck_cap)
        caps.append(Capsule("head", w3(head), w3(head), R_HEAD * sc, R_HEAD * sc, col(cfg.skin)))
        hair_c = w3(head + 0.025 * sc * ndir - 0.02 * sc * np.array([1.0, 0.0]))
        caps.append(Capsule("hair", hair_c, hair_c, R_HEAD * sc * 0.9, R_HEAD * sc * 0.9, col(cfg.hair)))
        caps.append(Capsule("face", w3(head + 0.015 * sc * _rot(ndir, -1.2)), w3(head + 0.015 * sc * _rot(ndir, -1.2)),
                            R_HEAD * sc * 0.93, R_HEAD * sc * 0.93, col(cfg.skin)))
        caps += leg_caps(near) + arm_caps(near)
        return Pose(t, joints, caps)

    def _set_arm_angles(self) -> tuple[float, float]:
        """Upper-arm and elbow angles of the ground arm in the stance (hand on the ground)."""
        if not hasattr(self, "_set_arm"):
            th = THETA_SET
            tdir = np.array([math.cos(th), math.sin(th)])
            hip = np.array([self.x_hip_set, self.h_set])
            shoulder = hip + 0.93 * self.trunk_len * tdir
            elbow, wrist = self._limb_2link(shoulder, self.wrist_set, self.upper_arm, self.forearm, -1.0)
            down = -tdir
            ua = (elbow - shoulder) / self.upper_arm
            fa = (wrist - elbow) / self.forearm
            psi = math.atan2(down[0] * ua[1] - down[1] * ua[0], down @ ua)
            flex = math.atan2(ua[0] * fa[1] - ua[1] * fa[0], ua @ fa)
            self._set_arm = (psi, flex)
        return self._set_arm

    # ---- contacts as the truth reports them ----------------------------------------------
    def foot_points(self, side: str, t: float) -> tuple[np.ndarray, np.ndarray]:
        """World (heel, toe) end points of a foot capsule at time t."""
        j = self.pose(t).joints
        return j[f"{side}_heel"], j[f"{side}_toe"]
