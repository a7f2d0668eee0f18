"""The scene: camera placement, the static background, the athlete, the bystander and the partner, and
one frame's pixels (with motion blur, shake, gain drift and noise when asked)."""

from __future__ import annotations

import math
from dataclasses import replace

import cv2
import numpy as np

from .athlete import Athlete, Capsule
from .camera import apply_homography, place_camera, shake_homography
from .raster import draw_capsules, paint_cone, render_background


def _outline_columns(cam, centre: np.ndarray, half_depth: float, half_width: float) -> tuple[float, float]:
    """Where an upright elliptical body section (semi-axes ``half_depth`` along the lane, x, and
    ``half_width`` across it, z) is seen: the middle of its outline's two side columns and half
    their distance, in pixels.

    The outline's sides are the two vertical planes through the camera tangent to the section;
    seen from above, the tangent points of an ellipse from an outside point follow from the unit
    circle after scaling x by 1/half_depth and z by 1/half_width. (Drawing the section as a disc
    of radius f·r/depth around the projected centre, as for the limbs, leaves out the part of its
    side the camera sees at an angle: a chest filmed 40° off square-on then shows its front
    ~4 cm too far back.)
    """
    cx, cz = float(cam.position[0]) - centre[0], float(cam.position[2]) - centre[2]
    qx, qz = cx / half_depth, cz / half_width
    d = math.hypot(qx, qz)
    if d <= 1.0 + 1e-9:
        u = float(cam.project(centre[None, :])[0, 0])
        return u, cam.f * half_depth / max(float(cam.depth(centre[None, :])[0]), 1e-6)
    phi, gam = math.atan2(qz, qx), math.acos(1.0 / d)
    pts = np.array([[centre[0] + half_depth * math.cos(phi + s * gam), centre[1],
                     centre[2] + half_width * math.sin(phi + s * gam)] for s in (-1.0, 1.0)])
    us = cam.project(pts)[:, 0]
    return float(0.5 * (us[0] + us[1])), float(0.5 * abs(us[1] - us[0]))


SHADOW_RGB = np.array([0.30, 0.33, 0.45])  # the ground in the athlete's shadow, over the ground in sun (sky-lit: bluish)
SHADOW_OUTLINE_POINTS = 24  # points on each end ellipse of a capsule's shadow
SHADOW_SUPERSAMPLE = 4  # a shadow's coverage of a pixel: its polygons filled on a grid this many times finer


def _polygons_cover(shape: tuple[int, int], origin: tuple[int, int], polys: list[np.ndarray]) -> np.ndarray:
    """How much of each pixel of a crop (``shape``, top-left pixel at ``origin`` = (row, col) of the
    picture) the union of the polygons covers, 0-1: filled on a grid SHADOW_SUPERSAMPLE times finer
    and averaged (a pixel's centre is its integer position)."""
    ss, frac_bits = SHADOW_SUPERSAMPLE, 4
    h, w = shape
    fine = np.zeros((h * ss, w * ss), np.uint8)
    off = np.array([origin[1], origin[0]], float)
    for p in polys:  # one at a time: filled together, where two overlap would be left empty
        pts = np.round(((p - off + 0.5) * ss - 0.5) * (1 << frac_bits)).astype(np.int32)
        cv2.fillConvexPoly(fine, pts, 255, lineType=cv2.LINE_8, shift=frac_bits)
    return cv2.resize(fine, (w, h), interpolation=cv2.INTER_AREA).astype(float) / 255.0


