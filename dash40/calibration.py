"""Timing lines: parse and validate the calibration, and map image points to lane distance.

Calibration JSON (pixel positions in the clip's first frame, displayed orientation, origin at
the top-left)::

    {"units": "yd", "lines": [{"distance": 0, "near": [u, v], "far": [u, v]},
                              {"distance": 10, "x": 812.5}, ...]}

``near``/``far`` are the two ends of a timing line on the ground (near = closer to the camera);
``x`` is the short form for a vertical line at that pixel column.

Geometry. When every line has near/far ends we fit a ground-plane homography H from
(lane distance in metres, s) to pixels, where s is the across-lane coordinate normalised so that
the near ends are at s = 0 and the far ends at s = 1 (the cones are assumed to sit at the same
two lateral positions on every line). The runner's path is a line s = s_path on the ground,
estimated from where the feet touch; a point of the body is referred to the ground point below
it (image verticals are taken as world verticals: camera roll and pitch small) on that path,
which places each line's vertical plane where the athlete actually runs, whatever the camera's
angle. With the short form, the lane distance is interpolated piecewise-linearly in the pixel
column.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import CalibrationError
from .result import to_metres

UNITS = ("yd", "m")


@dataclass(frozen=True)
class TimingLine:
    distance: float
    near: tuple[float, float] | None = None
    far: tuple[float, float] | None = None
    x: float | None = None

    @property
    def is_vertical_short_form(self) -> bool:
        return self.near is None

    def to_dict(self) -> dict[str, Any]:
        if self.near is None:
            return {"distance": self.distance, "x": self.x}
        return {"distance": self.distance, "near": list(self.near), "far": list(self.far)}

    def endpoints(self, height: int) -> tuple[tuple[float, float], tuple[float, float]]:
        """Near and far pixel ends (the short form spans the picture's height)."""
        if self.near is None:
            return (self.x, float(height - 1)), (self.x, 0.0)
        return self.near, self.far


@dataclass(frozen=True)
class Calibration:
    units: str
    lines: tuple[TimingLine, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"units": self.units, "lines": [ln.to_dict() for ln in self.lines]}

    @property
    def distances(self) -> tuple[float, ...]:
        return tuple(ln.distance for ln in self.lines)

    @property
    def has_ground_plane(self) -> bool:
        return all(ln.near is not None for ln in self.lines)

    def direction(self) -> int:
        """+1 when distances grow to the right of the picture, -1 when they grow to the left."""
        us = [ln.x if ln.near is None else 0.5 * (ln.near[0] + ln.far[0]) for ln in self.lines]
        return 1 if us[-1] >= us[0] else -1

    def check_fits(self, width: int, height: int, margin: float = 0.02) -> None:
        """Raise CalibrationError when a line lies outside a ``width``×``height`` picture."""
        mx, my = margin * width, margin * height
        for ln in self.lines:
            pts = [("x", (ln.x, height / 2))] if ln.near is None else [("near", ln.near), ("far", ln.far)]
            for name, (u, v) in pts:
                if not (-mx <= u <= width - 1 + mx and -my <= v <= height - 1 + my):
                    raise CalibrationError(
                        f"The {_fmt_d(ln.distance, self.units)} line's {name} point ({u:.0f}, {v:.0f}) is outside "
                        f"the clip's {width}×{height} picture: this calibration was made for another clip or orientation."
                    )


def _fmt_d(d: float, units: str) -> str:
    return f"{d:g} {units}"


def _point(value: Any, what: str) -> tuple[float, float]:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise CalibrationError(f"{what} must be a pair of pixel coordinates [u, v], got {value!r}.")
    try:
        u, v = float(value[0]), float(value[1])
    except (TypeError, ValueError):
        raise CalibrationError(f"{what} must be two numbers [u, v], got {value!r}.") from None
    if not (math.isfinite(u) and math.isfinite(v)):
        raise CalibrationError(f"{what} must be finite numbers, got {value!r}.")
    return u, v


def load_calibration(source: str | os.PathLike | dict[str, Any] | Calibration) -> Calibration:
    """Parse and validate a calibration from a dict, a JSON file path, or a Calibration."""
    if isinstance(source, Calibration):
        return source
    if isinstance(source, dict):
        data = source
    elif not isinstance(source, (str, os.PathLike)):
        raise CalibrationError(f"A calibration must be a JSON object with 'units' and 'lines', got {type(source).__name__}.")
    else:
        p = Path(source)
        if not p.exists():
            raise CalibrationError(f"The calibration file {str(p)!r} does not exist.")
        try:
            data = json.loads(p.read_text())
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CalibrationError(f"The calibration file {p.name!r} is not valid JSON ({exc}).") from None
    if not isinstance(data, dict):
        raise CalibrationError(f"A calibration must be a JSON object with 'units' and 'lines', got {type(data).__name__}.")
    units = data.get("units", "yd")
    if units not in UNITS:
        raise CalibrationError(f"Calibration units must be 'yd' or 'm', got {units!r}.")
    raw = data.get("lines")
    if not isinstance(raw, list) or len(raw) < 2:
        n = len(raw) if isinstance(raw, list) else 0
        raise CalibrationError(f"A calibration needs at least two timing lines, got {n}.")
    lines = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or "distance" not in item:
            raise CalibrationError(f"Timing line #{i + 1} must be an object with a 'distance', got {item!r}.")
        try:
            d = float(item["distance"])
        except (TypeError, ValueError):
            raise CalibrationError(f"Timing line #{i + 1} has a distance that is not a number: {item['distance']!r}.") from None
        if not math.isfinite(d) or d < 0:
            raise CalibrationError(f"Timing line #{i + 1} must have a finite distance ≥ 0, got {item['distance']!r}.")
        label = f"The {_fmt_d(d, units)} line"
        if "near" in item or "far" in item:
            near = _point(item.get("near"), f"{label}'s near point")
            far = _point(item.get("far"), f"{label}'s far point")
            if math.dist(near, far) < 2.0:
                raise CalibrationError(f"{label}'s near and far points are the same pixel: mark both ends of the line.")
            lines.append(TimingLine(d, near=near, far=far))
        elif "x" in item:
            try:
                x = float(item["x"])
            except (TypeError, ValueError):
                raise CalibrationError(f"{label}'s x must be a pixel column, got {item['x']!r}.") from None
            if not math.isfinite(x):
                raise CalibrationError(f"{label}'s x must be a finite pixel column, got {item['x']!r}.")
            lines.append(TimingLine(d, x=x))
        else:
            raise CalibrationError(f"{label} needs either 'near' and 'far' points or an 'x' pixel column.")
    ds = [ln.distance for ln in lines]
    for a, b in zip(ds, ds[1:], strict=False):
        if b <= a:
            raise CalibrationError(
                f"Timing lines must be listed in increasing distance, got {a:g} {units} followed by {b:g} {units}."
            )
    cal = Calibration(units=units, lines=tuple(lines))
    _check_monotone_pixels(cal)
    return cal


def _check_monotone_pixels(cal: Calibration) -> None:
    us = [ln.x if ln.near is None else 0.5 * (ln.near[0] + ln.far[0]) for ln in cal.lines]
    diffs = np.diff(us)
    if not (np.all(diffs > 0) or np.all(diffs < 0)):
        raise CalibrationError(
            "The timing lines are not in order across the picture (each line must lie further along the run "
            f"than the one before; their centres are at pixel columns {', '.join(f'{u:.0f}' for u in us)})."
        )


# ----------------------------------------------------------------------------------------------
# Geometry
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LaneGeometry:
    """Maps first-frame pixels to lane distance (metres from the first line's distance 0)."""

    units: str
    direction: int
    homography: np.ndarray | None  # ground (x_m, s) -> pixel, 3×3
    s_path: float  # across-lane coordinate of the runner's path (0 = near cones, 1 = far cones)
    knots_u: tuple[float, ...] = ()  # short form: pixel columns of the lines
    knots_x: tuple[float, ...] = ()  # ... and their distances in metres
    vertical_vp: tuple[float, float, float] | None = None  # image of the world's vertical direction (homogeneous)
    camera_xz: tuple[float, float] | None = None  # camera position on the ground plane: lane x (m), and
    # across-lane position in lane widths (same units as s)
    lane_width_m: float | None = None  # distance between the near and far cones, from the camera model

    def view_angle(self, x_m) -> np.ndarray:
        """Angle (rad) between the camera's line of sight to the path at lane distance ``x_m`` and
        the perpendicular to the lane, seen from above (0 = square-on). Zero when unknown."""
        x_m = np.asarray(x_m, float)
        if self.camera_xz is None or self.lane_width_m is None:
            return np.zeros_like(x_m)
        cx, cs = self.camera_xz
        depth = abs(self.s_path - cs) * self.lane_width_m
        return np.arctan2(np.abs(x_m - cx), max(depth, 1e-6))

    def view_angle_signed(self, x_m) -> np.ndarray:
        """``view_angle`` with a sign: positive where the path is seen past the camera (x greater
        than the camera's lane position), negative before it."""
        x_m = np.asarray(x_m, float)
        if self.camera_xz is None:
            return np.zeros_like(x_m)
        return np.sign(x_m - self.camera_xz[0]) * self.view_angle(x_m)

    def lane_height_px(self) -> float:
        """How many pixel rows the lane (near cones to far cones) spans midway along the lines."""
        x_mid = float(np.mean(self.knots_x)) if self.knots_x else 0.0
        far_v = self.ground_to_pixel(np.array([x_mid]), 1.0)[0, 1]
        near_v = self.ground_to_pixel(np.array([x_mid]), 0.0)[0, 1]
        return max(abs(float(near_v - far_v)), 1e-3)

    def with_path(self, s_path: float) -> LaneGeometry:
        from dataclasses import replace

        return replace(self, s_path=float(s_path))

    # -- ground ----------------------------------------------------------------------------
    def ground_to_pixel(self, x_m, s) -> np.ndarray:
        x_m = np.asarray(x_m, float)
        s = np.broadcast_to(np.asarray(s, float), x_m.shape)
        p = np.stack([x_m, s, np.ones_like(x_m)], axis=-1) @ self.homography.T
        return p[..., :2] / p[..., 2:3]

    def pixel_to_ground(self, u, v) -> tuple[np.ndarray, np.ndarray]:
        hinv = np.linalg.inv(self.homography)
        u = np.asarray(u, float)
        v = np.asarray(v, float)
        p = np.stack([u, v, np.ones_like(u)], axis=-1) @ hinv.T
        return p[..., 0] / p[..., 2], p[..., 1] / p[..., 2]

    def path_line(self) -> tuple[np.ndarray, np.ndarray]:
        """Two pixels on the path's image line (far apart) for drawing/intersections."""
        a = self.ground_to_pixel(np.array([self.knots_x[0] if self.knots_x else 0.0]), self.s_path)[0]
        b = self.ground_to_pixel(np.array([(self.knots_x[-1] if self.knots_x else 40.0)]), self.s_path)[0]
        return a, b

    def distance_at(self, u, v=None) -> np.ndarray:
        """Lane distance (m) of body point(s) seen at pixel(s) (u, v) above the runner's path.

        The point is referred to the ground point directly below it (along the image of the world
        vertical through it, from the camera's vertical vanishing point) on the path's ground line.
        With the short form only the column counts.
        """
        u = np.asarray(u, float)
        if self.homography is None:
            ku = np.asarray(self.knots_u)
            kx = np.asarray(self.knots_x)
            if ku[0] > ku[-1]:
                ku, kx = ku[::-1], kx[::-1]
            return _interp_extrap(u, ku, kx)
        (u1, v1), (u2, v2) = self._path_pts
        path = np.cross([u1, v1, 1.0], [u2, v2, 1.0])
        if v is None or self.vertical_vp is None:
            # Image verticals taken as world verticals.
            t = (u - u1) / (u2 - u1)
            gv = v1 + t * (v2 - v1)
            x, _ = self.pixel_to_ground(u, gv)
            return x
        v = np.asarray(v, float)
        pts = np.stack([u, v, np.ones_like(u)], axis=-1)
        vert = np.cross(pts, np.asarray(self.vertical_vp))
        g = np.cross(vert, path)
        gu, gv = g[..., 0] / g[..., 2], g[..., 1] / g[..., 2]
        x, _ = self.pixel_to_ground(gu, gv)
        return x

    def distance_at_column(self, u) -> np.ndarray:
        """Lane distance (m) at column(s) u on the path's ground line (no height correction)."""
        return self.distance_at(u)

    @property
    def _path_pts(self):
        xs = np.array([self._x_range[0], self._x_range[1]])
        p = self.ground_to_pixel(xs, self.s_path)
        return (p[0, 0], p[0, 1]), (p[1, 0], p[1, 1])

    @property
    def _x_range(self) -> tuple[float, float]:
        return (self.knots_x[0] - 5.0, self.knots_x[-1] + 5.0)

    def column_at_distance(self, x_m: float, v_hint: float | None = None) -> float:
        """Pixel column (first frame) where a body point at lane distance ``x_m`` is seen."""
        if self.homography is None:
            ku = np.asarray(self.knots_u)
            kx = np.asarray(self.knots_x)
            return float(_interp_extrap(np.asarray(x_m, float), kx, ku))
        return float(self.ground_to_pixel(np.array([x_m]), self.s_path)[0, 0])

    def metres_per_pixel(self, u: float) -> float:
        return float(abs(self.distance_at_column(u + 0.5) - self.distance_at_column(u - 0.5)))

    def path_v_at(self, u) -> np.ndarray:
        """Image row of the runner's path (ground) at column(s) u; None-safe for the short form."""
        if self.homography is None:
            return np.full_like(np.asarray(u, float), np.nan)
        (u1, v1), (u2, v2) = self._path_pts
        return v1 + (np.asarray(u, float) - u1) / (u2 - u1) * (v2 - v1)


def _interp_extrap(x: np.ndarray, xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    y = np.interp(x, xp, fp)
    lo = x < xp[0]
    hi = x > xp[-1]
    if np.any(lo):
        slope = (fp[1] - fp[0]) / (xp[1] - xp[0])
        y = np.where(lo, fp[0] + (x - xp[0]) * slope, y)
    if np.any(hi):
        slope = (fp[-1] - fp[-2]) / (xp[-1] - xp[-2])
        y = np.where(hi, fp[-1] + (x - xp[-1]) * slope, y)
    return y


def lane_geometry(cal: Calibration, s_path: float = 0.5, width: int | None = None, height: int | None = None) -> LaneGeometry:
    """Build the pixel↔lane mapping from a calibration (see module doc).

    ``width``/``height`` (the picture's) place the principal point at the centre, used to find
    the camera's vertical direction from the ground plane (see ``_vertical_vanishing_point``).
    """
    xs = [to_metres(ln.distance, cal.units) for ln in cal.lines]
    direction = cal.direction()
    if not cal.has_ground_plane:
        us = [ln.x if ln.near is None else 0.5 * (ln.near[0] + ln.far[0]) for ln in cal.lines]
        return LaneGeometry(cal.units, direction, None, s_path, tuple(us), tuple(xs))
    import cv2

    src = []
    dst = []
    for ln, x in zip(cal.lines, xs, strict=True):
        src += [(x, 0.0), (x, 1.0)]
        dst += [ln.near, ln.far]
    src = np.asarray(src, np.float64)
    dst = np.asarray(dst, np.float64)
    if len(cal.lines) == 2:
        H = cv2.getPerspectiveTransform(src.astype(np.float32), dst.astype(np.float32)).astype(np.float64)
    else:
        H, _ = cv2.findHomography(src, dst, 0)
    if H is None or not np.all(np.isfinite(H)) or abs(np.linalg.det(H)) < 1e-12:
        raise CalibrationError("The timing lines do not describe a ground plane (their ends may be collinear): re-mark them.")
    proj = (np.c_[src, np.ones(len(src))] @ H.T)
    if np.any(proj[:, 2] * proj[0, 2] <= 0):
        raise CalibrationError("The timing lines' near and far points are inconsistent (a line's ends may be swapped).")
    resid = np.linalg.norm(proj[:, :2] / proj[:, 2:3] - dst, axis=1)
    if len(cal.lines) > 2 and float(np.max(resid)) > 0.03 * max(np.ptp(dst[:, 0]), 1.0) + 6.0:
        worst = int(np.argmax(resid)) // 2
        raise CalibrationError(
            f"The {_fmt_d(cal.lines[worst].distance, cal.units)} line does not fit the ground plane defined by the others "
            f"(off by {resid.max():.0f} px): check its distance and its near/far points."
        )
    vvp = _vertical_vanishing_point(H, width, height) if width and height else None
    cam, lane_w = _camera_on_ground(H, width, height) if width and height else (None, None)
    return LaneGeometry(cal.units, direction, H, s_path, tuple(float(ln.near[0]) for ln in cal.lines), tuple(xs), vvp,
                        cam, lane_w)


def _focal_length(H: np.ndarray, width: int, height: int) -> float:
    """Focal length (px) from the two perpendicular ground directions; a phone's when unobservable."""
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    a, b = H[:, 0], H[:, 1]
    f = 0.73 * width
    denom = a[2] * b[2]
    if abs(denom) > 1e-12:
        num = (a[0] - cx * a[2]) * (b[0] - cx * b[2]) + (a[1] - cy * a[2]) * (b[1] - cy * b[2])
        f2 = -num / denom
        a_dist = abs(a[2]) * width / (np.hypot(a[0], a[1]) + 1e-12)
        if (0.3 * width) ** 2 < f2 < (4.0 * width) ** 2 and a_dist > 0.05:
            f = float(np.sqrt(f2))
    return f


def _camera_on_ground(H: np.ndarray, width: int, height: int):
    """Where the camera stands, seen from above, in (lane metres, lane widths); and the lane's width.

    H = K·[r1, W·r2, t] up to scale (the across-lane axis is in lane widths W): with K from the
    focal length, the rotation's orthonormality gives the scale and W, and the centre is −Rᵀt.
    Returns (None, None) when the decomposition is not plausible.
    """
    f = _focal_length(H, width, height)
    K = np.array([[f, 0, (width - 1) / 2.0], [0, f, (height - 1) / 2.0], [0, 0, 1.0]])
    B = np.linalg.solve(K, H)
    lam = 1.0 / np.linalg.norm(B[:, 0])
    if lam * B[2, 2] < 0:  # the ground must be in front of the camera
        lam = -lam
    r1 = lam * B[:, 0]
    w_r2 = lam * B[:, 1]
    lane_w = float(np.linalg.norm(w_r2))
    if not (0.3 < lane_w < 30.0):
        return None, None
    r2 = w_r2 / lane_w
    r3 = np.cross(r1, r2)
    R = np.stack([r1, r2, r3], axis=1)
    t = lam * B[:, 2]
    C = -R.T @ t  # (x in m, z in m from the near cones, height)
    return (float(C[0]), float(C[1] / lane_w)), lane_w


def _vertical_vanishing_point(H: np.ndarray, width: int, height: int) -> tuple[float, float, float] | None:
    """Where the world's vertical lines meet in the image (homogeneous).

    The lane direction and the across-lane direction are perpendicular on the ground; their
    vanishing points a = H·(1,0,0) and b = H·(0,1,0) then fix the focal length f for a camera with
    square pixels and its principal point at the picture's centre c:
    (a − c·a₂)·(b − c·b₂) + f²·a₂·b₂ = 0. When the camera looks square-on at the lane (a at
    infinity) f is not observable and a typical phone's is used (horizontal field of view ~69°).
    The vertical vanishing point is then K·Kᵀ·(a × b), the pole of the horizon.
    """
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    a = H[:, 0]
    b = H[:, 1]
    f_default = 0.73 * width
    f = f_default
    denom = a[2] * b[2]
    if abs(denom) > 1e-12:
        num = (a[0] - cx * a[2]) * (b[0] - cx * b[2]) + (a[1] - cy * a[2]) * (b[1] - cy * b[2])
        f2 = -num / denom
        if (0.3 * width) ** 2 < f2 < (4.0 * width) ** 2:
            f_est = float(np.sqrt(f2))
            # Trust the estimate only when the lane's vanishing point is well inside the finite range.
            a_dist = abs(a[2]) * width / (np.hypot(a[0], a[1]) + 1e-12)
            if a_dist > 0.05:
                f = f_est
    K = np.array([[f, 0, cx], [0, f, cy], [0, 0, 1.0]])
    horizon = np.cross(a, b)
    vp = K @ K.T @ horizon
    # Phones film sprints nearly level. A camera pitched by more than ~20° (or rolled by more than
    # ~10°) means the marked points are too imprecise to fix the vertical: use image verticals.
    if abs(vp[2]) > 1e-12:
        du, dv = vp[0] / vp[2] - cx, vp[1] / vp[2] - cy
        if np.hypot(du, dv) < 2.75 * f or abs(du) > 0.18 * abs(dv):
            return None
    return (float(vp[0]), float(vp[1]), float(vp[2]))
