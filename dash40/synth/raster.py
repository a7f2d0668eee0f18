"""Pixels: the static background (ray-cast turf, yard lines, fence, stands, sky, cones) and
anti-aliased capsules drawn from distance fields inside a crop."""

from __future__ import annotations

import math

import numpy as np

from .camera import Camera

TURF_A = np.array([52, 118, 46], float)
TURF_B = np.array([60, 132, 52], float)
LINE_WHITE = np.array([236, 238, 232], float)
CONE_ORANGE = np.array([245, 110, 20], float)
CONE_STRIPE = np.array([250, 250, 245], float)
FENCE = np.array([28, 52, 70], float)
SKY_TOP, SKY_LOW = np.array([120, 165, 215], float), np.array([200, 220, 238], float)
STANDS = np.array([120, 120, 128], float)

YARD_LINE_HALF_WIDTH = 0.05  # 4-inch lines
CONE_RADIUS, CONE_TOP_RADIUS, CONE_HEIGHT = 0.12, 0.025, 0.30


def _hit_scene(cam: Camera, u: np.ndarray, v: np.ndarray, far_z: float, rng_tex: np.ndarray, ss: int):
    """Colour of the static world along the rays through pixel positions (u, v)."""
    d = cam.rays(u, v)
    c = np.asarray(cam.position)
    out = np.empty(u.shape + (3,), float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_ground = np.where(d[..., 1] < -1e-9, -c[1] / d[..., 1], np.inf)
        t_wall = (far_z - c[2]) / d[..., 2]
    t_wall = np.where(t_wall > 0, t_wall, np.inf)
    ground = t_ground < t_wall
    # ground: turf with mowing stripes every 5 yd, yard lines every 5 yd
    gx = c[0] + t_ground * d[..., 0]
    gz = c[2] + t_ground * d[..., 2]
    stripe = (np.floor(np.where(ground, gx, 0.0) / 4.572) % 2).astype(bool)
    turf = np.where(stripe[..., None], TURF_A, TURF_B)
    # per-pixel texture fades with distance (finer than a pixel far away)
    tex = rng_tex[: u.shape[0], : u.shape[1]]
    dist = np.where(ground, t_ground * np.linalg.norm(d, axis=-1), 1e9)
    turf = turf * (1.0 + tex * np.clip(12.0 / np.maximum(dist, 1.0), 0.25, 1.0))[..., None]
    m = np.where(ground, gx, 0.0) / 4.572
    nearest = np.round(m) * 4.572
    on_line = np.abs(np.where(ground, gx, 1e9) - nearest) <= YARD_LINE_HALF_WIDTH
    # the far sideline, along x, a few metres before the fence
    on_line |= np.abs(np.where(ground, gz, 1e9) - (far_z - np.sign(far_z) * 4.0)) <= 2 * YARD_LINE_HALF_WIDTH
    ground_col = np.where(on_line[..., None], LINE_WHITE, turf)
    # far wall: padded fence to 1.2 m, stands to 9 m (noisy crowd), sky above
    wy = c[1] + t_wall * d[..., 1]
    wx = c[0] + t_wall * d[..., 0]
    fence = wy < 1.2
    stands = (wy >= 1.2) & (wy < 9.0)
    rows = np.floor(np.where(stands, wy, 0) / 0.4)
    seats = np.floor(np.where(stands, wx, 0) / 0.22)
    h = np.sin(rows * 12.9898 + seats * 78.233) * 43758.5453
    h = h - np.floor(h)
    h2 = np.sin(rows * 39.3468 + seats * 11.135) * 24634.6345
    h2 = h2 - np.floor(h2)
    tint = np.where(h2[..., None] > 0.85, np.array([35.0, -10.0, -15.0]),
                    np.where(h2[..., None] < 0.12, np.array([-15.0, -5.0, 25.0]), 0.0))
    crowd = STANDS * (0.8 + 0.3 * h[..., None]) + tint * (h[..., None] > 0.4)
    sky_f = np.clip((v - v.min()) / max(float(np.ptp(v)), 1.0), 0, 1)[..., None]
    sky = SKY_TOP + (SKY_LOW - SKY_TOP) * sky_f
    wall = np.where(fence[..., None], FENCE, np.where(stands[..., None], crowd, sky))
    wall = np.where(np.isinf(t_wall)[..., None] & ~ground[..., None], sky, wall)
    out[:] = np.where(ground[..., None], ground_col, wall)
    return out


def render_background(cam: Camera, far_z: float, seed: int, ss: int = 3) -> np.ndarray:
    """The static scene without cones, float RGB (H, W, 3), supersampled ``ss``×``ss``."""
    h, w = cam.height, cam.width
    rng = np.random.default_rng(seed)
    tex = rng.normal(0.0, 0.06, size=(h, w))
    acc = np.zeros((h, w, 3), float)
    vv, uu = np.mgrid[0:h, 0:w].astype(float)
    for i in range(ss):
        for j in range(ss):
            du = (j + 0.5) / ss - 0.5
            dv = (i + 0.5) / ss - 0.5
            acc += _hit_scene(cam, uu + du, vv + dv, far_z, tex, ss)
    return acc / (ss * ss)


def cone_polygon(cam: Camera, base: np.ndarray, n: int = 24) -> np.ndarray:
    """Projected silhouette polygon (convex hull) of a cone standing at ``base``."""
    a = np.linspace(0, 2 * math.pi, n, endpoint=False)
    ring = np.stack([np.cos(a), np.zeros(n), np.sin(a)], axis=1)
    pts = np.concatenate([base + CONE_RADIUS * ring,
                          base + CONE_TOP_RADIUS * ring + np.array([0, CONE_HEIGHT, 0])])
    uv = cam.project(pts)
    return _convex_hull(uv)


def _convex_hull(p: np.ndarray) -> np.ndarray:
    pts = sorted(map(tuple, p))

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for q in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], q) <= 0:
            lower.pop()
        lower.append(q)
    for q in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], q) <= 0:
            upper.pop()
        upper.append(q)
    return np.array(lower[:-1] + upper[:-1])