class Walker:
    """A bystander: a simpler walking figure on the far side, moving along x."""

    def __init__(self, x_mid: float, z: float, speed: float, t_mid: float, stature: float = 1.74):
        self.x_mid, self.z, self.speed, self.t_mid, self.h = x_mid, z, speed, t_mid, stature

    def capsules(self, t: float) -> list[Capsule]:
        h, z = self.h, self.z
        dirn = 1.0 if self.speed >= 0 else -1.0
        x = self.x_mid + self.speed * (t - self.t_mid)
        ph = 2 * math.pi * 0.9 * (t - self.t_mid)
        hip = np.array([x, 0.52 * h - 0.01 * math.cos(2 * ph)])
        neck = hip + np.array([0.02 * dirn, 0.30 * h])
        head = neck + np.array([0.01 * dirn, 0.11])
        jacket, pants, skin, shoe = (90, 95, 105), (45, 50, 60), (175, 130, 100), (60, 55, 50)
        caps = []
        for k, sgn in ((0, 1.0), (1, -1.0)):
            zz = z + (0.09 if k else -0.09)
            a = 0.35 * math.sin(ph) * sgn
            knee = hip + 0.245 * h * np.array([math.sin(a) * dirn, -math.cos(a)])
            kb = a - 0.35 * max(0.0, -math.sin(ph + 0.8) * sgn)
            ankle = knee + 0.246 * h * np.array([math.sin(kb) * dirn, -math.cos(kb)])
            toe = ankle + np.array([0.16 * dirn, -0.04])
            arm = -0.3 * math.sin(ph) * sgn
            sh = neck - np.array([0.0, 0.05])
            el = sh + 0.186 * h * np.array([math.sin(arm) * dirn, -math.cos(arm)])
            wr = el + 0.146 * h * np.array([math.sin(arm + 0.3) * dirn, -math.cos(arm + 0.3)])

            def w(p, zz=zz):
                return np.array([p[0], p[1], zz])

            caps += [Capsule("b_thigh", w(hip), w(knee), 0.07, 0.06, pants),
                     Capsule("b_shank", w(knee), w(ankle), 0.05, 0.045, pants),
                     Capsule("b_foot", w(ankle), w(toe), 0.035, 0.035, shoe),
                     Capsule("b_arm", w(sh), w(el), 0.045, 0.04, jacket),
                     Capsule("b_forearm", w(el), w(wr), 0.04, 0.035, skin)]
        caps.insert(5, Capsule("b_trunk", np.array([*hip, z]), np.array([*neck, z]), 0.13, 0.13, jacket))
        caps.insert(6, Capsule("b_head", np.array([*head, z]), np.array([*head, z]), 0.1, 0.1, skin))
        return caps


