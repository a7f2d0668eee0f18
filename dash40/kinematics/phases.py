"""Acceleration phases of the mono-exponential sprint model.

Rule used (model-based, written down so it can be argued with):

* **time and distance to reach a fraction p of MSS**: ``t_p = -TAU * ln(1 - p)``, ``d_p = d(t_p)``
  (exact for the model; reported for p = 0.90, 0.95, 0.99);
* **initial acceleration**: from first movement until the acceleration has fallen to half of
  MAC.  Because ``a = MAC * (1 - v / MSS)`` this is also where v = 0.5 * MSS, at ``t = TAU * ln 2``;
* **transition**: from there until v reaches 95 % of MSS (``t = TAU * ln 20``, about 3 TAU);
* **maximal velocity**: from 95 % of MSS on.

The three-section split of a maximal sprint's acceleration follows Nagahara R, Matsubayashi T,
Matsuo A, Zushi K (2014) "Kinematics of transition during human accelerated sprinting", Biology
Open 3:689-699 (doi:10.1242/bio.20148284), who found two transitions dividing the acceleration
into initial, middle and final sections.  They detected them from centre-of-mass height, which a
split-time model cannot see, so we place the boundaries with the two thresholds above; the same
thresholds (acceleration below 50 % of MAC, velocity above 95 % of MSS) are the ones the
``shorts`` R package uses in its ``find_acceleration_critical_distance(percent = 0.5)`` and
``find_velocity_critical_distance(percent = 0.95)`` examples (Jovanovic & Vescovi,
"shorts: An R Package for Modeling Short Sprints", SportRxiv preprint doi:10.31236/osf.io/4jw62;
README of https://github.com/mladenjovanovic/shorts).
Both thresholds are keyword arguments.

Times are seconds since first movement and distances metres from the start position (model
frame); a fit result converts them to its timing frame if needed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..errors import InputError
from .model import predict_distance_at_time, predict_time_at_velocity

__all__ = ["Phase", "SpeedMark", "AccelerationPhases", "acceleration_phases"]


@dataclass(frozen=True)
class SpeedMark:
    """When (s since first movement) and where (m from the start) ``fraction`` * MSS is reached."""

    fraction: float
    time_s: float
    distance_m: float


@dataclass(frozen=True)
class Phase:
    """One phase; ``end_*`` is None for the open-ended maximal-velocity phase."""

    name: str
    start_time_s: float
    start_distance_m: float
    end_time_s: float | None
    end_distance_m: float | None


@dataclass(frozen=True)
class AccelerationPhases:
    marks: tuple[SpeedMark, ...]
    phases: tuple[Phase, ...]
    rule: str

    def to_dict(self) -> dict:
        return {
            "marks": [asdict(m) for m in self.marks],
            "phases": [asdict(p) for p in self.phases],
            "rule": self.rule,
        }


def acceleration_phases(
    mss: float,
    tau: float,
    *,
    fractions: tuple[float, ...] = (0.90, 0.95, 0.99),
    initial_end_acceleration_fraction: float = 0.5,
    max_velocity_fraction: float = 0.95,
) -> AccelerationPhases:
    """Speed marks and the initial-acceleration / transition / maximal-velocity phases (see module doc)."""
    for name, f in (
        ("initial_end_acceleration_fraction", initial_end_acceleration_fraction),
        ("max_velocity_fraction", max_velocity_fraction),
        *(("fractions", f) for f in fractions),
    ):
        if not 0.0 < f < 1.0:
            raise InputError(f"{name} must be between 0 and 1 (exclusive); got {f!r}.")
    v_initial_end = 1.0 - initial_end_acceleration_fraction  # a = MAC (1 - v/MSS)
    if not v_initial_end < max_velocity_fraction:
        raise InputError(
            "the initial-acceleration end must come before the maximal-velocity start; "
            f"got v = {v_initial_end:.2f} MSS and {max_velocity_fraction:.2f} MSS."
        )

    def mark(f: float) -> SpeedMark:
        t = float(predict_time_at_velocity(f, mss, tau))
        return SpeedMark(f, t, float(predict_distance_at_time(t, mss, tau)))

    m1, m2 = mark(v_initial_end), mark(max_velocity_fraction)
    phases = (
        Phase("initial acceleration", 0.0, 0.0, m1.time_s, m1.distance_m),
        Phase("transition", m1.time_s, m1.distance_m, m2.time_s, m2.distance_m),
        Phase("maximal velocity", m2.time_s, m2.distance_m, None, None),
    )
    rule = (
        f"initial acceleration until a < {initial_end_acceleration_fraction:.0%} of MAC "
        f"(v = {v_initial_end:.0%} MSS); transition until v = {max_velocity_fraction:.0%} MSS; "
        "maximal velocity after (Nagahara et al. 2014 sections; thresholds as in shorts find_* examples)"
    )
    return AccelerationPhases(tuple(mark(f) for f in fractions), phases, rule)
