"""Fitting the mono-exponential sprint model, and the one result type all fits share.

Two data kinds, one result (:class:`SprintFit`):

* :func:`fit_splits` — split times at timing lines.  Non-linear least squares on *time as a
  function of distance* (the Lambert-W inverse of d(t)), as in the literature and the ``shorts``
  R package.  Variants are keyword arguments: an estimated or fixed *time correction* TC (the
  clock started TC seconds after first movement, so TC is added to every measured time) and an
  estimated or fixed *flying distance* FD (metres already covered when the first line was
  crossed)::

      measured split(d) = t(d + FD) - t(FD) - TC

* :func:`fit_trace` — the frame-by-frame position of a point on the athlete (chest front), in
  metres along the lane, each sample with a 1-sigma uncertainty.  The athlete starts at an
  unknown position offset x0 and moves at an unknown onset time t0::

      position(t) = x0 + d(max(t - t0, 0))

  Residuals are weighted by 1 / uncertainty; the video engine's own start estimate can be given
  as a Gaussian prior on t0 (``t0`` with ``t0_uncertainty``) or as a fixed onset.

Confidence intervals are Jacobian-based (Wald): covariance = s^2 (J'WJ)^-1 with s^2 the weighted
residual variance, as R's ``nls`` reports, and 95 % intervals estimate +/- t(0.975, n - p) * SE;
MAC and PMAX get theirs by the delta method.  A fit that does not converge, that ends on a
parameter bound, or whose MSS is not humanly possible (> 13 m/s) raises :class:`FitError`
instead of returning numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.optimize import least_squares
from scipy.stats import t as student_t

from ..errors import FitError, InputError
from ._validate import as_finite_array, in_range, strictly_increasing
from .forcevelocity import ForceVelocityProfile, force_velocity_profile
from .model import (
    predict_distance_at_time,
    predict_time_at_distance,
    predict_velocity_at_time,
)
from .phases import AccelerationPhases, acceleration_phases

__all__ = ["SprintFit", "fit_splits", "fit_trace", "trace_velocity", "MSS_LIMIT", "DEFAULT_PREDICTIONS"]

YARD_M = 0.9144
MSS_LIMIT = 13.0  # m/s; the fastest humans peak a little above 12 m/s
CI_LEVEL = 0.95
ALL_CI_NAMES = ("mss", "tau", "mac", "pmax", "time_correction", "flying_distance", "onset_time", "position_offset")
CI_METHOD = "Jacobian (Wald) 95% interval, Student t with n - p degrees of freedom"

#: distances at which ``to_dict`` predicts splits unless told otherwise: (value, units).
DEFAULT_PREDICTIONS: tuple[tuple[float, str], ...] = (
    (5, "yd"), (10, "yd"), (20, "yd"), (30, "yd"), (40, "yd"),
    (10, "m"), (20, "m"), (30, "m"), (40, "m"),
)

_BOUNDS = {
    "mss": (0.5, 25.0),
    "tau": (0.05, 5.0),
    "time_correction": (-2.0, 3.0),
    "flying_distance": (1e-4, 30.0),
}


def _to_m(value: float, units: str) -> float:
    return value * YARD_M if units == "yd" else float(value)


def _none_if_nan(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


@dataclass(frozen=True)
class SprintFit:
    """A fitted mono-exponential sprint model. All numbers SI: m, s, m/s, m/s^2, W/kg.

    ``time_correction`` / ``flying_distance`` / ``onset_time`` / ``position_offset`` are None when
    the variant does not involve them; ``fixed`` names the ones that were held at a given value.
    ``distance_m`` / ``time_s`` are the observations (split distances and times, or trace
    positions and sample times) and ``residuals`` are observed minus predicted (s for splits, m
    for a trace).
    """

    model: str
    data: str
    mss: float
    tau: float
    time_correction: float | None
    flying_distance: float | None
    onset_time: float | None
    position_offset: float | None
    std_errors: tuple[tuple[str, float | None], ...]
    ci: tuple[tuple[str, float | None, float | None], ...]
    ci_method: str
    dof: int
    rse: float | None
    residuals: tuple[float, ...]
    distance_m: tuple[float, ...]
    time_s: tuple[float, ...]
    uncertainty_m: tuple[float, ...] = ()
    fixed: tuple[str, ...] = ()
    quality: str = "unchecked"
    notes: tuple[str, ...] = ()
    units: str = "m"
    iterations: int = 0
    fv: ForceVelocityProfile | None = None

    # ---- derived parameters -----------------------------------------------------------------
    @property
    def mac(self) -> float:
        """Maximal acceleration MSS / TAU (m/s^2)."""
        return self.mss / self.tau

    @property
    def pmax(self) -> float:
        """Maximal relative power MSS * MAC / 4 (W/kg)."""
        return self.mss * self.mac / 4.0

    @property
    def first_line_distance_m(self) -> float:
        """Where the first timing line is, in metres from the athlete's start position (the model's
        distance origin): the flying distance, or minus the trace's position offset; 0 otherwise."""
        return (self.flying_distance or 0.0) - (self.position_offset or 0.0)

    @property
    def _dist_shift(self) -> float:
        return self.first_line_distance_m

    @property
    def _time_shift(self) -> float:
        """Model time (since first movement) at which the timing clock reads zero."""
        fd = self.flying_distance or 0.0
        return float(predict_time_at_distance(fd, self.mss, self.tau)) + (self.time_correction or 0.0)

    # ---- predictions ------------------------------------------------------------------------
    def split_time(self, distance_m):
        """Predicted split (s) at ``distance_m`` from the first line, in this fit's timing frame:
        from the clock start for split fits, from first movement for a trace."""
        d = np.asarray(distance_m, dtype=float) + self._dist_shift
        out = np.asarray(predict_time_at_distance(d, self.mss, self.tau)) - self._time_shift
        return float(out) if out.ndim == 0 else out

    def velocity_at_distance(self, distance_m):
        """Model velocity (m/s) when the measured point reaches ``distance_m`` from the first line."""
        d = np.asarray(distance_m, dtype=float) + self._dist_shift
        out = np.asarray(predict_velocity_at_time(predict_time_at_distance(d, self.mss, self.tau), self.mss, self.tau))
        return float(out) if out.ndim == 0 else out

    def observation_curve(self, times):
        """Model in the observations' own frame: positions (m) at ``times`` for a trace (clip time),
        distances from the first line at timing-frame times for split fits."""
        tt = np.asarray(times, dtype=float)
        if self.data == "trace":
            s = np.maximum(tt - (self.onset_time or 0.0), 0.0)
            out = (self.position_offset or 0.0) + np.asarray(predict_distance_at_time(s, self.mss, self.tau))
        else:
            s = np.maximum(tt + self._time_shift, 0.0)
            out = np.asarray(predict_distance_at_time(s, self.mss, self.tau)) - self._dist_shift
        return float(out) if out.ndim == 0 else out

    def observation_velocity(self, times):
        """Model velocity (m/s) at ``times`` in the observations' frame (see :meth:`observation_curve`)."""
        tt = np.asarray(times, dtype=float)
        if self.data == "trace":
            s = np.maximum(tt - (self.onset_time or 0.0), 0.0)
        else:
            s = np.maximum(tt + self._time_shift, 0.0)
        out = np.asarray(predict_velocity_at_time(s, self.mss, self.tau))
        return float(out) if out.ndim == 0 else out

    def flying_time(self, length_m: float, *, start_m: float | None = None, within_m: float | None = None) -> dict:
        """Time (s) over a ``length_m`` interval (e.g. a flying 10).

        With ``start_m`` the interval is [start_m, start_m + length_m] from the first line;
        otherwise it is the fastest interval of that length inside [0, ``within_m``] (default: the
        furthest observed distance) — for an accelerating model that is the last one.
        """
        if start_m is None:
            end = float(within_m if within_m is not None else self.max_distance_m)
            start_m = max(end - length_m, 0.0)
        end_m = start_m + length_m
        t = float(self.split_time(end_m)) - float(self.split_time(start_m))
        return {"from_m": float(start_m), "to_m": float(end_m), "time_s": t}

    @property
    def max_distance_m(self) -> float:
        return float(max(self.distance_m)) if self.distance_m else 0.0

    def phases(self) -> AccelerationPhases:
        """Speed marks and acceleration phases (model frame: since first movement, from the start)."""
        return acceleration_phases(self.mss, self.tau)

    def with_force_velocity(self, *, body_mass_kg: float, height_m: float, **air: Any) -> SprintFit:
        """A copy carrying the Samozino F-v profile (air conditions as keyword arguments of
        :func:`~dash40.kinematics.forcevelocity.force_velocity_profile`)."""
        return replace(self, fv=force_velocity_profile(self.mss, self.tau, body_mass_kg=body_mass_kg, height_m=height_m, **air))

    def ci_dict(self) -> dict[str, list[float] | None]:
        return {name: (None if lo is None else [lo, hi]) for name, lo, hi in self.ci}

    # ---- JSON -------------------------------------------------------------------------------
    def predicted(self, predict_at: Iterable[tuple[float, str]] = DEFAULT_PREDICTIONS) -> list[dict]:
        rows = []
        limit = self.max_distance_m * 1.001 + 1e-9
        for value, units in predict_at:
            d = _to_m(value, units)
            rows.append({
                "distance": float(value),
                "units": units,
                "distance_m": d,
                "time_s": float(self.split_time(d)),
                "velocity_m_s": float(self.velocity_at_distance(d)),
                "extrapolated": bool(d > limit),
            })
        return rows

    def to_dict(self, predict_at: Iterable[tuple[float, str]] = DEFAULT_PREDICTIONS) -> dict[str, Any]:
        """The JSON form (always SI; ``pmax`` per kg; null where the variant has no such quantity)."""
        ph = self.phases()
        flying = []
        for length, units in ((10, "yd"), (10, "m")):
            L = _to_m(length, units)
            if self.max_distance_m >= L:
                flying.append({"length": length, "units": units, **self.flying_time(L)})
        return {
            "model": self.model,
            "data": self.data,
            "mss": self.mss,
            "tau": self.tau,
            "mac": self.mac,
            "pmax": self.pmax,
            "time_correction": _none_if_nan(self.time_correction),
            "flying_distance": _none_if_nan(self.flying_distance),
            "onset_time": _none_if_nan(self.onset_time),
            "position_offset": _none_if_nan(self.position_offset),
            "fixed": list(self.fixed),
            "ci": self.ci_dict(),
            "std_error": {k: v for k, v in self.std_errors},
            "ci_method": self.ci_method,
            "dof": self.dof,
            "rse": _none_if_nan(self.rse),
            "residuals": list(self.residuals),
            "quality": self.quality,
            "notes": list(self.notes),
            "predicted": self.predicted(predict_at),
            "flying": flying,
            "phases": {**ph.to_dict(), "first_line_distance_m": self.first_line_distance_m,
                       "frame": "times since first movement, distances from the start position"},
            "fv": None if self.fv is None else self.fv.to_dict(),
        }