def polygon_coverage(poly: np.ndarray, h: int, w: int, ss: int = 4) -> tuple[np.ndarray, tuple[int, int]]:
    """Anti-aliased coverage of a convex polygon: (alpha crop, (row0, col0)) by supersampling."""
    u0, v0 = np.floor(poly.min(axis=0)).astype(int) - 1
    u1, v1 = np.ceil(poly.max(axis=0)).astype(int) + 2
    u0, v0 = max(u0, 0), max(v0, 0)
    u1, v1 = min(u1, w), min(v1, h)
    if u1 <= u0 or v1 <= v0:
        return np.zeros((0, 0)), (0, 0)
    offs = (np.arange(ss) + 0.5) / ss - 0.5
    vv, uu = np.mgrid[v0:v1, u0:u1].astype(float)
    cov = np.zeros(vv.shape)
    n = len(poly)
    for dv in offs:
        for du in offs:
            x, y = uu + du, vv + dv
            inside = np.ones(x.shape, bool)
            for k in range(n):
                a, b = poly[k], poly[(k + 1) % n]
                inside &= (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]) >= 0
            cov += inside
    return cov / (ss * ss), (v0, u0)


def paint_cone(img: np.ndarray, alpha: np.ndarray | None, cam: Camera, base: np.ndarray) -> None:
    """Draw a cone into a float image (and its coverage into ``alpha`` when given)."""
    h, w = img.shape[:2]
    poly = cone_polygon(cam, base)
    if not np.all(np.isfinite(poly)):
        return
    cov, (r0, c0) = polygon_coverage(poly, h, w)
    if cov.size == 0:
        return
    rows = np.arange(r0, r0 + cov.shape[0])[:, None].astype(float)
    # a white band on the cone at 45–60 % of its height
    vb = cam.project(np.array([base, base + [0, CONE_HEIGHT, 0]]))[:, 1]
    frac = (vb[0] - rows) / max(vb[0] - vb[1], 1e-6)
    band = (frac > 0.45) & (frac < 0.6)
    col = np.where(band[..., None], CONE_STRIPE, CONE_ORANGE)
    shade = 0.85 + 0.15 * np.clip(frac, 0, 1)
    col = col * shade[..., None] * np.ones((1, cov.shape[1], 1))
    sl = img[r0:r0 + cov.shape[0], c0:c0 + cov.shape[1]]
    a = cov[..., None]
    sl[:] = sl * (1 - a) + col * a
    if alpha is not None:
        al = alpha[r0:r0 + cov.shape[0], c0:c0 + cov.shape[1]]
        al[:] = al + (1 - al) * cov


def draw_capsules(img: np.ndarray, origin: tuple[int, int], caps2d) -> None:
    """Paint projected capsules (back to front) into a float crop ``img`` whose top-left pixel is
    at ``origin`` = (row, col) of the full picture.

    ``caps2d``: iterable of (ua, va, ra, ub, vb, rb, colour[, stretch]) in full-picture pixels;
    ``stretch`` widens the capsule across the picture (its radii are vertical; horizontally they
    are ``stretch`` times as large: an elliptical body section seen at an angle). Coverage is
    0.5 − signed distance (clipped to [0, 1]): a one-pixel anti-aliased edge.
    """
    h, w = img.shape[:2]
    r0, c0 = origin
    for cap in caps2d:
        ua, va, ra, ub, vb, rb, colour = cap[:7]
        k = float(cap[7]) if len(cap) > 7 else 1.0
        rmax = max(ra, rb) * max(k, 1.0) + 1.5
        lo_u = int(math.floor(min(ua, ub) - rmax)) - c0
        hi_u = int(math.ceil(max(ua, ub) + rmax)) - c0 + 1
        lo_v = int(math.floor(min(va, vb) - rmax)) - r0
        hi_v = int(math.ceil(max(va, vb) + rmax)) - r0 + 1
        lo_u, lo_v = max(lo_u, 0), max(lo_v, 0)
        hi_u, hi_v = min(hi_u, w), min(hi_v, h)
        if hi_u <= lo_u or hi_v <= lo_v:
            continue
        y = np.arange(lo_v, hi_v, dtype=float)[:, None] + r0
        x = np.arange(lo_u, hi_u, dtype=float)[None, :] + c0
        if k != 1.0:  # in columns scaled by 1/k about ua the section is round
            x = ua + (x - ua) / k
            ub = ua + (ub - ua) / k
        dx, dy = ub - ua, vb - va
        ll = dx * dx + dy * dy
        if ll < 1e-12:
            s = np.zeros((1, 1))
        else:
            s = np.clip(((x - ua) * dx + (y - va) * dy) / ll, 0.0, 1.0)
        px, py = ua + s * dx, va + s * dy
        dist = np.sqrt((x - px) ** 2 + (y - py) ** 2) - (ra + s * (rb - ra))
        if k != 1.0:  # back to pixels across (the edge's slope is steeper by k there)
            dist = dist * np.hypot(k * (x - px), y - py) / np.maximum(np.hypot(x - px, y - py), 1e-9)
        a = np.clip(0.5 - dist, 0.0, 1.0)[..., None]
        sl = img[lo_v:hi_v, lo_u:hi_u]
        sl += (np.asarray(colour, float) - sl) * a
