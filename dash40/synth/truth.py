"""The analytic truth of a clip (never sampled from frames) and its JSON form."""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import brentq

YARD_M = 0.9144
CAPTURE_FPS_KEY = "dash40_capture_fps"

CONVENTIONS = {
    "time": "real seconds; 0 = the first frame's timestamp; file time is scaled by time_scale = fps ÷ "
            "(capture_fps × repeat) (real = file time × fps ÷ capture_fps for a slow-motion file; the file's "
            "dash40_capture_fps metadata holds capture_fps × repeat)",
    "frame_time": "a frame's timestamp is the MIDDLE of its exposure; motion blur averages K sub-frames "
                  "spread evenly over the exposure; a repeated image is timed at its first appearance",
    "chest_front": "the most forward world-x point of the trunk capsule (hip centre → neck base, radius "
                   "trunk_radius_m): max(hip.x, neck.x) + r; head, neck, arms and legs excluded",
    "crossing": "the first time the chest front (or hip centre) reaches x = line distance, root-found "
                "(scipy brentq) on the continuous model",
    "split": "chest crossing time − t0",
    "contact_x": "world x of the foot capsule's front (toe) end point, the foot's lowest point, fixed "
                 "from touchdown to toe-off (the ankle is under the hip centre at mid-stance); step length = "
                 "contact_x − previous contact's contact_x (the first step: from the front foot of the stance)",
    "world": "x along the lane (m, 0 = start line, the athlete runs toward +x), y up, z across; cones at "
             "z = ±cone_z; near = the camera's side",
    "pixels": "origin top-left, pixel centres at integer (u, v), full resolution",
}


@dataclass(frozen=True)
class LineTruth:
    distance: float  # in the clip's units
    distance_m: float
    chest_time_s: float | None
    hip_time_s: float | None
    split_s: float | None
    note: str = ""


@dataclass(frozen=True)
class ContactTruth:
    side: str
    touchdown_s: float | None  # None: on the ground in the set position before the clip starts
    toe_off_s: float
    contact_time_s: float | None
    x_m: float
    distance: float  # contact x in the clip's units
    step_length_m: float | None
    step_length: float | None
    set_position: bool = False
    note: str = ""


@dataclass(frozen=True)
class Truth:
    """Everything the clip's timing is, exactly. Times in real seconds from the first frame."""

    clip: str
    units: str
    direction: str
    t0: float
    flying: bool
    mss: float
    tau: float
    x_hip_set_m: float
    trunk_radius_m: float
    capture_fps: float
    fps: float
    time_scale: float
    repeat: int
    vfr: bool
    width: int
    height: int
    codec: str
    container: str
    capture_fps_metadata: dict[str, Any]
    lines: tuple[LineTruth, ...]
    contacts: tuple[ContactTruth, ...]
    frames: dict[str, list]
    camera: dict[str, Any]
    exposure: dict[str, Any]
    calibration: dict[str, Any]
    config: dict[str, Any]
    conventions: dict[str, str] = field(default_factory=lambda: dict(CONVENTIONS))

    @property
    def splits(self) -> list[tuple[float, float | None]]:
        return [(ln.distance, ln.split_s) for ln in self.lines]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["lines"] = [asdict(x) for x in self.lines]
        d["contacts"] = [asdict(x) for x in self.contacts]
        d["splits"] = [{"distance": ln.distance, "time_s": ln.split_s} for ln in self.lines]
        return d

    def write_json(self, path: str | os.PathLike) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1, allow_nan=False))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Truth:
        d = dict(d)
        d.pop("splits", None)
        d["lines"] = tuple(LineTruth(**x) for x in d["lines"])
        d["contacts"] = tuple(ContactTruth(**x) for x in d["contacts"])
        return cls(**d)


def load_truth(path: str | os.PathLike) -> Truth:
    """Read a ``X.truth.json`` (or the clip ``X.mp4``/``X.mov`` beside it)."""
    p = Path(path)
    if p.suffix in (".mp4", ".mov"):
        p = p.with_suffix(".truth.json")
    if not p.exists():
        raise FileNotFoundError(f"No truth file at {p}.")
    return Truth.from_dict(json.loads(p.read_text()))


def first_crossing(fn, target: float, t_lo: float, t_hi: float, step: float = 0.005) -> float | None:
    """First t in [t_lo, t_hi] where fn(t) reaches ``target`` (fn continuous), by a grid scan for the
    first sign change then brentq to machine precision. None if never reached."""
    if fn(t_lo) >= target:
        return None
    ts = np.arange(t_lo, t_hi + step, step)
    vals = fn(ts) - target
    idx = np.nonzero(vals >= 0)[0]
    if len(idx) == 0:
        return None
    i = int(idx[0])
    a, b = float(ts[i - 1]), float(ts[i])
    return float(brentq(lambda t: float(fn(t)) - target, a, b, xtol=1e-14, rtol=1e-15, maxiter=200))


def line_truths(athlete, cfg, t_first: float, t_last: float) -> tuple[LineTruth, ...]:
    out = []
    t0 = athlete.t0
    t_hi = max(t0, t_last) + 30.0
    for d, dm in zip(cfg.lines, cfg.lines_m, strict=True):
        tc = first_crossing(athlete.chest_front_x, dm, t0, t_hi)
        th = first_crossing(athlete.hip_x, dm, t0, t_hi)
        note = ""
        if tc is None:
            note = "line already behind the chest front at first movement (t0)"
        elif tc < t_first:
            note = "crossed before the first frame"
        elif tc > t_last:
            note = "crossed after the last frame"
        out.append(LineTruth(float(d), float(dm), tc, th, None if tc is None else tc - t0, note))
    return tuple(out)


def contact_truths(athlete, cfg, t_first: float, t_last: float) -> tuple[ContactTruth, ...]:
    k = YARD_M if cfg.units == "yd" else 1.0
    ordered = sorted(athlete.contacts, key=lambda c: (c.touchdown, c.toe_off))
    out, prev_x = [], None
    for c in ordered:
        visible = c.toe_off >= t_first and c.touchdown <= t_last
        step = None if (prev_x is None or c.set_position) else c.x - prev_x
        # the first step is measured from the front foot of the stance
        prev_x = c.x if (prev_x is None or not c.set_position) else max(prev_x, c.x)
        if not visible:
            continue
        notes = []
        if c.set_position:
            notes.append("set position (on the ground before the clip starts)")
        elif c.touchdown < t_first:
            notes.append("touchdown before the first frame")
        if c.toe_off > t_last:
            notes.append("toe-off after the last frame")
        td = None if math.isinf(c.touchdown) else float(c.touchdown)
        out.append(ContactTruth(
            side=c.side, touchdown_s=td, toe_off_s=float(c.toe_off),
            contact_time_s=None if td is None else float(c.toe_off - td),
            x_m=float(c.x), distance=float(c.x / k),
            step_length_m=None if step is None else float(step),
            step_length=None if step is None else float(step / k),
            set_position=c.set_position, note="; ".join(notes)))
    return tuple(out)
