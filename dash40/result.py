"""The analysis result and its JSON form (the `dash40 analyze --json` contract).

Conventions
-----------
* Times are real seconds (slow-motion clips are rescaled to real time), 0 = the timestamp of the
  clip's first frame.
* Distances of lines, crossings, splits and steps are in the calibration's ``units`` ("yd" or "m");
  the ``model`` block is always SI (m, s, m/s, m/s^2, W/kg).
* ``frame`` fields are the index (0-based, decode order) of the frame nearest to the event, so a
  viewer can show it as a thumbnail.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

YARD_M = 0.9144


def to_metres(value: float, units: str) -> float:
    return value * YARD_M if units == "yd" else value


def from_metres(value: float, units: str) -> float:
    return value / YARD_M if units == "yd" else value


SAME_LINE_M = 0.01  # two lines less than 1 cm apart are the same line (a 10-yd line is not a 10-m line)
SAME_DISTANCE = 1e-6  # one line of one result: distances (its units) closer than this (event keys, splits)


def other_units(units: str) -> str:
    return "m" if units == "yd" else "yd"


def whole_units(distance_m: float, units: str) -> int | None:
    """The distance as a whole number of ``units`` (a line set at 40 yd), else None."""
    d = round(from_metres(distance_m, units))
    return d if abs(distance_m - to_metres(d, units)) < SAME_LINE_M / 10 else None


def distance_label(distance_m: float, units: str = "yd") -> str:
    """A line's distance in the coach's units: "40 yd", "10 m", or "9.14 m (10 yd)" for a line set
    in the other unit."""
    d = from_metres(distance_m, units)
    if (w := whole_units(distance_m, units)) is not None:
        return f"{w:g} {units}"
    if (o := whole_units(distance_m, other_units(units))) is not None:
        return f"{d:.2f} {units} ({o:g} {other_units(units)})"
    return f"{round(d, 2):g} {units}"


@dataclass(frozen=True)
class Start:
    """First movement. ``method`` says how it was found ("onset-fit"; "flying" when the athlete
    was already running at the first frame, "before-clip" when the clip begins as the athlete goes:
    the first movement is before its first frame or too close to it to time; in both ``time_s`` is
    None)."""

    time_s: float | None
    uncertainty_s: float | None
    method: str
    frame: int | None = None


@dataclass(frozen=True)
class Crossing:
    """The reference point (chest front by default) reaching a timing line's plane.
    ``time_s`` is None when the line is not reached in the clip (``note`` says why)."""

    distance: float
    time_s: float | None
    uncertainty_s: float | None
    frame: int | None = None
    note: str = ""
    plane_px: tuple[tuple[float, float], tuple[float, float]] | None = None  # the line's vertical plane at the
    # runner's path in the first frame: (ground point, point 2 m above), pixels


@dataclass(frozen=True)
class Split:
    """Time from first movement (or, for a flying run, from the first line) to a line."""

    distance: float
    time_s: float
    uncertainty_s: float | None = None


@dataclass(frozen=True)
class Step:
    """One foot contact. ``distance`` is where the foot is on the lane (result units);
    ``length`` is the distance from the previous contact (None for the first)."""

    time_s: float
    distance: float
    side: str
    length: float | None = None
    toe_off_s: float | None = None
    contact_time_s: float | None = None
    flight_time_s: float | None = None
    frequency_hz: float | None = None
    frame: int | None = None
    uncertainty_s: float | None = None


@dataclass(frozen=True)
class Trace:
    """The measured position of the reference point along the lane, frame by frame
    (metres from the first timing line, real seconds), with a 1-sigma uncertainty per sample."""

    time_s: tuple[float, ...] = ()
    position_m: tuple[float, ...] = ()
    uncertainty_m: tuple[float, ...] = ()  # independent from frame to frame (edge noise)
    frame: tuple[int, ...] = ()
    common_uncertainty_m: tuple[float, ...] = ()  # shared by neighbouring frames (where across the lane
    # the athlete runs): does not average out
    u_px: tuple[float, ...] = ()  # the reference point's pixel column in the first frame's coordinates
    v_px: tuple[float, ...] = ()  # ... and its row
    drift_px: tuple[tuple[float, float], ...] = ()  # camera drift of that frame against the first frame
    bbox_px: tuple[tuple[float, float, float, float], ...] = ()  # the runner's box (x0, y0, x1, y1), first-frame coordinates


@dataclass(frozen=True)
class AnalysisResult:
    clip: str
    fps: float
    capture_fps: float
    frames: int
    units: str
    reference: str
    start: Start
    crossings: tuple[Crossing, ...]
    splits: tuple[Split, ...]
    steps: tuple[Step, ...] = ()
    model: dict[str, Any] = field(default_factory=dict)
    width: int = 0
    height: int = 0
    duration_s: float = 0.0
    direction: str = "left-to-right"
    flying: bool = False
    trace: Trace = field(default_factory=Trace)
    warnings: tuple[str, ...] = ()
    analyzer_version: str = ""

    # ---- JSON -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("crossings", "splits", "steps", "warnings"):
            d[key] = list(d[key])
        d["trace"] = {k: list(v) for k, v in d["trace"].items()}
        return d

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def write_json(self, path: str | Path) -> None:
        """Write atomically: a failure never leaves a half-written file."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(self.to_json())
        tmp.replace(path)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AnalysisResult:
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        kw["start"] = Start(**_known(Start, d["start"]))
        kw["crossings"] = tuple(_crossing(c) for c in d.get("crossings", []))
        kw["splits"] = tuple(Split(**_known(Split, s)) for s in d.get("splits", []))
        kw["steps"] = tuple(Step(**_known(Step, s)) for s in d.get("steps", []))
        tr = d.get("trace") or {}
        kw["trace"] = Trace(**{k: tuple(tuple(e) if isinstance(e, list) else e for e in v) for k, v in _known(Trace, tr).items()})
        kw["warnings"] = tuple(d.get("warnings", ()))
        return cls(**kw)

    @classmethod
    def from_json(cls, text: str) -> AnalysisResult:
        return cls.from_dict(json.loads(text))

    def split(self, distance: float) -> Split | None:
        for s in self.splits:
            if abs(s.distance - distance) < SAME_DISTANCE:
                return s
        return None


def _crossing(c: dict[str, Any]) -> Crossing:
    kw = _known(Crossing, c)
    if kw.get("plane_px") is not None:
        kw["plane_px"] = tuple(tuple(p) for p in kw["plane_px"])
    return Crossing(**kw)


def _known(cls, d: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in d.items() if k in names}
