"""Horizontal force-velocity profile of a sprint (Samozino et al. 2016 "simple method").

Source: Samozino P, Rabita G, Dorel S, Slawinski J, Peyrot N, Saez de Villarreal E, Morin J-B
(2016). "A simple method for measuring power, force, velocity properties, and mechanical
effectiveness in sprint running." Scand J Med Sci Sports 26:648-658, doi:10.1111/sms.12490.

The method (macroscopic inverse dynamics of the centre of mass), in SI units:

* the mono-exponential model gives v(t) and a(t) (see :mod:`dash40.kinematics.model`);
* net horizontal force  ``F_H(t) = m * a(t) + F_aero(t)``;
* air drag ``F_aero = k * (v - v_wind)^2`` (signed: a tail wind ``v_wind > 0`` helps) with
  ``k = 0.5 * rho * Af * Cd``, where
  - air density ``rho = 1.293 * (Pb / 760) * 273 / (273 + T)`` (kg/m^3; ``Pb`` barometric
    pressure in mmHg = Torr, ``T`` in degrees C; 1.293 kg/m^3 at 0 degrees C and 760 mmHg),
  - frontal area ``Af = 0.2025 * H^0.725 * m^0.425 * 0.266`` (m^2; height ``H`` in m, body
    mass ``m`` in kg; Du Bois body-surface area times 0.266, after Arsac & Locatelli 2002,
    J Appl Physiol 92:1781-1788),
  - drag coefficient ``Cd = 0.9``;
* power ``P(t) = F_H(t) * v(t)``;
* F0 and V0 are the intercepts of the linear regression of ``F_H`` on ``v``; ``Pmax = F0*V0/4``;
  the F-v slope ``S_FV = -F0 / V0``;
* ratio of forces ``RF = F_H / sqrt(F_H^2 + F_V^2)`` with ``F_V = m * g`` (g = 9.81 m/s^2),
  computed only after 0.3 s of sprint (the first push-off is excluded); ``RFmax`` is its largest
  value and ``DRF`` the slope of the linear RF-v regression over the same samples.  The paper
  gives RF in %, we give it as a ratio (multiply by 100 for %); DRF is per m/s.

The model curves are sampled with ``duration_s * sample_rate_hz`` points evenly spaced from 0 to
``duration_s`` inclusive (default 600 points over 0-6 s), the convention of the ``shorts`` R
package's F-v profile, so published shorts numbers can be compared.  RFmax is the model's RF at
the cut-off itself (RF only decreases with time, so that is the supremum over t > cut-off).  ``method="analytic"`` instead takes F0 = F_H(v = 0) and V0 as the
speed where F_H = 0 on the model's own F-v curve (the variant of Samozino et al. 2022,
Scand J Med Sci Sports 32:559-575, doi:10.1111/sms.14097, as implemented by shorts'
``create_FVP``); RFmax and DRF are computed the same way for both.

Default air conditions: 20 degrees C, 760 mmHg, no wind.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.optimize import brentq

from ..errors import InputError
from ._validate import in_range
from .model import predict_acceleration_at_time, predict_velocity_at_time

__all__ = [
    "G",
    "DRAG_COEFFICIENT",
    "air_density",
    "frontal_area",
    "air_drag_constant",
    "predict_air_resistance_at_velocity",
    "predict_force_at_time",
    "predict_power_at_time",
    "ForceVelocityProfile",
    "force_velocity_profile",
]

G = 9.81  # m/s^2, as in Samozino et al. 2016
DRAG_COEFFICIENT = 0.9
RHO_0 = 1.293  # kg/m^3 at 0 degrees C and 760 mmHg

BODY_MASS_RANGE_KG = (25.0, 250.0)
HEIGHT_RANGE_M = (1.0, 2.5)
TEMPERATURE_RANGE_C = (-40.0, 50.0)
PRESSURE_RANGE_MMHG = (400.0, 820.0)
WIND_RANGE_M_S = (-15.0, 15.0)


def air_density(temperature_c: float = 20.0, pressure_mmhg: float = 760.0) -> float:
    """Air density (kg/m^3) from temperature (degrees C) and barometric pressure (mmHg)."""
    return RHO_0 * (pressure_mmhg / 760.0) * (273.0 / (273.0 + temperature_c))


def frontal_area(body_mass_kg: float, height_m: float) -> float:
    """Athlete's frontal area (m^2) from body mass (kg) and height (m): 0.2025 H^0.725 m^0.425 * 0.266."""
    return 0.2025 * height_m**0.725 * body_mass_kg**0.425 * 0.266


