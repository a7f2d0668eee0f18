"""dash40.figures: plain functions returning plotly Figures whose data are the fit's numbers."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from dash40 import kinematics as k
from dash40.figures import force_velocity_figure, position_time_figure, steps_figure, velocity_time_figure
from dash40.result import Step

YD = 0.9144


@pytest.fixture(scope="module")
def split_fit():
    d = np.array([5, 10, 20, 30, 40]) * YD
    return k.fit_splits(d, k.simulate_splits(d, 9.0, 1.1, time_correction=0.2), estimate_time_correction=True,
                        units="yd")


@pytest.fixture(scope="module")
def trace_fit():
    t, p, u = k.simulate_trace(9.0, 1.1, onset_time=0.5, position_offset=-0.3, noise_m=0.015,
                               rng=np.random.default_rng(0))
    return k.fit_trace(t, p, u)


def by_name(fig: go.Figure, name: str):
    return next(tr for tr in fig.data if tr.name == name)


def test_velocity_figure_from_splits_shows_mean_split_speeds_and_model(split_fit):
    fig = velocity_time_figure(split_fit)
    assert isinstance(fig, go.Figure)
    assert fig.layout.xaxis.title.text == "Time since the clock started (s)"
    assert fig.layout.yaxis.title.text == "Velocity (m/s)"
    pts = by_name(fig, "mean split velocity")
    d = np.concatenate([[0], split_fit.distance_m])
    t = np.concatenate([[0], split_fit.time_s])
    np.testing.assert_allclose(pts.y, np.diff(d) / np.diff(t))
    np.testing.assert_allclose(pts.x, (t[1:] + t[:-1]) / 2)
    model = by_name(fig, "model")
    # clock started 0.2 s after first movement: at clock zero the athlete already moves
    assert model.y[np.argmin(np.abs(np.asarray(model.x)))] == pytest.approx(
        k.predict_velocity_at_time(0.2, 9.0, 1.1), rel=1e-3)
    assert max(model.y) < 9.0


def test_velocity_figure_from_trace(trace_fit):
    fig = velocity_time_figure(trace_fit)
    assert fig.layout.xaxis.title.text == "Clip time (s)"
    measured = by_name(fig, "measured (local slope)")
    assert len(measured.x) == len(trace_fit.time_s)
    model = by_name(fig, "model")
    x, y = np.asarray(model.x), np.asarray(model.y)
    assert np.all(y[x < trace_fit.onset_time] == 0)
    # measured speeds scatter around the model at the end of the run
    assert np.nanmedian(np.asarray(measured.y)[-30:]) == pytest.approx(y[-1], rel=0.03)


def test_position_figure_units_and_error_bars(trace_fit, split_fit):
    fig_m = position_time_figure(trace_fit)
    fig_yd = position_time_figure(trace_fit, units="yd")
    assert fig_m.layout.yaxis.title.text == "Position along the lane (m)"
    assert fig_yd.layout.yaxis.title.text == "Position along the lane (yd)"
    m_pts, yd_pts = by_name(fig_m, "measured position"), by_name(fig_yd, "measured position")
    np.testing.assert_allclose(np.asarray(yd_pts.y) * YD, m_pts.y)
    np.testing.assert_allclose(m_pts.error_y.array, trace_fit.uncertainty_m)
    model = by_name(fig_m, "model")
    np.testing.assert_allclose(model.y, trace_fit.observation_curve(np.asarray(model.x)))
    splits = position_time_figure(split_fit)  # the fit was made from yards: shown in yards
    assert splits.layout.yaxis.title.text == "Distance from the first line (yd)"
    np.testing.assert_allclose(by_name(splits, "split times").y, [5, 10, 20, 30, 40])
    np.testing.assert_allclose(by_name(splits, "split times").x, split_fit.time_s)


def test_force_velocity_figure_has_line_and_power_curve(split_fit):
    fv = split_fit.with_force_velocity(body_mass_kg=85, height_m=1.8).fv
    fig = force_velocity_figure(fv, fit=split_fit)
    force, power = by_name(fig, "force (F-v line)"), by_name(fig, "power")
    assert force.y[0] == pytest.approx(fv.f0_n) and force.y[-1] == pytest.approx(0.0, abs=1e-9)
    assert force.x[-1] == pytest.approx(fv.v0_m_s)
    assert max(power.y) == pytest.approx(fv.pmax_w, rel=1e-4)
    assert fig.layout.xaxis.title.text == "Velocity (m/s)"
    assert fig.layout.yaxis.title.text == "Horizontal force (N)"
    assert fig.layout.yaxis2.title.text == "Power (W)"
    assert any(tr.name == "model force samples" for tr in fig.data)
    assert len(force_velocity_figure(fv).data) == len(fig.data) - 1


def test_steps_figure_handles_dicts_dataclasses_and_missing_values():
    steps = [
        {"time_s": 0.62, "distance": 0.9, "side": "left", "length": None, "contact_time_s": 0.19, "frequency_hz": None},
        {"time_s": 0.88, "distance": 2.1, "side": "right", "length": 1.2, "contact_time_s": 0.16, "frequency_hz": 3.85},
        Step(time_s=1.12, distance=3.45, side="left", length=1.35, contact_time_s=None, frequency_hz=4.17),
        {"time_s": None, "distance": None, "side": None, "length": 1.5, "contact_time_s": None, "frequency_hz": 4.3},
    ]
    fig = steps_figure(steps, units="yd")
    length = by_name(fig, "step length (yd)")
    freq = by_name(fig, "step frequency (Hz)")
    assert list(length.x) == [1, 2, 3, 4]
    assert list(length.y) == [None, 1.2, 1.35, 1.5]
    assert list(freq.y) == [None, 3.85, 4.17, 4.3]
    assert "right foot at 0.88 s, 2.10 yd, contact 160 ms" in length.text[1]
    assert list(length.marker.symbol) == ["circle", "square", "circle", "circle-open"]  # left, right, ?
    assert fig.layout.xaxis.title.text == "Step number"
    assert fig.layout.yaxis2.title.text == "Step frequency (Hz)"
    assert isinstance(steps_figure([]), go.Figure)


def test_step_frequency_axis_has_its_own_round_ticks_and_long_runs_are_labelled_every_other_step():
    steps = [{"time_s": 0.2 * i, "distance": 1.1 * i, "side": "left" if i % 2 else "right", "length": 1.1,
              "contact_time_s": 0.12, "frequency_hz": 4.4} for i in range(1, 25)]
    fig = steps_figure(steps, units="m")
    assert fig.layout.yaxis2.tickmode == "auto" and fig.layout.yaxis2.showgrid is False
    assert fig.layout.xaxis.dtick == 2
    assert steps_figure(steps[:9], units="m").layout.xaxis.dtick == 1


def test_steps_figure_shows_lengths_in_the_chosen_unit():
    """A run set up in yards shown in metres (and back): lengths, hover and axis in the display unit."""
    steps = [{"time_s": 0.9, "distance": 2.0, "side": "left", "length": 1.0, "contact_time_s": 0.15, "frequency_hz": 4.0},
             {"time_s": 1.15, "distance": 4.5, "side": "right", "length": 2.5, "contact_time_s": None, "frequency_hz": None}]
    fig = steps_figure(steps, units="m", data_units="yd")
    length = by_name(fig, "step length (m)")
    assert list(length.y) == [pytest.approx(0.9144), pytest.approx(2.286)]
    assert "left foot at 0.90 s, 1.83 m" in length.text[0] and "4.11 m" in length.text[1]
    assert fig.layout.yaxis.title.text == "Step length (m)"
    assert list(by_name(fig, "step frequency (Hz)").y) == [4.0, None]  # frequency is not a distance
    back = steps_figure([{"length": 1.8288, "distance": 9.144, "side": "left"}], units="yd", data_units="m")
    assert list(by_name(back, "step length (yd)").y) == [pytest.approx(2.0)] and "10.00 yd" in back.data[0].text[0]
    same = steps_figure(steps, units="yd", data_units="yd")
    assert list(by_name(same, "step length (yd)").y) == [1.0, 2.5]


def test_steps_with_nothing_to_chart_get_a_sentence_instead_of_empty_axes():
    # start_a3 (real, 10 m): three contacts 4 and 7 m apart, too far to be steps: every length and
    # frequency is None, and the page drew a step chart with axes and no point.
    from dash40.figures import steps_note

    far_apart = [{"time_s": t, "distance": d, "side": "unknown"} for t, d in ((0.95, 1.45), (1.45, 5.35), (2.12, 12.4))]
    note = steps_note(far_apart)
    assert note is not None and note.startswith("3 foot contacts seen")
    assert steps_note([]).startswith("No foot contact") and steps_note(far_apart[:1]).startswith("One foot contact")
    assert steps_note(far_apart[:2] + [{**far_apart[2], "length": 2.1}]) is None
    assert steps_note([{"time_s": 1.0, "distance": 3.0, "side": "left", "frequency_hz": 4.2}]) is None
