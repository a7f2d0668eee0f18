"""Sprint kinematics: the mono-exponential model, its fits, the F-v profile and the phases.

Workflow::

    from dash40 import kinematics as k

    fit = k.fit_splits([5, 10, 20, 30, 40], [1.16, 1.89, 3.15, 4.31, 5.44],
                       estimate_time_correction=True)        # or fit_trace(t, x, sigma)
    fit.mss, fit.tau, fit.mac, fit.pmax                      # m/s, s, m/s^2, W/kg
    fit.split_time(10 * 0.9144)                              # predicted 10-yd split, s
    fit = fit.with_force_velocity(body_mass_kg=90, height_m=1.85)
    fit.to_dict()                                            # the JSON ``model`` block

All quantities are SI.  Physics lives in tiny pure ``predict_<quantity>_at_<given>`` functions;
every fit variant returns the same frozen :class:`SprintFit`.
"""

from .fit import DEFAULT_PREDICTIONS, MSS_LIMIT, SprintFit, fit_splits, fit_trace, trace_velocity
from .forcevelocity import (
    ForceVelocityProfile,
    air_density,
    air_drag_constant,
    force_velocity_profile,
    frontal_area,
    predict_air_resistance_at_velocity,
    predict_force_at_time,
    predict_power_at_time,
)
from .model import (
    mac_from,
    pmax_from,
    predict_acceleration_at_distance,
    predict_acceleration_at_time,
    predict_distance_at_time,
    predict_interval_time_at_distances,
    predict_split_time_at_distance,
    predict_time_at_distance,
    predict_time_at_velocity,
    predict_velocity_at_distance,
    predict_velocity_at_time,
)
from .phases import AccelerationPhases, Phase, SpeedMark, acceleration_phases
from .simulate import simulate_splits, simulate_trace

__all__ = [
    "SprintFit",
    "fit_splits",
    "fit_trace",
    "trace_velocity",
    "DEFAULT_PREDICTIONS",
    "MSS_LIMIT",
    "ForceVelocityProfile",
    "force_velocity_profile",
    "air_density",
    "frontal_area",
    "air_drag_constant",
    "predict_air_resistance_at_velocity",
    "predict_force_at_time",
    "predict_power_at_time",
    "mac_from",
    "pmax_from",
    "predict_velocity_at_time",
    "predict_distance_at_time",
    "predict_acceleration_at_time",
    "predict_time_at_distance",
    "predict_velocity_at_distance",
    "predict_acceleration_at_distance",
    "predict_time_at_velocity",
    "predict_split_time_at_distance",
    "predict_interval_time_at_distances",
    "AccelerationPhases",
    "Phase",
    "SpeedMark",
    "acceleration_phases",
    "simulate_splits",
    "simulate_trace",
]