def air_drag_constant(
    body_mass_kg: float,
    height_m: float,
    *,
    temperature_c: float = 20.0,
    pressure_mmhg: float = 760.0,
    drag_coefficient: float = DRAG_COEFFICIENT,
) -> float:
    """k (kg/m) in F_aero = k * v^2: 0.5 * rho * Af * Cd."""
    return 0.5 * air_density(temperature_c, pressure_mmhg) * frontal_area(body_mass_kg, height_m) * drag_coefficient


def predict_air_resistance_at_velocity(velocity_m_s, drag_k: float, *, wind_m_s: float = 0.0):
    """Air drag (N) opposing the athlete at ``velocity_m_s``; a tail wind (> 0) reduces it."""
    rel = np.asarray(velocity_m_s, dtype=float) - wind_m_s
    out = drag_k * rel * np.abs(rel)
    return float(out) if out.ndim == 0 else out


def predict_force_at_time(time_s, mss: float, tau: float, *, body_mass_kg: float, drag_k: float = 0.0, wind_m_s: float = 0.0):
    """Net horizontal ground force (N) at ``time_s`` after first movement: m*a + air drag."""
    a = np.asarray(predict_acceleration_at_time(time_s, mss, tau))
    v = np.asarray(predict_velocity_at_time(time_s, mss, tau))
    out = body_mass_kg * a + np.asarray(predict_air_resistance_at_velocity(v, drag_k, wind_m_s=wind_m_s))
    return float(out) if out.ndim == 0 else out


def predict_power_at_time(time_s, mss: float, tau: float, *, body_mass_kg: float, drag_k: float = 0.0, wind_m_s: float = 0.0):
    """Horizontal power (W) at ``time_s`` after first movement: F_H * v."""
    f = np.asarray(predict_force_at_time(time_s, mss, tau, body_mass_kg=body_mass_kg, drag_k=drag_k, wind_m_s=wind_m_s))
    out = f * np.asarray(predict_velocity_at_time(time_s, mss, tau))
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class ForceVelocityProfile:
    """Samozino force-velocity profile. Forces N (``*_rel``: N/kg), speeds m/s, power W (``_rel``: W/kg)."""

    method: str
    body_mass_kg: float
    height_m: float
    temperature_c: float
    pressure_mmhg: float
    wind_m_s: float
    air_density_kg_m3: float
    frontal_area_m2: float
    drag_k: float
    f0_n: float
    f0_rel: float
    v0_m_s: float
    pmax_w: float
    pmax_rel: float
    slope_n_s_m: float
    slope_rel: float
    rf_max: float
    drf: float
    rf_cutoff_s: float
    rse_fv_n: float | None
    rse_drf: float | None

    def force_at_velocity(self, velocity_m_s):
        """The linear F-v relation (N): F0 * (1 - v / V0)."""
        v = np.asarray(velocity_m_s, dtype=float)
        out = self.f0_n * (1.0 - v / self.v0_m_s)
        return float(out) if out.ndim == 0 else out

    def power_at_velocity(self, velocity_m_s):
        """The parabolic P-v relation (W): v * F0 * (1 - v / V0)."""
        v = np.asarray(velocity_m_s, dtype=float)
        out = v * np.asarray(self.force_at_velocity(v))
        return float(out) if out.ndim == 0 else out

    def to_dict(self) -> dict:
        return asdict(self)


def _linfit(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float | None]:
    """Ordinary least squares y = b0 + b1 x -> (b0, b1, residual standard error)."""
    b1, b0 = np.polyfit(x, y, 1)
    res = y - (b0 + b1 * x)
    rse = float(np.sqrt(np.sum(res**2) / (x.size - 2))) if x.size > 2 else None
    return float(b0), float(b1), rse