# =============================================================================================
# shared least-squares machinery
# =============================================================================================


def _time_partials(t: np.ndarray, mss: float, tau: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """d t / d MSS, d t / d TAU and d t / d distance at model times ``t`` (implicit differentiation
    of d(t; MSS, TAU) = distance); all 0 at t = 0 except d t / d distance, which is inf there."""
    v = np.asarray(predict_velocity_at_time(t, mss, tau))
    dist = np.asarray(predict_distance_at_time(t, mss, tau))
    e = np.exp(-t / tau)
    dd_dtau = mss * (e * (1.0 + t / tau) - 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        dt_dmss = np.where(v > 0, -(dist / mss) / v, 0.0)
        dt_dtau = np.where(v > 0, -dd_dtau / v, 0.0)
        dt_dd = np.where(v > 0, 1.0 / v, np.inf)
    return dt_dmss, dt_dtau, dt_dd


def _solve(fun, jac, starts: Sequence[np.ndarray], lower: np.ndarray, upper: np.ndarray, what: str):
    best = None
    for x0 in starts:
        x0 = np.clip(x0, lower + 1e-9 * (upper - lower), upper - 1e-9 * (upper - lower))
        try:
            res = least_squares(fun, x0, jac=jac, bounds=(lower, upper), method="trf",
                                x_scale="jac", ftol=1e-14, xtol=1e-14, gtol=1e-14, max_nfev=2000)
        except (ValueError, FloatingPointError, np.linalg.LinAlgError):
            continue
        if not np.all(np.isfinite(res.fun)):
            continue
        if best is None or res.cost < best.cost - 1e-15:
            best = res
    if best is None or best.status <= 0:
        msg = "no starting point gave a finite fit" if best is None else best.message
        raise FitError(f"the {what} fit did not converge ({msg}); the data do not follow a sprint from rest.")
    return best


def _check_bounds(res, names: Sequence[str], lower, upper, what: str) -> None:
    for i, name in enumerate(names):
        span = upper[i] - lower[i]
        at_low = res.active_mask[i] < 0 or res.x[i] - lower[i] < 1e-6 * span
        at_high = res.active_mask[i] > 0 or upper[i] - res.x[i] < 1e-6 * span
        if at_low or at_high:
            bound = lower[i] if at_low else upper[i]
            if name == "flying_distance" and at_low:
                raise FitError(
                    "the flying-distance estimate ran to 0 m, so these times show no flying start; "
                    "fit the plain or time-correction model instead."
                )
            raise FitError(
                f"the {what} fit ended on the limit of {name} ({bound:g}); the data cannot pin it down, "
                "so no parameters are reported."
            )


def _covariance(jac_w: np.ndarray, s2: float | None) -> np.ndarray | None:
    if s2 is None:
        return None
    jtj = jac_w.T @ jac_w
    if np.linalg.cond(jtj) > 1e14:
        return None
    return np.linalg.inv(jtj) * s2


def _intervals(names: Sequence[str], x: np.ndarray, cov: np.ndarray | None, dof: int, all_names: Sequence[str]):
    """Std errors and CIs for the estimated parameters plus MAC and PMAX (delta method)."""
    se: dict[str, float | None] = {n: None for n in all_names}
    ci: dict[str, tuple[float | None, float | None]] = {n: (None, None) for n in all_names}
    if cov is None or dof <= 0:
        return tuple(se.items()), tuple((n, *ci[n]) for n in all_names)
    q = float(student_t.ppf(0.5 + CI_LEVEL / 2, dof))
    vals = dict(zip(names, x, strict=True))
    for i, n in enumerate(names):
        s = float(math.sqrt(max(cov[i, i], 0.0)))
        se[n] = s
        ci[n] = (float(vals[n] - q * s), float(vals[n] + q * s))
    mss, tau = float(vals["mss"]), float(vals["tau"])
    sub = cov[:2, :2]
    for n, value, grad in (
        ("mac", mss / tau, np.array([1.0 / tau, -mss / tau**2])),
        ("pmax", mss * mss / (4 * tau), np.array([mss / (2 * tau), -mss * mss / (4 * tau**2)])),
    ):
        s = float(math.sqrt(max(grad @ sub @ grad, 0.0)))
        se[n] = s
        ci[n] = (float(value - q * s), float(value + q * s))
    return tuple(se.items()), tuple((n, *ci[n]) for n in all_names)


def _check_mss(mss: float, what: str) -> None:
    if mss > MSS_LIMIT:
        raise FitError(
            f"the {what} fit gives a top speed of {mss:.1f} m/s, above the {MSS_LIMIT:.0f} m/s no human reaches; "
            "check the distances, their units and the times."
        )


def _rel_halfwidth(ci, name: str, value: float) -> float:
    for n, lo, hi in ci:
        if n == name and lo is not None:
            return (hi - lo) / 2 / abs(value)
    return math.inf


# =============================================================================================
# split times
# =============================================================================================


def fit_splits(
    distance_m,
    time_s,
    *,
    estimate_time_correction: bool = False,
    time_correction: float = 0.0,
    estimate_flying_distance: bool = False,
    flying_distance: float = 0.0,
    weights=None,
    units: str = "m",
) -> SprintFit:
    """Fit MSS and TAU (and optionally TC, FD) to split times; returns a :class:`SprintFit`.

    Parameters
    ----------
    distance_m, time_s
        Distances of the timing lines from the first line (m, > 0, increasing) and the split
        times there (s, > 0, increasing).  At least 2 splits, plus one per estimated correction.
    estimate_time_correction, time_correction
        Estimate TC (``time_correction`` is then the starting value) or hold it at
        ``time_correction`` seconds (0 = none).  TC is added to every measured time.
    estimate_flying_distance, flying_distance
        Estimate FD or hold it at ``flying_distance`` metres (0 = start on the first line).
    weights
        Optional positive weight per split (least squares weights, as in ``nls``).
    units
        Only recorded for display ("m" or "yd"); the numbers given must already be metres.
    """
    d = as_finite_array(distance_m, "split distances", "m")
    t = as_finite_array(time_s, "split times", "s")
    if d.size != t.size:
        raise InputError(f"need one time per distance; got {d.size} distances and {t.size} times.")
    if units not in ("m", "yd"):
        raise InputError(f"units must be 'm' or 'yd'; got {units!r}.")
    tc_fixed = in_range(time_correction, "time correction", -2.0, 3.0, "s")
    fd_fixed = in_range(flying_distance, "flying distance", 0.0, 30.0, "m")
    names = ["mss", "tau"]
    if estimate_time_correction:
        names.append("time_correction")
    if estimate_flying_distance:
        names.append("flying_distance")
    parts = []
    if estimate_time_correction:
        parts.append("time-correction")
    elif tc_fixed != 0.0:
        parts.append("time-correction-fixed")
    if estimate_flying_distance:
        parts.append("flying")
    elif fd_fixed != 0.0:
        parts.append("flying-fixed")
    model = "+".join(parts) or "plain"
    fixed = tuple(n for n, est, val in (("time_correction", estimate_time_correction, tc_fixed),
                                       ("flying_distance", estimate_flying_distance, fd_fixed))
                  if not est and val != 0.0)

    if d.size < len(names):
        raise FitError(
            f"the {model} model estimates {len(names)} parameters and needs at least {len(names)} splits; got {d.size}."
        )
    strictly_increasing(d, "split distances", "m")
    strictly_increasing(t, "split times", "s")
    if d[-1] > 200:
        raise InputError(f"split distances must be at most 200 m for a sprint model; the last is {d[-1]:g} m.")
    mean_speed = d[-1] / (t[-1] + (tc_fixed if not estimate_time_correction else 0.0))
    if mean_speed > MSS_LIMIT:
        raise InputError(
            f"{d[-1]:g} m in {t[-1]:g} s is {mean_speed:.1f} m/s on average, faster than any human "
            f"(< {MSS_LIMIT:.0f} m/s); check the units of distances and times."
        )
    dd, dt = np.diff(np.concatenate([[0.0], d])), np.diff(np.concatenate([[0.0], t]))
    speeds = dd / dt
    if d.size >= 3 and speeds[-1] < 0.85 * speeds[:-1].max():
        i = int(np.argmax(speeds[:-1]))
        raise FitError(
            f"the splits show deceleration (the last interval is run at {speeds[-1]:.2f} m/s, slower than "
            f"{speeds[i]:.2f} m/s earlier); the model needs a sprint still accelerating or at top speed."
        )
    if weights is None:
        w = np.ones_like(d)
    else:
        w = as_finite_array(weights, "weights", "(unitless)")
        if w.size != d.size or (w <= 0).any():
            raise InputError(f"weights must be {d.size} positive numbers; got {list(w)}.")
    sw = np.sqrt(w)
    what = f"{model} split-time"

    def unpack(x):
        vals = dict(zip(names, x, strict=True))
        return (vals["mss"], vals["tau"], vals.get("time_correction", tc_fixed), vals.get("flying_distance", fd_fixed))

    def predict(x):
        mss, tau, tc, fd = unpack(x)
        t1 = np.asarray(predict_time_at_distance(d + fd, mss, tau))
        t0 = float(predict_time_at_distance(fd, mss, tau))
        return t1 - t0 - tc, t1, t0

    def fun(x):
        pred, _, _ = predict(x)
        return (pred - t) * sw

    def jac(x):
        mss, tau, tc, fd = unpack(x)
        _, t1, t0 = predict(x)
        m1, a1, g1 = _time_partials(t1, mss, tau)
        m0, a0, g0 = _time_partials(np.array([t0]), mss, tau)
        cols = [m1 - m0[0], a1 - a0[0]]
        if estimate_time_correction:
            cols.append(-np.ones_like(d))
        if estimate_flying_distance:
            cols.append(g1 - g0[0])
        return np.column_stack(cols) * sw[:, None]

    lower = np.array([_BOUNDS[n][0] for n in names])
    upper = np.array([_BOUNDS[n][1] for n in names])
    mss0 = float(np.clip(speeds[-1] * 1.05, 3.0, 12.0))
    starts = []
    for tau0 in (0.6, 1.0, 1.5):
        for tc0 in ((time_correction or 0.2, 0.0, 0.5) if estimate_time_correction else (None,)):
            for fd0 in ((flying_distance or 0.5, 0.1, 2.0) if estimate_flying_distance else (None,)):
                x0 = [mss0, tau0] + [v for v in (tc0, fd0) if v is not None]
                starts.append(np.array(x0, dtype=float))
    res = _solve(fun, jac, starts, lower, upper, what)
    _check_bounds(res, names, lower, upper, what)
    mss, tau, tc, fd = unpack(res.x)
    _check_mss(mss, what)

    pred, _, _ = predict(res.x)
    resid = t - pred
    dof = int(d.size - len(names))
    rse = float(math.sqrt(np.sum(w * resid**2) / dof)) if dof > 0 else None
    cov = _covariance(res.jac, None if rse is None else rse**2)
    all_names = ALL_CI_NAMES
    se, ci = _intervals(names, res.x, cov, dof, all_names)

    notes = []
    if dof == 0:
        quality = "unchecked"
        notes.append(
            f"{d.size} splits for {len(names)} parameters: the curve passes through every split, so nothing checks it"
        )
    else:
        wide = _rel_halfwidth(ci, "mss", mss) > 0.10 or _rel_halfwidth(ci, "tau", tau) > 0.35
        if rse is not None and rse <= 0.02 and not wide:
            quality = "good"
        elif rse is not None and rse <= 0.05:
            quality = "fair"
        else:
            quality = "poor"
        if wide:
            notes.append("wide confidence intervals: the splits constrain MSS or TAU poorly")
        if rse is not None and rse > 0.02:
            notes.append(f"residual standard error {rse:.3f} s is large for electronic timing")
    return SprintFit(
        model=model,
        data="splits",
        mss=float(mss),
        tau=float(tau),
        time_correction=float(tc) if (estimate_time_correction or tc_fixed != 0.0) else None,
        flying_distance=float(fd) if (estimate_flying_distance or fd_fixed != 0.0) else None,
        onset_time=None,
        position_offset=None,
        std_errors=se,
        ci=ci,
        ci_method=CI_METHOD,
        dof=dof,
        rse=rse,
        residuals=tuple(float(r) for r in resid),
        distance_m=tuple(float(x) for x in d),
        time_s=tuple(float(x) for x in t),
        fixed=fixed,
        quality=quality,
        notes=tuple(notes),
        units=units,
        iterations=int(res.nfev),
    )


# =============================================================================================
# position trace
# =============================================================================================


def trace_velocity(time_s, position_m, *, half_window_s: float = 0.125, min_points: int = 5) -> np.ndarray:
    """Velocity (m/s) of a position trace: the local linear-regression slope over +/- ``half_window_s``
    around each sample (at least ``min_points`` samples); NaN where it cannot be computed."""
    return _windowed_velocity(np.asarray(time_s, dtype=float), np.asarray(position_m, dtype=float),
                              half_window_s, min_points)


def _windowed_velocity(t: np.ndarray, p: np.ndarray, half_window_s: float = 0.125, min_points: int = 5):
    """Local linear-regression slope (m/s) around each sample."""
    v = np.full(t.size, np.nan)
    for i in range(t.size):
        lo = np.searchsorted(t, t[i] - half_window_s)
        hi = np.searchsorted(t, t[i] + half_window_s, side="right")
        if hi - lo < min_points:
            c = min_points // 2
            lo, hi = max(0, i - c), min(t.size, i + c + 1)
        if hi - lo < 3:
            continue
        tt, pp = t[lo:hi], p[lo:hi]
        tm = tt - tt.mean()
        den = float(np.sum(tm * tm))
        if den > 0:
            v[i] = float(np.sum(tm * (pp - pp.mean())) / den)
    return v


def _check_trace_shape(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    travel = float(np.max(p) - np.min(p))
    if travel < 2.0:
        raise FitError(f"the trace covers only {travel:.2f} m; a sprint fit needs at least 2 m of running.")
    v = _windowed_velocity(t, p)
    if np.nanmax(v) <= 1.0:
        raise FitError(
            f"the trace never exceeds 1 m/s along the lane (peak {np.nanmax(v):.2f} m/s); the athlete does not "
            "sprint in it, or the positions run against the lane direction."
        )
    # Deceleration is judged on half-second slopes: on a noisy trace (a small, hand-held athlete)
    # the quarter-second ones scatter by a metre per second and their peak is biased high.
    vs = _windowed_velocity(t, p, half_window_s=0.25)
    ipk = int(np.nanargmax(vs))
    vmax = float(vs[ipk])
    tail = vs[ipk:]
    tail_end = t[ipk:] >= t[-1] - 0.25
    v_end = float(np.nanmedian(tail[tail_end])) if tail_end.any() else vmax
    if v_end < 0.85 * vmax:
        raise FitError(
            f"the trace decelerates (speed falls from {vmax:.2f} m/s at {t[ipk]:.2f} s to {v_end:.2f} m/s at the end); "
            "the model needs the acceleration only, so trim the trace at the finish line."
        )
    if v_end < -0.5:
        raise FitError(f"the athlete moves backwards at the end of the trace ({v_end:.2f} m/s); check the lane direction.")
    return v


def fit_trace(
    time_s,
    position_m,
    uncertainty_m=None,
    *,
    t0: float | None = None,
    t0_uncertainty: float | None = None,
    estimate_t0: bool = True,
    position_offset: float | None = None,
    estimate_offset: bool = True,
    units: str = "m",
) -> SprintFit:
    """Fit MSS, TAU, the onset time t0 and the position offset x0 to a position-time trace.

    Parameters
    ----------
    time_s, position_m
        Sample times (s, strictly increasing; clip time) and positions of the tracked point along
        the lane (m; any origin, e.g. the first timing line).
    uncertainty_m
        1-sigma uncertainty of each position (m, > 0); residuals are divided by it. None = equal weights.
    t0, t0_uncertainty, estimate_t0
        The engine's own start estimate.  With ``estimate_t0`` (default) ``t0`` is the starting
        value and, if ``t0_uncertainty`` is given, a Gaussian prior; without, t0 is held fixed at
        ``t0`` (required then).
    position_offset, estimate_offset
        Position of the point at rest before the start; estimated by default (the value given is
        then the starting value), or held fixed.
    units
        Only recorded for display.
    """
    t = as_finite_array(time_s, "trace times", "s")
    p = as_finite_array(position_m, "trace positions", "m")
    if t.size != p.size:
        raise InputError(f"need one position per time; got {t.size} times and {p.size} positions.")
    if t.size < 10:
        raise FitError(f"a trace fit needs at least 10 samples; got {t.size}.")
    steps = np.diff(t)
    if (steps <= 0).any():
        i = int(np.flatnonzero(steps <= 0)[0])
        raise InputError(f"trace times must be strictly increasing; sample #{i + 2} ({t[i + 1]:g} s) follows {t[i]:g} s.")
    if uncertainty_m is None:
        sig = np.ones_like(p)
        weighted = False
    else:
        sig = as_finite_array(uncertainty_m, "trace uncertainties", "m")
        if sig.size != p.size or (sig <= 0).any():
            raise InputError(f"trace uncertainties must be {p.size} positive numbers (m); got min {sig.min():g} over {sig.size}.")
        weighted = True
    if not estimate_t0 and t0 is None:
        raise InputError("a fixed onset (estimate_t0=False) needs t0 in seconds; got None.")
    if not estimate_offset and position_offset is None:
        raise InputError("a fixed position offset (estimate_offset=False) needs position_offset in metres; got None.")
    if t0 is not None:
        t0 = in_range(t0, "start estimate t0", t[0] - 5.0, t[-1], "s (clip time)")
    if t0_uncertainty is not None:
        t0_uncertainty = in_range(t0_uncertainty, "start uncertainty", 1e-4, 2.0, "s")
    v_win = _check_trace_shape(t, p)

    names = ["mss", "tau"] + (["onset_time"] if estimate_t0 else []) + (["position_offset"] if estimate_offset else [])
    use_prior = estimate_t0 and t0 is not None and t0_uncertainty is not None

    def unpack(x):
        vals = dict(zip(names, x, strict=True))
        return vals["mss"], vals["tau"], vals.get("onset_time", t0), vals.get("position_offset", position_offset)

    def model_pos(x):
        mss, tau, tt0, x0 = unpack(x)
        s = np.maximum(t - tt0, 0.0)
        return x0 + np.asarray(predict_distance_at_time(s, mss, tau)), s

    def fun(x):
        pos, _ = model_pos(x)
        r = (pos - p) / sig
        if use_prior:
            r = np.append(r, (unpack(x)[2] - t0) / t0_uncertainty)
        return r

    def jac(x):
        mss, tau, tt0, x0 = unpack(x)
        pos, s = model_pos(x)
        dist = pos - x0
        e = np.exp(-s / tau)
        cols = [dist / mss, mss * (e * (1.0 + s / tau) - 1.0)]
        if estimate_t0:
            cols.append(-np.asarray(predict_velocity_at_time(s, mss, tau)))
        if estimate_offset:
            cols.append(np.ones_like(t))
        J = np.column_stack(cols) / sig[:, None]
        if use_prior:
            row = np.zeros(len(names))
            row[names.index("onset_time")] = 1.0 / t0_uncertainty
            J = np.vstack([J, row])
        return J

    # starting values from the data
    moving = np.flatnonzero(v_win > 0.5)
    t_move = float(t[moving[0]]) if moving.size else float(t[0])
    t0_guess = t0 if t0 is not None else t_move - 0.1
    before = t <= t0_guess
    x0_guess = position_offset if position_offset is not None else float(np.median(p[before]) if before.any() else p[0])
    mss0 = float(np.clip(np.nanmax(v_win) * 1.02, 1.0, 12.5))
    lower = {"mss": 0.5, "tau": 0.05, "onset_time": t[0] - 3.0, "position_offset": float(p.min()) - 20.0}
    upper = {"mss": 25.0, "tau": 5.0, "onset_time": t[-1] - 0.3, "position_offset": float(p.max())}
    lo = np.array([lower[n] for n in names])
    hi = np.array([upper[n] for n in names])
    starts = []
    for tau0 in (0.7, 1.2):
        for dt0 in ((0.0, -0.2, 0.1) if estimate_t0 else (0.0,)):
            x = [mss0, tau0]
            if estimate_t0:
                x.append(t0_guess + dt0)
            if estimate_offset:
                x.append(x0_guess)
            starts.append(np.array(x))
    what = "trace"
    res = _solve(fun, jac, starts, lo, hi, what)
    _check_bounds(res, names, lo, hi, what)
    mss, tau, tt0, x0 = unpack(res.x)
    _check_mss(mss, what)

    pos, _ = model_pos(res.x)
    resid = p - pos
    n = t.size
    dof = int(n - len(names))
    if dof <= 0:
        raise FitError(f"a trace fit needs more samples than its {len(names)} parameters; got {n}.")
    wr = resid / sig
    chi2 = float(np.sum(wr**2))
    s2 = (chi2 + (float(res.fun[-1]) ** 2 if use_prior else 0.0)) / dof
    cov = _covariance(res.jac, s2)
    all_names = ALL_CI_NAMES
    se, ci = _intervals(names, res.x, cov, dof, all_names)
    rse = float(math.sqrt(np.sum(resid**2) / dof))

    notes = []
    if weighted:
        notes.append(f"reduced chi-square {chi2 / dof:.2f} (residuals over the stated uncertainties)")
    if estimate_t0 and tt0 < t[0]:
        notes.append(f"the onset ({tt0:.2f} s) is before the first sample: the clip starts after first movement")
    run_end_speed = float(predict_velocity_at_time(max(t[-1] - tt0, 0.0), mss, tau))
    if run_end_speed < 0.9 * mss:
        notes.append(
            f"the trace ends at {run_end_speed / mss:.0%} of MSS, so MSS is an extrapolation"
        )
    wide = _rel_halfwidth(ci, "mss", mss) > 0.03 or _rel_halfwidth(ci, "tau", tau) > 0.10
    if rse <= 0.03 and not wide and run_end_speed >= 0.9 * mss:
        quality = "good"
    elif rse <= 0.08 and _rel_halfwidth(ci, "mss", mss) <= 0.10:
        quality = "fair"
    else:
        quality = "poor"
    fixed = tuple(n for n, est in (("onset_time", estimate_t0), ("position_offset", estimate_offset)) if not est)
    return SprintFit(
        model="trace",
        data="trace",
        mss=float(mss),
        tau=float(tau),
        time_correction=None,
        flying_distance=None,
        onset_time=float(tt0),
        position_offset=float(x0),
        std_errors=se,
        ci=ci,
        ci_method=CI_METHOD,
        dof=dof,
        rse=rse,
        residuals=tuple(float(r) for r in resid),
        distance_m=tuple(float(x) for x in p),
        time_s=tuple(float(x) for x in t),
        uncertainty_m=tuple(float(x) for x in sig) if weighted else (),
        fixed=fixed,
        quality=quality,
        notes=tuple(notes),
        units=units,
        iterations=int(res.nfev),
    )
