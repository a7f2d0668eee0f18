"""The mono-exponential sprint model as tiny pure functions (SI units throughout).

The model (Furusawa, Hill & Parkinson 1927; Clark et al. 2017; Samozino et al. 2016)::

    v(t) = MSS * (1 - exp(-t / TAU))
    d(t) = MSS * (t + TAU * exp(-t / TAU) - TAU)
    a(t) = (MSS / TAU) * exp(-t / TAU)  =  MAC - v / TAU
    MAC  = MSS / TAU            (maximal acceleration, m/s^2)
    PMAX = MSS * MAC / 4        (maximal relative power, W/kg)

``t`` is the time since first movement (s), ``d`` the distance from the start (m).  The
inverse ``t(d)`` has a closed form with the principal branch W0 of the Lambert W function::

    t(d) = TAU * W0(-exp(-d / (MSS * TAU) - 1)) + d / MSS + TAU

which is what split-time fits use (time is the outcome, distance the predictor).  We evaluate it
with :func:`scipy.special.lambertw` and polish it with two Newton steps on ``d(t) = d`` so it
stays accurate near ``d = 0`` where W0 is near its branch point.

Names follow ``predict_<quantity>_at_<given>``; every function accepts scalars or arrays and
returns floats or arrays of the broadcast shape.  Nothing here validates input: negative
distances or times give NaN, not an exception (validation happens where fits are built).
"""

from __future__ import annotations

import numpy as np
from scipy.special import lambertw

__all__ = [
    "predict_velocity_at_time",
    "predict_distance_at_time",
    "predict_acceleration_at_time",
    "predict_time_at_distance",
    "predict_velocity_at_distance",
    "predict_acceleration_at_distance",
    "predict_time_at_velocity",
    "predict_split_time_at_distance",
    "predict_interval_time_at_distances",
    "mac_from",
    "pmax_from",
]


def _out(x):
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


def mac_from(mss: float, tau: float) -> float:
    """Maximal acceleration MAC = MSS / TAU (m/s^2)."""
    return mss / tau


def pmax_from(mss: float, tau: float) -> float:
    """Maximal relative power PMAX = MSS * MAC / 4 (W/kg)."""
    return mss * (mss / tau) / 4.0


def predict_velocity_at_time(time_s, mss: float, tau: float):
    """Velocity (m/s) at ``time_s`` seconds after first movement; NaN for negative times."""
    t = np.asarray(time_s, dtype=float)
    v = np.where(t >= 0, -mss * np.expm1(-np.maximum(t, 0.0) / tau), np.nan)
    return _out(v)


def predict_distance_at_time(time_s, mss: float, tau: float):
    """Distance (m) covered ``time_s`` seconds after first movement; NaN for negative times."""
    t = np.asarray(time_s, dtype=float)
    tc = np.maximum(t, 0.0)
    x = tc / tau
    # t + tau*(exp(-t/tau) - 1) loses digits for t << tau; use the series there.
    series = tau * x * x * (0.5 - x / 6.0 + x * x / 24.0 - x**3 / 120.0)
    closed = tc + tau * np.expm1(-x)
    d = mss * np.where(x < 1e-3, series, closed)
    return _out(np.where(t >= 0, d, np.nan))


def predict_acceleration_at_time(time_s, mss: float, tau: float):
    """Acceleration (m/s^2) at ``time_s`` seconds after first movement; NaN for negative times."""
    t = np.asarray(time_s, dtype=float)
    a = np.where(t >= 0, (mss / tau) * np.exp(-np.maximum(t, 0.0) / tau), np.nan)
    return _out(a)


def predict_time_at_distance(distance_m, mss: float, tau: float):
    """Time (s) after first movement at which ``distance_m`` metres are covered (inverse of d(t)).

    Lambert-W closed form, then two Newton steps on d(t) = distance. NaN for negative distances.
    """
    d = np.asarray(distance_m, dtype=float)
    dc = np.maximum(d, 0.0)
    x = dc / (mss * tau)
    z = -np.exp(-x - 1.0)
    w = np.real(lambertw(z, 0))
    t = tau * (w + 1.0 + x)
    t = np.maximum(t, 0.0)
    # Newton polish; start from the small-distance approximation where W0 is ill-conditioned.
    small = x < 1e-6
    t = np.where(small, np.sqrt(2.0 * dc * tau / mss), t)
    for _ in range(3):
        v = np.asarray(predict_velocity_at_time(t, mss, tau))
        f = np.asarray(predict_distance_at_time(t, mss, tau)) - dc
        step = np.divide(f, v, out=np.zeros_like(f), where=v > 0)
        t = np.maximum(t - step, 0.0)
    t = np.where(dc == 0.0, 0.0, t)
    return _out(np.where(d >= 0, t, np.nan))


def predict_velocity_at_distance(distance_m, mss: float, tau: float):
    """Velocity (m/s) when ``distance_m`` metres from the start are reached."""
    return predict_velocity_at_time(predict_time_at_distance(distance_m, mss, tau), mss, tau)


def predict_acceleration_at_distance(distance_m, mss: float, tau: float):
    """Acceleration (m/s^2) when ``distance_m`` metres from the start are reached."""
    return predict_acceleration_at_time(predict_time_at_distance(distance_m, mss, tau), mss, tau)


def predict_time_at_velocity(fraction_of_mss, mss: float, tau: float):
    """Time (s) after first movement to reach ``fraction_of_mss`` * MSS: -TAU * ln(1 - fraction).

    ``mss`` is accepted for a uniform signature; the answer depends on TAU only. Fractions
    outside [0, 1) give NaN (MSS itself is only approached asymptotically).
    """
    f = np.asarray(fraction_of_mss, dtype=float)
    ok = (f >= 0) & (f < 1)
    t = np.where(ok, -tau * np.log1p(-np.where(ok, f, 0.0)), np.nan)
    return _out(t)


def predict_split_time_at_distance(
    distance_m, mss: float, tau: float, *, time_correction: float = 0.0, flying_distance: float = 0.0
):
    """Split time (s) a timing system shows at ``distance_m`` metres from its first line.

    ``flying_distance`` (m) is what the athlete had already covered when crossing the first line
    (0 for a start on the line); ``time_correction`` (s) is how long after first movement the clock
    started (the constant that must be *added* to measured times)::

        split(d) = t(d + FD) - t(FD) - TC
    """
    d = np.asarray(distance_m, dtype=float)
    t = np.asarray(predict_time_at_distance(d + flying_distance, mss, tau))
    t0 = predict_time_at_distance(flying_distance, mss, tau)
    return _out(t - t0 - time_correction)


def predict_interval_time_at_distances(start_m, end_m, mss: float, tau: float):
    """Time (s) to run from ``start_m`` to ``end_m`` (both from the start), e.g. a flying 10."""
    return _out(
        np.asarray(predict_time_at_distance(end_m, mss, tau))
        - np.asarray(predict_time_at_distance(start_m, mss, tau))
    )