def force_velocity_profile(
    mss: float,
    tau: float,
    *,
    body_mass_kg: float,
    height_m: float,
    temperature_c: float = 20.0,
    pressure_mmhg: float = 760.0,
    wind_m_s: float = 0.0,
    method: str = "regression",
    rf_cutoff_s: float = 0.3,
    duration_s: float = 6.0,
    sample_rate_hz: float = 100.0,
) -> ForceVelocityProfile:
    """Force-velocity profile from the sprint model's MSS (m/s) and TAU (s); see the module doc.

    ``method="regression"`` (default) is Samozino et al. 2016; ``"analytic"`` is the 2022 variant.
    Raises :class:`InputError` for impossible body mass, height or air conditions.
    """
    m = in_range(body_mass_kg, "body mass", *BODY_MASS_RANGE_KG, "kg")
    h = in_range(height_m, "height", *HEIGHT_RANGE_M, "m")
    temp = in_range(temperature_c, "air temperature", *TEMPERATURE_RANGE_C, "degrees C")
    pb = in_range(pressure_mmhg, "barometric pressure", *PRESSURE_RANGE_MMHG, "mmHg")
    w = in_range(wind_m_s, "wind speed", *WIND_RANGE_M_S, "m/s")
    in_range(mss, "MSS", 0.5, 20.0, "m/s")
    in_range(tau, "TAU", 0.01, 10.0, "s")
    in_range(rf_cutoff_s, "RF cut-off", 0.0, duration_s / 2, "s")
    if method not in ("regression", "analytic"):
        raise InputError(f"F-v method must be 'regression' or 'analytic'; got {method!r}.")
    n = int(round(duration_s * sample_rate_hz))
    if n < 10:
        raise InputError(f"the F-v sampling needs at least 10 samples; got {n} ({duration_s} s at {sample_rate_hz} Hz).")

    k = air_drag_constant(m, h, temperature_c=temp, pressure_mmhg=pb)
    t = np.linspace(0.0, duration_s, n)  # shorts' grid: n points from 0 to duration inclusive
    v = np.asarray(predict_velocity_at_time(t, mss, tau))
    f_h = np.asarray(predict_force_at_time(t, mss, tau, body_mass_kg=m, drag_k=k, wind_m_s=w))

    if method == "regression":
        f0, b1, rse_fv = _linfit(v, f_h)
        v0 = -f0 / b1
    else:
        mac = mss / tau

        def f_of_v(vv: float) -> float:
            return m * mac * (1.0 - vv / mss) + float(predict_air_resistance_at_velocity(vv, k, wind_m_s=w))

        f0 = f_of_v(0.0)
        v0 = brentq(f_of_v, 0.0, mss * 1.5 + 1.0) if f_of_v(mss * 1.5 + 1.0) < 0 else mss
        rse_fv = None

    after = t > rf_cutoff_s
    f_v = m * G
    rf = f_h[after] / np.sqrt(f_h[after] ** 2 + f_v**2)
    _, drf, rse_drf = _linfit(v[after], rf)
    # RF decreases with time in this model, so its largest value after the cut-off is the limit at
    # the cut-off itself; evaluating it there keeps RFmax independent of the sampling grid.
    f_cut = float(predict_force_at_time(rf_cutoff_s, mss, tau, body_mass_kg=m, drag_k=k, wind_m_s=w))
    rf_max = max(f_cut / float(np.hypot(f_cut, f_v)), float(rf.max()))
    pmax = f0 * v0 / 4.0
    return ForceVelocityProfile(
        method=method,
        body_mass_kg=m,
        height_m=h,
        temperature_c=temp,
        pressure_mmhg=pb,
        wind_m_s=w,
        air_density_kg_m3=air_density(temp, pb),
        frontal_area_m2=frontal_area(m, h),
        drag_k=k,
        f0_n=float(f0),
        f0_rel=float(f0 / m),
        v0_m_s=float(v0),
        pmax_w=float(pmax),
        pmax_rel=float(pmax / m),
        slope_n_s_m=float(-f0 / v0),
        slope_rel=float(-f0 / v0 / m),
        rf_max=rf_max,
        drf=float(drf),
        rf_cutoff_s=float(rf_cutoff_s),
        rse_fv_n=rse_fv,
        rse_drf=rse_drf,
    )
