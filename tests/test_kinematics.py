"""Tests for dash40.kinematics: model identities, simulate-then-recover, published cross-checks,
F-v profile, phases and bad input.

Published reference values come from the README of the ``shorts`` R package
(https://github.com/mladenjovanovic/shorts, README.md; the same examples are on
https://mladenjovanovic.github.io/shorts/).  The data set is shorts' ``split_times``, athlete
"Kimberley": distances 5, 10, 15, 20, 30, 40 m, times 1.158, 1.893, 2.541, 3.149, 4.313, 5.444 s.
Each test quotes the printed numbers and compares to the precision printed there.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from dash40 import kinematics as k
from dash40.errors import Dash40Error, FitError, InputError

KIM_D = [5, 10, 15, 20, 30, 40]
KIM_T = [1.158, 1.893, 2.541, 3.149, 4.313, 5.444]
YD = 0.9144


def one_sentence(exc: BaseException) -> str:
    msg = str(exc)
    assert "\n" not in msg and msg.endswith("."), msg
    return msg


# =============================================================================================
# model identities
# =============================================================================================


def test_time_at_distance_inverts_distance_at_time_including_tiny_distances():
    mss, tau = 9.3, 1.05
    d = np.array([0.0, 1e-9, 1e-6, 1e-3, 0.05, 1.0, 9.144, 36.576, 100.0])
    t = k.predict_time_at_distance(d, mss, tau)
    assert t[0] == 0.0
    back = k.predict_distance_at_time(t, mss, tau)
    np.testing.assert_allclose(back, d, rtol=1e-10, atol=1e-15)
    # near the start d ~ MAC t^2 / 2
    assert k.predict_time_at_distance(1e-6, mss, tau) == pytest.approx(math.sqrt(2e-6 / (mss / tau)), rel=1e-3)


def test_velocity_and_acceleration_are_derivatives_of_distance():
    mss, tau = 8.8, 0.95
    t = np.linspace(0.05, 6, 50)
    h = 1e-5
    dv = (k.predict_distance_at_time(t + h, mss, tau) - k.predict_distance_at_time(t - h, mss, tau)) / (2 * h)
    np.testing.assert_allclose(dv, k.predict_velocity_at_time(t, mss, tau), rtol=1e-7)
    da = (k.predict_velocity_at_time(t + h, mss, tau) - k.predict_velocity_at_time(t - h, mss, tau)) / (2 * h)
    np.testing.assert_allclose(da, k.predict_acceleration_at_time(t, mss, tau), rtol=1e-6)
    assert k.predict_acceleration_at_time(0.0, mss, tau) == pytest.approx(k.mac_from(mss, tau))
    assert k.pmax_from(mss, tau) == pytest.approx(mss * mss / tau / 4)
    assert math.isnan(k.predict_distance_at_time(-0.1, mss, tau))


def test_time_at_distance_matches_shorts_published_predictions():
    # shorts README (model_timing_gates, Kimberley): predict(kimberley_profile)
    #   1.210935 1.897021 2.521028 3.122008 4.299243 5.466324   with MSS 8.5911430, TAU 0.8113285
    t = k.predict_time_at_distance(KIM_D, 8.5911430, 0.8113285)
    np.testing.assert_allclose(t, [1.210935, 1.897021, 2.521028, 3.122008, 4.299243, 5.466324], atol=1.5e-6)


# =============================================================================================
# simulate, then recover
# =============================================================================================

VARIANTS = [
    # (simulate kwargs, fit kwargs, expected model name)
    ({}, {}, "plain"),
    ({"time_correction": 0.27}, {"estimate_time_correction": True}, "time-correction"),
    ({"time_correction": 0.3}, {"time_correction": 0.3}, "time-correction-fixed"),
    ({"flying_distance": 0.6}, {"estimate_flying_distance": True}, "flying"),
    ({"flying_distance": 0.5}, {"flying_distance": 0.5}, "flying-fixed"),
    ({"flying_distance": 0.8, "time_correction": 0.1},
     {"estimate_flying_distance": True, "estimate_time_correction": True}, "time-correction+flying"),
]


@pytest.mark.parametrize("mss,tau", [(9.6, 1.12), (7.4, 0.72)])
@pytest.mark.parametrize("sim,fit_kw,name", VARIANTS)
def test_split_fit_recovers_known_parameters(mss, tau, sim, fit_kw, name):
    d = np.array([5, 10, 20, 30, 40]) * YD
    t = k.simulate_splits(d, mss, tau, **sim)
    fit = k.fit_splits(d, t, **fit_kw)
    assert fit.model == name
    assert fit.mss == pytest.approx(mss, rel=1e-4)
    assert fit.tau == pytest.approx(tau, rel=1e-4)
    assert fit.mac == pytest.approx(mss / tau, rel=2e-4)
    assert fit.pmax == pytest.approx(mss * mss / tau / 4, rel=3e-4)
    if "time_correction" in sim:
        assert fit.time_correction == pytest.approx(sim["time_correction"], rel=1e-4)
    else:
        assert fit.time_correction is None
    if "flying_distance" in sim:
        assert fit.flying_distance == pytest.approx(sim["flying_distance"], rel=1e-4)
    else:
        assert fit.flying_distance is None
    # predictions reproduce the simulated splits
    np.testing.assert_allclose(fit.split_time(d), t, atol=1e-6)


def test_split_fit_confidence_intervals_cover_the_truth_about_95_percent():
    rng = np.random.default_rng(20240601)
    d = np.array([5, 10, 15, 20, 30, 40.0])
    truth = {"mss": 9.0, "tau": 1.1, "time_correction": 0.2}
    hits = dict.fromkeys(truth, 0)
    n = 100
    for _ in range(n):
        t = k.simulate_splits(d, 9.0, 1.1, time_correction=0.2, noise_s=0.01, rng=rng)
        ci = k.fit_splits(d, t, estimate_time_correction=True).ci_dict()
        for name, value in truth.items():
            hits[name] += ci[name][0] <= value <= ci[name][1]
    for name in truth:
        # 3 degrees of freedom: a normal quantile instead of Student t would cover only ~80 %
        assert 0.88 <= hits[name] / n <= 1.0, (name, hits[name])


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("noise_m", [0.01, 0.02])
def test_trace_fit_recovers_mss_tau_onset_and_offset(seed, noise_m):
    rng = np.random.default_rng(seed)
    mss, tau, onset, offset = 9.4, 1.15, 0.83, -0.37
    t, p, u = k.simulate_trace(mss, tau, fps=60, onset_time=onset, position_offset=offset,
                               distance_m=40 * YD, noise_m=noise_m, rng=rng)
    assert t[1] - t[0] == pytest.approx(1 / 60)
    fit = k.fit_trace(t, p, u)  # onset and offset unknown, estimated
    assert fit.model == "trace" and fit.data == "trace"
    assert fit.mss == pytest.approx(mss, rel=0.01)
    assert fit.tau == pytest.approx(tau, rel=0.03)
    assert fit.onset_time == pytest.approx(onset, abs=0.02)
    assert fit.position_offset == pytest.approx(offset, abs=0.03)
    assert fit.rse == pytest.approx(noise_m, rel=0.25)
    lo, hi = fit.ci_dict()["mss"]
    assert lo < fit.mss < hi
    assert fit.quality == "good"
    # split from first movement to 10 yd for a chest that started 0.37 m behind the line
    assert fit.split_time(10 * YD) == pytest.approx(k.predict_time_at_distance(10 * YD - offset, mss, tau), abs=0.01)


def test_trace_fit_tolerates_the_within_step_speed_wobble_of_a_chest_point():
    rng = np.random.default_rng(4)
    mss, tau, onset = 9.2, 1.05, 0.5
    t, p, u = k.simulate_trace(mss, tau, onset_time=onset, position_offset=-0.3, noise_m=0.015, rng=rng)
    s = np.maximum(t - onset, 0.0)
    # speed oscillating +/- 0.25 m/s at a 4.4 Hz step rate: a position wobble of about 9 mm
    p = p + 0.25 / (2 * np.pi * 4.4) * np.sin(2 * np.pi * 4.4 * s) * (s > 0)
    fit = k.fit_trace(t, p, u)
    assert fit.mss == pytest.approx(mss, rel=0.01)
    assert fit.tau == pytest.approx(tau, rel=0.03)


def test_trace_fit_uses_the_engine_start_estimate_as_prior_or_fixed_value():
    rng = np.random.default_rng(7)
    t, p, u = k.simulate_trace(9.0, 1.0, onset_time=0.6, position_offset=-0.2, noise_m=0.015, rng=rng)
    free = k.fit_trace(t, p, u)
    # a Gaussian prior at a wrong value (0.65 s) pulls the onset towards it in proportion to its weight
    sharp = k.fit_trace(t, p, u, t0=0.65, t0_uncertainty=1e-4)
    medium = k.fit_trace(t, p, u, t0=0.65, t0_uncertainty=0.002)
    loose = k.fit_trace(t, p, u, t0=0.65, t0_uncertainty=0.5)
    assert free.onset_time == pytest.approx(0.6, abs=0.005)
    assert sharp.onset_time == pytest.approx(0.65, abs=0.002)
    assert free.onset_time + 0.005 < medium.onset_time < 0.65 - 0.005
    assert loose.onset_time == pytest.approx(free.onset_time, abs=0.002)
    fixed = k.fit_trace(t, p, u, t0=0.6, estimate_t0=False)
    assert fixed.onset_time == 0.6 and "onset_time" in fixed.fixed
    assert fixed.ci_dict()["onset_time"] is None
    assert fixed.mss == pytest.approx(9.0, rel=0.01)


def test_trace_fit_without_uncertainties_is_unweighted():
    rng = np.random.default_rng(11)
    t, p, _ = k.simulate_trace(8.5, 0.9, noise_m=0.01, rng=rng)
    fit = k.fit_trace(t, p)
    assert fit.uncertainty_m == ()
    assert fit.mss == pytest.approx(8.5, rel=0.01)


def test_predicted_splits_and_flying_ten():
    mss, tau = 9.5, 1.1
    d = np.array([10, 20, 30, 40]) * YD
    fit = k.fit_splits(d, k.simulate_splits(d, mss, tau))
    rows = {(r["distance"], r["units"]): r for r in fit.predicted()}
    assert rows[(5.0, "yd")]["time_s"] == pytest.approx(k.predict_time_at_distance(5 * YD, mss, tau), abs=1e-6)
    assert rows[(20.0, "m")]["time_s"] == pytest.approx(k.predict_time_at_distance(20, mss, tau), abs=1e-6)
    assert rows[(40.0, "m")]["extrapolated"] and not rows[(40.0, "yd")]["extrapolated"]
    fly = fit.flying_time(10 * YD)  # fastest 10 yd inside the 40 yd = the last one
    assert fly["from_m"] == pytest.approx(30 * YD) and fly["to_m"] == pytest.approx(40 * YD)
    assert fly["time_s"] == pytest.approx(
        k.predict_interval_time_at_distances(30 * YD, 40 * YD, mss, tau), abs=1e-6)
    between = fit.flying_time(10.0, start_m=20.0)
    assert between["time_s"] == pytest.approx(
        k.predict_time_at_distance(30, mss, tau) - k.predict_time_at_distance(20, mss, tau), abs=1e-6)


def test_to_dict_has_the_contract_keys_and_is_json_safe():
    import json

    fit = k.fit_splits(KIM_D, KIM_T, estimate_time_correction=True).with_force_velocity(body_mass_kg=60, height_m=1.7)
    d = fit.to_dict()
    for key in ("model", "mss", "tau", "mac", "pmax", "time_correction", "flying_distance", "ci", "rse",
                "residuals", "predicted", "fv", "phases", "quality", "flying"):
        assert key in d
    assert d["flying_distance"] is None and d["ci"]["flying_distance"] is None
    assert set(d["ci"]) >= {"mss", "tau", "mac", "pmax", "time_correction"}
    json.dumps(d, allow_nan=False)
    plain = k.fit_splits(KIM_D, KIM_T).to_dict()
    assert plain["time_correction"] is None and plain["flying_distance"] is None


# =============================================================================================
# published values: shorts README (mladenjovanovic/shorts), Kimberley's splits
# =============================================================================================


def test_plain_fit_reproduces_shorts_model_timing_gates():
    # shorts README, "Profiling using split times": model_timing_gates(distance, time)
    #   MSS 8.5911430  TAU 0.8113285  MAC 10.5889820  PMAX 22.7428645
    #   RSE 0.03403413; summary(): Std. Error MSS 0.12251, TAU 0.04581
    #   residuals(): -0.052934560 -0.004021206 0.019971712 0.026991617 0.013756878 -0.022324483
    fit = k.fit_splits(KIM_D, KIM_T)
    assert fit.mss == pytest.approx(8.5911430, abs=5e-8)
    assert fit.tau == pytest.approx(0.8113285, abs=5e-8)
    assert fit.mac == pytest.approx(10.5889820, abs=5e-7)
    assert fit.pmax == pytest.approx(22.7428645, abs=5e-7)
    assert fit.rse == pytest.approx(0.03403413, abs=5e-9)
    se = dict(fit.std_errors)
    assert se["mss"] == pytest.approx(0.12251, abs=5e-6)
    assert se["tau"] == pytest.approx(0.04581, abs=5e-6)
    np.testing.assert_allclose(
        fit.residuals,
        [-0.052934560, -0.004021206, 0.019971712, 0.026991617, 0.013756878, -0.022324483], atol=5e-9)


def test_fixed_time_correction_reproduces_shorts_plus_0_3_s():
    # shorts README, "Using corrections": model_timing_gates(distance, time + 0.3)
    #   MSS 9.127769  TAU 1.377624  MAC 6.625731  PMAX 15.119536  RSE 0.009969260
    #   Std. Error MSS 0.05355, TAU 0.02131
    fit = k.fit_splits(KIM_D, KIM_T, time_correction=0.3)
    assert fit.model == "time-correction-fixed" and fit.fixed == ("time_correction",)
    assert (fit.mss, fit.tau, fit.mac, fit.pmax) == pytest.approx((9.127769, 1.377624, 6.625731, 15.119536), abs=5e-7)
    assert fit.rse == pytest.approx(0.009969260, abs=5e-10)
    se = dict(fit.std_errors)
    assert (se["mss"], se["tau"]) == pytest.approx((0.05355, 0.02131), abs=5e-6)


def test_estimated_time_correction_reproduces_shorts_model_timing_gates_TC():
    # shorts README: model_timing_gates_TC(distance, time)
    #   MSS 8.9748354  TAU 1.2348566  MAC 7.2679173  PMAX 16.3070903  TC 0.2346537  RSE 0.0011290466
    fit = k.fit_splits(KIM_D, KIM_T, estimate_time_correction=True)
    assert (fit.mss, fit.tau, fit.mac, fit.pmax, fit.time_correction) == pytest.approx(
        (8.9748354, 1.2348566, 7.2679173, 16.3070903, 0.2346537), abs=5e-7)
    assert fit.rse == pytest.approx(0.0011290466, abs=5e-11)


def test_estimated_flying_distance_reproduces_shorts_model_timing_gates_FD():
    # shorts README: model_timing_gates_FD(distance, time)
    #   MSS 9.0026808  TAU 1.2877008  MAC 6.9912831  PMAX 15.7350726  FD 0.3015635  RSE 0.0003901336
    fit = k.fit_splits(KIM_D, KIM_T, estimate_flying_distance=True)
    assert (fit.mss, fit.tau, fit.mac, fit.pmax, fit.flying_distance) == pytest.approx(
        (9.0026808, 1.2877008, 6.9912831, 15.7350726, 0.3015635), abs=5e-7)
    assert fit.rse == pytest.approx(0.0003901336, abs=5e-11)


def test_fixed_flying_distance_reproduces_shorts_model_timing_gates_FD_0_5():
    # shorts README: model_timing_gates_FD(distance, time, FD = 0.5)
    #   MSS 9.178464  TAU 1.472935  MAC 6.231413  PMAX 14.298700  RSE 0.011228028
    # shorts keeps the fixed FD as a (bounded) nls parameter and so divides by n - 3 = 3; we count
    # it as fixed (n - 2 = 4 degrees of freedom), so our RSE is theirs * sqrt(3 / 4).
    fit = k.fit_splits(KIM_D, KIM_T, flying_distance=0.5)
    assert fit.model == "flying-fixed" and fit.flying_distance == 0.5
    assert (fit.mss, fit.tau, fit.mac, fit.pmax) == pytest.approx((9.178464, 1.472935, 6.231413, 14.298700), abs=5e-7)
    assert fit.rse * math.sqrt(4 / 3) == pytest.approx(0.011228028, abs=5e-9)


def test_phase_boundaries_reproduce_shorts_critical_distances():
    # shorts README (MSS 8.5911430, MAC 10.5889820):
    #   find_acceleration_critical_distance(percent = 0.5) -> 1.34628 m
    #   find_velocity_critical_distance(percent = 0.95)    -> 14.25923 m
    ph = k.acceleration_phases(8.5911430, 8.5911430 / 10.5889820)
    initial, transition, maxv = ph.phases
    assert initial.end_distance_m == pytest.approx(1.34628, abs=5e-6)
    # shorts finds this one with uniroot (default tolerance ~1.2e-4); ours is closed-form (14.259243)
    assert transition.end_distance_m == pytest.approx(14.25923, abs=1.2e-4)
    assert maxv.end_time_s is None and maxv.start_distance_m == transition.end_distance_m
    marks = {m.fraction: m for m in ph.marks}
    tau = 8.5911430 / 10.5889820
    assert marks[0.90].time_s == pytest.approx(tau * math.log(10))
    assert marks[0.99].time_s == pytest.approx(tau * math.log(100))
    assert k.predict_velocity_at_time(marks[0.95].time_s, 8.5911430, tau) == pytest.approx(0.95 * 8.5911430)


def test_fv_analytic_reproduces_shorts_create_FVP():
    # shorts README (v2.x), make_FV_profile / create_FVP(MSS 8.591143, MAC 10.58898, bodymass 60,
    # bodyheight 1.7; shorts' default air: 25 C, 760 Torr, no wind):
    #   F0 635.3389  F0_rel 10.58898  V0 8.845438  Pmax 1404.963  Pmax_rel 23.41605  FV_slope -1.197112
    fv = k.force_velocity_profile(8.5911430, 0.8113285, body_mass_kg=60, height_m=1.7, temperature_c=25,
                                  method="analytic")
    assert fv.f0_n == pytest.approx(635.3389, abs=5e-4)
    assert fv.f0_rel == pytest.approx(10.58898, abs=5e-5)
    assert fv.v0_m_s == pytest.approx(8.845438, abs=5e-6)
    assert fv.pmax_w == pytest.approx(1404.963, abs=5e-3)
    assert fv.pmax_rel == pytest.approx(23.41605, abs=5e-5)
    assert fv.slope_rel == pytest.approx(-1.197112, abs=5e-6)


def test_fv_regression_reproduces_shorts_get_FV_profile_samozino_2016():
    # shorts README (v1.x), get_FV_profile(MSS, TAU of Kimberley, bodymass 60, bodyheight 1.7):
    #   F0 6.30e+02  F0_rel 1.05e+01  V0 8.83e+00  Pmax 1.39e+03  Pmax_relative 2.32e+01
    #   FV_slope -1.19e+00  RFmax_cutoff 3.00e-01  RFmax 5.99e-01  Drf -1.04e-01
    #   RSE_FV 9.95e-01  RSE_Drf 9.46e-03            (3 significant digits printed)
    fv = k.force_velocity_profile(8.5911430, 0.8113285, body_mass_kg=60, height_m=1.7, temperature_c=25)
    assert fv.method == "regression"

    def sig3(x):
        return float(f"{x:.2e}")

    assert [sig3(x) for x in (fv.f0_n, fv.f0_rel, fv.v0_m_s, fv.pmax_w, fv.pmax_rel, fv.slope_rel,
                              fv.rf_max, fv.drf, fv.rse_fv_n, fv.rse_drf)] == [
        6.30e2, 1.05e1, 8.83, 1.39e3, 2.32e1, -1.19, 5.99e-1, -1.04e-1, 9.95e-1, 9.46e-3]


def test_air_resistance_and_force_reproduce_shorts_predict_kinematics_row():
    # shorts README (v2.x) predict_kinematics(kimberley_profile, bodymass 60, bodyheight 1.7), row t = 0.01 s:
    #   velocity 0.1052399  air_resistance 0.0026620  horizontal_force 627.5588  RF 0.7293843  power 66.04424
    mss, tau = 8.5911430, 0.8113285
    kk = k.air_drag_constant(60, 1.7, temperature_c=25, pressure_mmhg=760)
    v = k.predict_velocity_at_time(0.01, mss, tau)
    assert v == pytest.approx(0.1052399, abs=5e-8)
    assert k.predict_air_resistance_at_velocity(v, kk) == pytest.approx(0.0026620, abs=5e-8)
    f = k.predict_force_at_time(0.01, mss, tau, body_mass_kg=60, drag_k=kk)
    assert f == pytest.approx(627.5588, abs=5e-5)
    assert f / math.hypot(f, 60 * 9.81) == pytest.approx(0.7293843, abs=5e-8)
    assert k.predict_power_at_time(0.01, mss, tau, body_mass_kg=60, drag_k=kk) == pytest.approx(66.04424, abs=5e-5)


# =============================================================================================
# F-v identities and units
# =============================================================================================


def test_fv_identities_and_units():
    mss, tau, m = 9.2, 1.1, 85.0
    fv = k.force_velocity_profile(mss, tau, body_mass_kg=m, height_m=1.83)
    assert fv.pmax_w == pytest.approx(fv.f0_n * fv.v0_m_s / 4)
    assert fv.slope_n_s_m == pytest.approx(-fv.f0_n / fv.v0_m_s)
    assert fv.slope_rel == pytest.approx(fv.slope_n_s_m / m)
    assert fv.f0_rel == pytest.approx(fv.f0_n / m) and fv.pmax_rel == pytest.approx(fv.pmax_w / m)
    # air drag only shaves a little off the drag-free line F = m MAC (1 - v / MSS)
    assert fv.f0_n == pytest.approx(m * mss / tau, rel=0.02)
    # drag keeps F_H > 0 at MSS, so the regression line crosses zero a little beyond MSS
    assert mss < fv.v0_m_s < 1.05 * mss
    # the linear F-v line and its power parabola peak at V0 / 2
    assert fv.power_at_velocity(fv.v0_m_s / 2) == pytest.approx(fv.pmax_w)
    assert fv.force_at_velocity(fv.v0_m_s) == pytest.approx(0.0, abs=1e-9)
    # RF falls with speed: RFmax is the first value after 0.3 s and DRF < 0
    assert 0 < fv.rf_max < 1 and fv.drf < 0
    f03 = k.predict_force_at_time(0.3, mss, tau, body_mass_kg=m, drag_k=fv.drag_k)
    assert fv.rf_max == pytest.approx(f03 / math.hypot(f03, m * 9.81))
    # RF versus v on the model is close to the fitted line (slope DRF)
    t1, t2 = 0.6, 2.0
    rf = [k.predict_force_at_time(t, mss, tau, body_mass_kg=m, drag_k=fv.drag_k) for t in (t1, t2)]
    rf = [f / math.hypot(f, m * 9.81) for f in rf]
    v = [k.predict_velocity_at_time(t, mss, tau) for t in (t1, t2)]
    assert (rf[1] - rf[0]) / (v[1] - v[0]) == pytest.approx(fv.drf, rel=0.15)


def test_air_density_frontal_area_and_wind():
    assert k.air_density(0.0, 760.0) == pytest.approx(1.293)
    assert k.air_density(20.0, 760.0) == pytest.approx(1.293 * 273 / 293)
    assert k.air_density(20.0, 700.0) == pytest.approx(1.293 * 700 / 760 * 273 / 293)
    # Du Bois surface area 0.2025 H^0.725 m^0.425 times 0.266
    assert k.frontal_area(75, 1.75) == pytest.approx(0.2025 * 1.75**0.725 * 75**0.425 * 0.266)
    kk = k.air_drag_constant(75, 1.75)
    assert kk == pytest.approx(0.5 * k.air_density() * k.frontal_area(75, 1.75) * 0.9)
    assert k.predict_air_resistance_at_velocity(9.0, kk, wind_m_s=2.0) == pytest.approx(kk * 49)
    assert k.predict_air_resistance_at_velocity(9.0, kk, wind_m_s=-2.0) == pytest.approx(kk * 121)
    calm = k.force_velocity_profile(9, 1, body_mass_kg=75, height_m=1.75)
    head = k.force_velocity_profile(9, 1, body_mass_kg=75, height_m=1.75, wind_m_s=-3)
    assert head.f0_n > calm.f0_n  # running into a head wind the same kinematics need more force


# =============================================================================================
# bad input
# =============================================================================================


@pytest.mark.parametrize(
    "distances,times,kwargs,exc,words",
    [
        ([10], [1.9], {}, FitError, "at least 2 splits; got 1"),
        ([], [], {}, FitError, "got 0"),
        ([10, 20], [1.9, 3.1], {"estimate_time_correction": True}, FitError, "at least 3 splits; got 2"),
        ([10, 20, 30], [1.9, 3.1, 4.2], {"estimate_time_correction": True, "estimate_flying_distance": True},
         FitError, "at least 4 splits; got 3"),
        ([10, 20, 30], [1.9, 3.1, 3.1], {}, InputError, "strictly increasing"),
        ([10, 20, 30], [1.9, 3.1, 2.5], {}, InputError, "strictly increasing"),
        ([10, 10, 30], [1.9, 3.1, 4.2], {}, InputError, "split distances must be strictly increasing"),
        ([-5, 10, 20], [1.0, 1.9, 3.1], {}, InputError, "must be positive"),
        ([10, 20, 30], [1.9, float("nan"), 4.2], {}, InputError, "value #2 is nan"),
        ([10, 20, 30], [1.9, 3.1], {}, InputError, "3 distances and 2 times"),
        ([10, 20, 40], [0.5, 1.0, 1.6], {}, InputError, "faster than any human"),
        ([10, 20, 30, 40], [1.8, 3.0, 4.3, 6.2], {}, FitError, "deceleration"),
        ([10, 20], [1.9, 3.1], {"units": "ft"}, InputError, "units"),
    ],
)
def test_split_fit_rejects_bad_input(distances, times, kwargs, exc, words):
    with pytest.raises(exc) as err:
        k.fit_splits(distances, times, **kwargs)
    assert words in one_sentence(err.value)


def test_split_fit_refuses_an_absurd_top_speed():
    d = np.array([10, 20, 30, 40.0])
    t = k.simulate_splits(d, 14.0, 1.6)  # mean speed ~ 8.5 m/s, but the model needs MSS 14
    with pytest.raises(FitError) as err:
        k.fit_splits(d, t)
    assert "13 m/s" in one_sentence(err.value)


def test_split_fit_refuses_tau_on_its_bound():
    d = np.array([10, 20, 30, 40.0])
    with pytest.raises(FitError) as err:  # constant speed from t = 0: infinite acceleration
        k.fit_splits(d, d / 8.0)
    assert "limit of tau" in one_sentence(err.value)


def test_flying_fit_on_a_standing_start_says_there_is_no_flying_distance():
    d = np.array([5, 10, 20, 30, 40.0])
    with pytest.raises(FitError) as err:
        k.fit_splits(d, k.simulate_splits(d, 9.0, 1.0), estimate_flying_distance=True)
    assert "no flying start" in one_sentence(err.value)


def test_trace_fit_rejects_a_decelerating_trace():
    t, p, u = k.simulate_trace(9.0, 1.0, noise_m=0.01, rng=np.random.default_rng(3), distance_m=30)
    # keep going for 1.5 s after 30 m while braking at 4 m/s^2
    tt = t[-1] + np.arange(1, 91) / 60
    v_end = k.predict_velocity_at_time(t[-1] - 0.5, 9.0, 1.0)
    s = tt - t[-1]
    pp = p[-1] + v_end * s - 2.0 * s**2
    with pytest.raises(FitError) as err:
        k.fit_trace(np.concatenate([t, tt]), np.concatenate([p, pp]), np.concatenate([u, np.full(90, 0.01)]))
    assert "decelerates" in one_sentence(err.value)


@pytest.mark.parametrize(
    "mutate,exc,words",
    [
        (lambda t, p, u: (t, p * 0 + 0.5, u), FitError, "covers only"),
        (lambda t, p, u: (t[:5], p[:5], u[:5]), FitError, "at least 10 samples; got 5"),
        (lambda t, p, u: (t[::-1], p, u), InputError, "strictly increasing"),
        (lambda t, p, u: (t, np.where(np.arange(p.size) == 7, np.nan, p), u), InputError, "value #8 is nan"),
        (lambda t, p, u: (t, p, u * 0), InputError, "positive"),
        (lambda t, p, u: (t, p[:-1], u), InputError, "one position per time"),
    ],
)
def test_trace_fit_rejects_bad_input(mutate, exc, words):
    t, p, u = k.simulate_trace(9.0, 1.0, noise_m=0.01, rng=np.random.default_rng(5))
    with pytest.raises(exc) as err:
        k.fit_trace(*mutate(t, p, u))
    assert words in one_sentence(err.value)


def test_trace_fit_fixed_onset_needs_a_value():
    t, p, u = k.simulate_trace(9.0, 1.0)
    with pytest.raises(InputError) as err:
        k.fit_trace(t, p, u, estimate_t0=False)
    assert "needs t0" in one_sentence(err.value)


@pytest.mark.parametrize(
    "kwargs,words",
    [
        ({"body_mass_kg": 0, "height_m": 1.8}, "body mass must be between 25 and 250 kg; got 0"),
        ({"body_mass_kg": -80, "height_m": 1.8}, "got -80"),
        ({"body_mass_kg": 900, "height_m": 1.8}, "got 900"),
        ({"body_mass_kg": float("nan"), "height_m": 1.8}, "body mass"),
        ({"body_mass_kg": 80, "height_m": 0}, "height must be between 1 and 2.5 m; got 0"),
        ({"body_mass_kg": 80, "height_m": 180}, "got 180"),
        ({"body_mass_kg": 80, "height_m": 1.8, "temperature_c": 300}, "air temperature"),
        ({"body_mass_kg": 80, "height_m": 1.8, "pressure_mmhg": 7600}, "barometric pressure"),
        ({"body_mass_kg": 80, "height_m": 1.8, "method": "magic"}, "F-v method"),
    ],
)
def test_fv_rejects_impossible_athletes_and_air(kwargs, words):
    with pytest.raises(InputError) as err:
        k.force_velocity_profile(9.0, 1.0, **kwargs)
    assert words in one_sentence(err.value)


def test_all_errors_are_dash40_errors():
    with pytest.raises(Dash40Error):
        k.fit_splits([10], [2.0])
    with pytest.raises(Dash40Error):
        k.fit_splits([10, 20], ["a", 3])