class Scene:
    """Camera, background and figures of one configured clip.

    ``render_frame(t)`` gives the picture at real time ``t`` as an RGB uint8 array (H, W, 3);
    by default without blur, shake, gain drift or noise (the geometry the truth describes).
    """

    def __init__(self, cfg):
        self.cfg = cfg
        self.athlete = Athlete(cfg, t_end=cfg.duration)
        self.camera = place_camera(cfg, self._fit_points())
        self.margin = int(math.ceil(4 * cfg.shake_px)) + 2 if cfg.shake_px > 0 else 0
        self.canvas_cam = self.camera.with_canvas_margin(self.margin)
        self.near_sign = self.athlete.near_sign
        far_z = -self.near_sign * (cfg.field_far + cfg.cone_z)
        bg = render_background(self.canvas_cam, far_z, cfg.seed, ss=3 if cfg.width <= 1280 else 2)
        # cones as premultiplied layers: the far ones go behind the athlete (in front of the
        # bystander), the near ones in front of everything
        ch, cw = bg.shape[:2]
        self.layers = []
        for sign in (-1.0, 1.0):
            col, alpha = np.zeros((ch, cw, 3), float), np.zeros((ch, cw), float)
            for d in cfg.lines_m:
                paint_cone(col, alpha, self.canvas_cam, np.array([d, 0.0, sign * self.near_sign * cfg.cone_z]))
            self.layers.append((col, alpha))
        self.ground = bg  # the static scene without cones
        full = bg
        for col, alpha in self.layers:
            full = full * (1 - alpha[..., None]) + col
        self.bg = full  # the static scene as filmed
        self.bg_u8 = np.clip(np.round(full), 0, 255).astype(np.uint8)
        self.walker = None
        if cfg.bystander:
            xs = cfg.lines_m
            self.walker = Walker(0.5 * (xs[0] + xs[-1]), -self.near_sign * (cfg.cone_z + cfg.bystander_depth),
                                 cfg.bystander_speed, 0.5 * cfg.duration)
        self.partner = None
        if cfg.partner_gap_m is not None:
            self.partner = Athlete(replace(cfg, lane_offset=cfg.lane_offset - self.near_sign * cfg.partner_gap_m,
                                           t0=cfg.t0 + cfg.partner_delay_s, mss=cfg.partner_mss, partner_gap_m=None,
                                           jersey=(35, 70, 170), shorts=(40, 40, 45), skin=(95, 65, 50)),
                                   t_end=cfg.duration)
        rng = np.random.default_rng(cfg.seed + 7919)
        self._shake_terms = [(rng.uniform(0.3, 2.5), rng.uniform(0, 2 * math.pi), rng.normal())
                             for _ in range(9)]

    # ---- geometry ----------------------------------------------------------------------------
    def _fit_points(self) -> np.ndarray:
        cfg, a = self.cfg, self.athlete
        pts = []
        for d in cfg.lines_m:
            for zz in (-cfg.cone_z, cfg.cone_z):
                pts += [[d, 0.0, zz], [d, 0.35, zz]]
        x_back = min(a.x_hip_set - 0.6 * a.sc, cfg.lines_m[0] - 1.0)
        x_front = cfg.lines_m[-1] + cfg.fit_ahead_m
        for x in (x_back, x_front):
            for zz in (-cfg.cone_z, cfg.cone_z):
                pts += [[x, 0.0, zz], [x, 1.02 * cfg.stature, cfg.lane_offset]]
        return np.array(pts, float)

    def cone_bases(self) -> list[tuple[float, np.ndarray, np.ndarray]]:
        """(distance in units, near base, far base) world points of every timing line."""
        cfg = self.cfg
        return [(d, np.array([dm, 0.0, self.near_sign * cfg.cone_z]), np.array([dm, 0.0, -self.near_sign * cfg.cone_z]))
                for d, dm in zip(cfg.lines, cfg.lines_m, strict=True)]

    def shake_angles(self, t: float) -> tuple[float, float, float]:
        """Small smooth camera rotation (rad about right, down, forward) of the hand-held shake."""
        if self.cfg.shake_px <= 0:
            return (0.0, 0.0, 0.0)
        amp = self.cfg.shake_px / self.camera.f
        out = []
        for k in range(3):
            s = 0.0
            for fr, ph, a in self._shake_terms[3 * k:3 * k + 3]:
                s += a * math.sin(2 * math.pi * fr * t + ph)
            out.append(s * amp / math.sqrt(3.0) * (0.25 if k == 2 else 1.0))
        return tuple(out)

    def shake_matrix(self, t: float) -> np.ndarray:
        """Canvas → output pixel homography at time t (identity shift when there is no shake)."""
        return shake_homography(self.camera, self.canvas_cam, self.shake_angles(t))

    def project(self, pts, t: float | None = None) -> np.ndarray:
        """World points → output pixels (with the shake at time t when given)."""
        uv = self.camera.project(pts)
        if t is None or self.cfg.shake_px <= 0:
            return uv
        cuv = self.canvas_cam.project(pts)
        return apply_homography(self.shake_matrix(t), cuv)

    def gain(self, t: float) -> float:
        g = self.cfg.gain_drift
        if g <= 0:
            return 1.0
        return 1.0 + g * math.sin(2 * math.pi * t / 5.3 + 0.7 * self.cfg.seed)  # a slow drift

    # ---- figures -----------------------------------------------------------------------------
    def capsules(self, t: float) -> tuple[list[np.ndarray], list[Capsule], list[Capsule]]:
        """(the athlete's shadow on the ground as picture polygons, bystander and partner capsules,
        athlete capsules) at time t, the capsules back to front."""
        caps = self.walker.capsules(t) if self.walker is not None else []
        if self.partner is not None:
            caps = caps + self.partner.pose(t).capsules
        athlete = self.athlete.pose(t).capsules
        return self._shadow(athlete), caps, athlete

    def _shadow(self, caps: list[Capsule]) -> list[np.ndarray]:
        """The athlete's shadow on the ground, as one convex polygon (picture pixels, (N, 2)) per
        capsule; none without sun.

        A sphere of radius r casts on the ground an ellipse with semi-axes r across the sun's rays
        and r / sin(elevation) along them, centred where the ray through its centre meets the
        ground; a capsule (a sphere swept along a segment, its radius changing linearly) casts the
        convex hull of its two end ellipses, and a camera keeps that hull convex. (Drawn as
        upright capsules of radius f·r/depth in the picture, as the body is, a shadow seen from a
        low camera was as many rows deep as the limb is wide: 8-10 times too deep across the lane,
        reaching a metre toward the camera from a path it should only touch.)
        """
        cfg = self.cfg
        if cfg.sun_elevation_deg is None:
            return []
        el, az = math.radians(cfg.sun_elevation_deg), math.radians(cfg.sun_azimuth_deg)
        # the ray's horizontal direction: toward the camera (+z·near_sign) at 0, along the run (+x) at 90
        ray = np.array([math.sin(az) * math.cos(el), -math.sin(el), self.near_sign * math.cos(az) * math.cos(el)])
        along = np.array([ray[0], 0.0, ray[2]]) / math.cos(el)
        across = np.array([-along[2], 0.0, along[0]])
        ang = np.linspace(0.0, 2 * math.pi, SHADOW_OUTLINE_POINTS, endpoint=False)
        unit = np.cos(ang)[:, None] * across + (np.sin(ang) / math.sin(el))[:, None] * along

        def ground(p):
            return p - (p[1] / ray[1]) * ray

        polys = []
        for c in caps:
            if c.name in ("face", "hair"):
                continue
            pts = np.concatenate([ground(c.a) + c.ra * unit, ground(c.b) + c.rb * unit])
            uv = self.canvas_cam.project(pts)
            if np.all(np.isfinite(uv)):
                polys.append(cv2.convexHull(uv.astype(np.float32))[:, 0, :].astype(float))
        return polys

    def _project_caps(self, caps: list[Capsule]) -> list[tuple]:
        cam = self.canvas_cam
        if not caps:
            return []
        ends = np.array([c.a for c in caps] + [c.b for c in caps])
        uv = cam.project(ends)
        z = cam.depth(ends)
        n = len(caps)
        out = []
        for i, c in enumerate(caps):
            if not (np.all(np.isfinite(uv[i])) and np.all(np.isfinite(uv[n + i]))):
                continue
            ua, va, ra = uv[i, 0], uv[i, 1], cam.f * c.ra / z[i]
            ub, vb, rb = uv[n + i, 0], uv[n + i, 1], cam.f * c.rb / z[n + i]
            stretch = 1.0
            if c.half_width is not None:
                (ua, wa), (ub, wb) = (_outline_columns(cam, e, c.ra, c.half_width) for e in (c.a, c.b))
                stretch = 0.5 * (wa / ra + wb / rb)
            out.append((ua, va, ra, ub, vb, rb, c.colour, stretch))
        return out

    def subframe_times(self, t: float) -> np.ndarray:
        """Times averaged for motion blur: K instants spread evenly over the exposure centred on t,
        K chosen so that no joint moves more than ``max_subframe_px`` between two of them."""
        cfg = self.cfg
        if not cfg.motion_blur:
            return np.array([t])
        e = cfg.exposure / cfg.capture_fps
        pts = []
        for tt in (t - e / 2, t, t + e / 2):
            pts.append(np.array(list(self.athlete.pose(tt).joints.values())))
        uv = [self.canvas_cam.project(p) for p in pts]
        move = max(float(np.nanmax(np.hypot(*(uv[1] - uv[0]).T))), float(np.nanmax(np.hypot(*(uv[2] - uv[1]).T))))
        k = int(min(64, max(1, math.ceil(2 * move / cfg.max_subframe_px))))
        return t + e * ((np.arange(k) + 0.5) / k - 0.5)

    def render_canvas(self, t: float, blur: bool = True) -> np.ndarray:
        """The picture on the (shake-margin) canvas at time t, uint8 RGB, no noise."""
        times = self.subframe_times(t) if blur else np.array([t])
        all_caps = [(shadow, self._project_caps(others), self._project_caps(athlete))
                    for shadow, others, athlete in (self.capsules(tt) for tt in times)]
        ch, cw = self.bg.shape[:2]
        flat = [c for groups in all_caps for caps in groups[1:] for c in caps]
        us = [v for c in flat for v in (c[0] - c[2] * c[7], c[0] + c[2] * c[7], c[3] - c[5] * c[7], c[3] + c[5] * c[7])]
        vs = [v for c in flat for v in (c[1] - c[2], c[1] + c[2], c[4] - c[5], c[4] + c[5])]
        for polys, _, _ in all_caps:
            for poly in polys:
                us += [float(poly[:, 0].min()), float(poly[:, 0].max())]
                vs += [float(poly[:, 1].min()), float(poly[:, 1].max())]
        frame = self.bg_u8.copy()
        if not us:
            return frame
        c0, c1 = max(int(math.floor(min(us))) - 2, 0), min(int(math.ceil(max(us))) + 3, cw)
        r0, r1 = max(int(math.floor(min(vs))) - 2, 0), min(int(math.ceil(max(vs))) + 3, ch)
        if c1 <= c0 or r1 <= r0:
            return frame
        base = self.ground[r0:r1, c0:c1]
        (far_c, far_a), (near_c, near_a) = ((c[r0:r1, c0:c1], a[r0:r1, c0:c1, None]) for c, a in self.layers)
        acc = np.zeros_like(base)
        for shadow_polys, walker_caps, athlete_caps in all_caps:
            crop = base.copy()
            if shadow_polys:
                cover = _polygons_cover(crop.shape[:2], (r0, c0), shadow_polys)
                crop = crop * (1.0 - cover[..., None] * (1.0 - SHADOW_RGB))
            draw_capsules(crop, (r0, c0), walker_caps)
            crop = crop * (1 - far_a) + far_c
            draw_capsules(crop, (r0, c0), athlete_caps)
            acc += crop * (1 - near_a) + near_c
        acc /= len(all_caps)
        frame[r0:r1, c0:c1] = np.clip(np.round(acc), 0, 255).astype(np.uint8)
        return frame

    def render_frame(self, t: float, *, blur: bool = False, shake: bool = False, gain: bool = False,
                     noise_rng: np.random.Generator | None = None) -> np.ndarray:
        """One output picture (H, W, 3) RGB uint8 at real time t.

        Defaults give the exact geometry: no motion blur, no shake, no gain drift, no noise.
        """
        canvas = self.render_canvas(t, blur=blur)
        img = self._finish(canvas, t, shake=shake, gain=gain)
        if noise_rng is not None and self.cfg.noise_sigma > 0:
            n = noise_rng.normal(0.0, self.cfg.noise_sigma, img.shape)
            img = np.clip(np.round(img + n), 0, 255).astype(np.uint8)
        return img

    def _finish(self, canvas: np.ndarray, t: float, *, shake: bool, gain: bool) -> np.ndarray:
        m = self.margin
        w, h = self.cfg.width, self.cfg.height
        if shake and self.cfg.shake_px > 0:
            img = cv2.warpPerspective(canvas, self.shake_matrix(t), (w, h), flags=cv2.INTER_LINEAR,
                                      borderMode=cv2.BORDER_REPLICATE)
        else:
            img = canvas[m:m + h, m:m + w] if m else canvas
        if gain:
            g = self.gain(t)
            if g != 1.0:
                img = cv2.convertScaleAbs(img, alpha=g)
        return np.ascontiguousarray(img)
