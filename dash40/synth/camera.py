"""Pinhole camera: world (x along the lane, y up, z across) → pixels.

Pixel convention: (u, v) with the origin at the top-left, u to the right, v down, and the centre
of pixel (i, j) at integer coordinates (u = i, v = j). The principal point is the picture's centre
((W − 1)/2, (H − 1)/2). No lens distortion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def _rot_axis(axis: np.ndarray, angle: float) -> np.ndarray:
    a = np.asarray(axis, float) / np.linalg.norm(axis)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + math.sin(angle) * k + (1 - math.cos(angle)) * (k @ k)


@dataclass(frozen=True)
class Camera:
    """A pinhole camera. ``R`` maps world directions to camera axes (rows: right, down, forward)."""

    width: int
    height: int
    f: float  # focal length in pixels (square pixels)
    position: tuple[float, float, float]
    R: tuple[tuple[float, float, float], ...]
    cx: float
    cy: float

    @classmethod
    def look(cls, width: int, height: int, hfov_deg: float, position, forward_h, pitch_deg: float,
             roll_deg: float) -> Camera:
        """A camera at ``position`` whose horizontal viewing direction is ``forward_h`` (x, z),
        pitched down by ``pitch_deg`` and rolled by ``roll_deg`` (clockwise in the picture)."""
        fh = np.array([forward_h[0], 0.0, forward_h[1]], float)
        fh /= np.linalg.norm(fh)
        up = np.array([0.0, 1.0, 0.0])
        right = np.cross(fh, up)
        right /= np.linalg.norm(right)
        fwd = _rot_axis(right, -math.radians(pitch_deg)) @ fh
        down = np.cross(fwd, right)
        r = np.stack([right, down, fwd])
        roll = _rot_axis(np.array([0.0, 0.0, 1.0]), math.radians(roll_deg))
        r = roll @ r
        f = (width / 2.0) / math.tan(math.radians(hfov_deg) / 2.0)
        return cls(width, height, float(f), tuple(float(p) for p in position),
                   tuple(tuple(float(x) for x in row) for row in r), (width - 1) / 2.0, (height - 1) / 2.0)

    @property
    def Rm(self) -> np.ndarray:
        return np.asarray(self.R, float)

    @property
    def K(self) -> np.ndarray:
        return np.array([[self.f, 0, self.cx], [0, self.f, self.cy], [0, 0, 1.0]])

    def to_camera(self, pts) -> np.ndarray:
        p = np.asarray(pts, float)
        return (p - np.asarray(self.position)) @ self.Rm.T

    def project(self, pts) -> np.ndarray:
        """World points (..., 3) → pixels (..., 2). Points behind the camera give NaN."""
        pc = self.to_camera(pts)
        z = pc[..., 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            u = self.f * pc[..., 0] / z + self.cx
            v = self.f * pc[..., 1] / z + self.cy
        out = np.stack([u, v], axis=-1)
        out[z <= 1e-6] = np.nan
        return out

    def depth(self, pts) -> np.ndarray:
        return self.to_camera(pts)[..., 2]

    def rays(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """World directions (unnormalised) through pixel positions."""
        d = np.stack([(u - self.cx) / self.f, (v - self.cy) / self.f, np.ones_like(u)], axis=-1)
        return d @ self.Rm

    def with_canvas_margin(self, m: int) -> Camera:
        """The same camera on a canvas ``m`` pixels larger on every side."""
        return Camera(self.width + 2 * m, self.height + 2 * m, self.f, self.position, self.R,
                      self.cx + m, self.cy + m)

    def to_dict(self) -> dict:
        r = self.Rm
        fwd = r[2]
        yaw = math.degrees(math.atan2(fwd[0], abs(fwd[2])))
        return {
            "model": "pinhole, no distortion; pixel centres at integer (u, v), origin top-left",
            "width": self.width, "height": self.height, "f_px": self.f, "cx": self.cx, "cy": self.cy,
            "hfov_deg": math.degrees(2 * math.atan(self.width / 2 / self.f)),
            "position_m": list(self.position),
            "rotation_world_to_camera": [list(row) for row in self.R],
            "forward_yaw_deg_from_perpendicular": yaw,
            "pitch_down_deg": math.degrees(math.asin(-fwd[1])),
        }


def shake_homography(cam: Camera, canvas_cam: Camera, angles: tuple[float, float, float]) -> np.ndarray:
    """Pixel map canvas → output for a small extra camera rotation (rad about the camera's
    right, down and forward axes). Exact for a pure rotation of a pinhole camera."""
    rx, ry, rz = angles
    rot = _rot_axis([1, 0, 0], rx) @ _rot_axis([0, 1, 0], ry) @ _rot_axis([0, 0, 1], rz)
    return cam.K @ rot @ np.linalg.inv(canvas_cam.K)


def apply_homography(h: np.ndarray, uv) -> np.ndarray:
    p = np.asarray(uv, float)
    q = np.concatenate([p, np.ones(p.shape[:-1] + (1,))], axis=-1) @ h.T
    return q[..., :2] / q[..., 2:3]


def place_camera(cfg, fit_points: np.ndarray) -> Camera:
    """The configured camera; when ``cam_distance``/``cam_look_x`` are None, the distance and
    look-at point are chosen so every fit point is in the picture with ``fit_margin`` to spare."""
    side = -1.0 if cfg.right_to_left else 1.0
    yaw = math.radians(cfg.cam_yaw_deg)
    z_path = cfg.lane_offset
    # horizontal viewing direction: toward the lane, turned toward +x by the yaw
    fwd_h = (math.sin(yaw), -side * math.cos(yaw))

    def make(dist: float, look_x: float) -> Camera:
        pos = (look_x - dist * fwd_h[0], cfg.cam_height, z_path - dist * fwd_h[1])
        return Camera.look(cfg.width, cfg.height, cfg.hfov_deg, pos, fwd_h, cfg.cam_pitch_deg, cfg.cam_roll_deg)

    xs = fit_points[:, 0]
    look_x = cfg.cam_look_x if cfg.cam_look_x is not None else 0.5 * (xs.min() + xs.max())
    if cfg.cam_distance is not None and cfg.cam_look_x is not None:
        return make(cfg.cam_distance, look_x)
    mu, mv = cfg.fit_margin * cfg.width, cfg.fit_margin * cfg.height

    def fits(cam: Camera) -> bool:
        uv = cam.project(fit_points)
        if not np.all(np.isfinite(uv)):
            return False
        return bool(uv[:, 0].min() >= mu and uv[:, 0].max() <= cfg.width - 1 - mu
                    and uv[:, 1].min() >= mv and uv[:, 1].max() <= cfg.height - 1 - mv)

    dist = cfg.cam_distance
    for _ in range(4):
        if cfg.cam_distance is None:
            lo, hi = 0.5, 2000.0
            for _ in range(60):
                mid = math.sqrt(lo * hi)
                if fits(make(mid, look_x)):
                    hi = mid
                else:
                    lo = mid
            dist = hi
        if cfg.cam_look_x is not None:
            break
        # centre the fitted span horizontally (matters for a yawed camera)
        cam = make(dist, look_x)
        uv = cam.project(fit_points)
        du = 0.5 * (uv[:, 0].min() + uv[:, 0].max()) - cam.cx
        if abs(du) < 0.5:
            break
        # move the look-at point along x by the ground distance that shifts the picture by du
        d2 = cam.project(np.array([[look_x, 0, z_path], [look_x + 1.0, 0, z_path]]))
        px_per_m = d2[1, 0] - d2[0, 0]
        look_x += du / px_per_m
    return make(dist, look_x)
