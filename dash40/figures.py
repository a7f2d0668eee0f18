"""Plotly figures built from fit results, so the dashboard only has to show them.

Every function is pure: data in, a new :class:`plotly.graph_objects.Figure` out (nothing is
shown or written).  Times are seconds; distances are shown in the fit's units (m or yd) unless
``units`` says otherwise; speeds in m/s; forces N; power W.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .kinematics import ForceVelocityProfile, SprintFit, trace_velocity
from .kinematics.forcevelocity import predict_force_at_time
from .kinematics.model import predict_velocity_at_time

__all__ = ["velocity_time_figure", "position_time_figure", "force_velocity_figure", "steps_figure", "steps_note"]

YARD_M = 0.9144
MODEL_COLOR = "#d62728"
DATA_COLOR = "#1f77b4"
SECOND_COLOR = "#2ca02c"


def _scale(units: str) -> float:
    if units not in ("m", "yd"):
        raise ValueError(f"units must be 'm' or 'yd'; got {units!r}")
    return YARD_M if units == "yd" else 1.0


def _time_axis_title(fit: SprintFit) -> str:
    if fit.data == "trace":
        return "Clip time (s)"
    if fit.time_correction or fit.flying_distance:
        return "Time since the clock started (s)"
    return "Time since the start (s)"


def _model_times(fit: SprintFit, n: int = 400) -> np.ndarray:
    t_obs = np.asarray(fit.time_s, dtype=float)
    t_lo = min(0.0, float(t_obs.min())) if t_obs.size else 0.0
    t_hi = float(t_obs.max()) if t_obs.size else 6.0
    return np.linspace(t_lo, t_hi, n)


def _layout(fig: go.Figure, title: str, x: str, y: str) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        template="plotly_white",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"l": 60, "r": 30, "t": 70, "b": 50},
    )
    return fig


def velocity_time_figure(fit: SprintFit, *, title: str | None = None) -> go.Figure:
    """Model velocity over time with the measured points: for a trace, the local-slope velocity of
    every sample; for splits, each interval's mean velocity at its mid-time."""
    fig = go.Figure()
    if fit.data == "trace":
        t = np.asarray(fit.time_s)
        v = trace_velocity(t, fit.distance_m)
        fig.add_trace(go.Scatter(x=t, y=v, mode="markers", name="measured (local slope)",
                                 marker={"size": 4, "color": DATA_COLOR, "opacity": 0.6}))
    else:
        d = np.concatenate([[0.0], fit.distance_m])
        t = np.concatenate([[0.0], fit.time_s])
        # the first interval starts at the first line only when the clock starts there
        mid_t = (t[1:] + t[:-1]) / 2
        mean_v = np.diff(d) / np.diff(t)
        fig.add_trace(go.Scatter(x=mid_t, y=mean_v, mode="markers", name="mean split velocity",
                                 marker={"size": 9, "color": DATA_COLOR},
                                 hovertemplate="%{x:.2f} s: %{y:.2f} m/s<extra></extra>"))
    tm = _model_times(fit)
    fig.add_trace(go.Scatter(x=tm, y=fit.observation_velocity(tm), mode="lines", name="model",
                             line={"color": MODEL_COLOR, "width": 2},
                             hovertemplate="%{x:.2f} s: %{y:.2f} m/s<extra></extra>"))
    fig.add_hline(y=fit.mss, line_dash="dot", line_color="grey",
                  annotation_text=f"MSS {fit.mss:.2f} m/s", annotation_position="bottom right")
    return _layout(fig, title or f"Velocity - {fit.model} model", _time_axis_title(fit), "Velocity (m/s)")


def position_time_figure(fit: SprintFit, *, units: str | None = None, title: str | None = None) -> go.Figure:
    """Position (trace) or split distance over time, with the model curve; trace samples carry
    their 1-sigma uncertainty as error bars."""
    u = units or fit.units
    k = _scale(u)
    fig = go.Figure()
    err = None
    if fit.uncertainty_m:
        err = {"type": "data", "array": np.asarray(fit.uncertainty_m) / k, "visible": True, "thickness": 1}
    name = "measured position" if fit.data == "trace" else "split times"
    fig.add_trace(go.Scatter(
        x=np.asarray(fit.time_s), y=np.asarray(fit.distance_m) / k, mode="markers", name=name, error_y=err,
        marker={"size": 4 if fit.data == "trace" else 9, "color": DATA_COLOR},
        hovertemplate=f"%{{x:.2f}} s: %{{y:.2f}} {u}<extra></extra>",
    ))
    tm = _model_times(fit)
    fig.add_trace(go.Scatter(x=tm, y=np.asarray(fit.observation_curve(tm)) / k, mode="lines", name="model",
                             line={"color": MODEL_COLOR, "width": 2},
                             hovertemplate=f"%{{x:.2f}} s: %{{y:.2f}} {u}<extra></extra>"))
    y_title = f"Position along the lane ({u})" if fit.data == "trace" else f"Distance from the first line ({u})"
    return _layout(fig, title or f"Position - {fit.model} model", _time_axis_title(fit), y_title)


def force_velocity_figure(
    profile: ForceVelocityProfile, *, fit: SprintFit | None = None, title: str | None = None
) -> go.Figure:
    """The linear F-v relation (N) and the parabolic power-velocity curve (W, right axis); with
    ``fit``, also the model's force samples the regression was made from."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    v = np.linspace(0.0, profile.v0_m_s, 200)
    if fit is not None:
        ts = np.linspace(0.0, 6.0, 121)
        vs = np.asarray(predict_velocity_at_time(ts, fit.mss, fit.tau))
        fs = np.asarray(predict_force_at_time(ts, fit.mss, fit.tau, body_mass_kg=profile.body_mass_kg,
                                              drag_k=profile.drag_k, wind_m_s=profile.wind_m_s))
        fig.add_trace(go.Scatter(x=vs, y=fs, mode="markers", name="model force samples",
                                 marker={"size": 4, "color": DATA_COLOR, "opacity": 0.5},
                                 hovertemplate="%{x:.2f} m/s: %{y:.0f} N<extra></extra>"), secondary_y=False)
    fig.add_trace(go.Scatter(x=v, y=profile.force_at_velocity(v), mode="lines", name="force (F-v line)",
                             line={"color": MODEL_COLOR, "width": 2},
                             hovertemplate="%{x:.2f} m/s: %{y:.0f} N<extra></extra>"), secondary_y=False)
    fig.add_trace(go.Scatter(x=v, y=profile.power_at_velocity(v), mode="lines", name="power",
                             line={"color": SECOND_COLOR, "width": 2, "dash": "dash"},
                             hovertemplate="%{x:.2f} m/s: %{y:.0f} W<extra></extra>"), secondary_y=True)
    fig.add_trace(go.Scatter(x=[profile.v0_m_s / 2], y=[profile.pmax_w], mode="markers+text", name="Pmax",
                             text=[f"Pmax {profile.pmax_w:.0f} W"], textposition="top center",
                             marker={"size": 9, "color": SECOND_COLOR}, showlegend=False), secondary_y=True)
    _layout(fig, title or (f"Force-velocity profile: F0 {profile.f0_n:.0f} N, V0 {profile.v0_m_s:.2f} m/s, "
                           f"Pmax {profile.pmax_w:.0f} W"), "Velocity (m/s)", "Horizontal force (N)")
    fig.update_yaxes(title_text="Horizontal force (N)", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text="Power (W)", rangemode="tozero", secondary_y=True)
    return fig


def _get(step: Any, key: str):
    if isinstance(step, Mapping):
        return step.get(key)
    return getattr(step, key, None)


def steps_note(steps: Iterable[Any]) -> str | None:
    """None when ``steps`` (as for ``steps_figure``) hold a length or a frequency to chart; else the
    sentence to show instead of empty axes (a clip whose contacts are too far apart to be steps)."""
    steps = list(steps)
    if any(_get(s, "length") is not None or _get(s, "frequency_hz") is not None for s in steps):
        return None
    n = len(steps)
    if n < 2:
        return f"{'One foot contact' if n else 'No foot contact'} seen: no step length or frequency to chart."
    return (f"{n} foot contacts seen, too far apart to be consecutive steps: no step length or frequency to "
            "chart (a clip of a few steps, or feet hidden in some frames).")


def steps_figure(steps: Iterable[Any], *, units: str = "m", data_units: str | None = None,
                 title: str | None = None) -> go.Figure:
    """Step length (left axis, in ``units``) and step frequency (Hz, right axis) per step.

    ``steps`` are dicts (or objects) with keys ``time_s``, ``distance``, ``side``, ``length``,
    ``contact_time_s``, ``frequency_hz``; any value may be None and shows as a gap.  ``length``
    and ``distance`` are in ``data_units`` (the run's units; default ``units``) and shown in ``units``.
    """
    steps = list(steps)
    n = np.arange(1, len(steps) + 1)
    to_shown = _scale(data_units or units) / _scale(units)

    def col(key, k=1.0):
        return [(None if _get(s, key) is None else float(_get(s, key)) * k) for s in steps]

    length, freq = col("length", to_shown), col("frequency_hz")
    hover = [
        f"step {i}: {_get(s, 'side') or '?'} foot"
        + (f" at {float(_get(s, 'time_s')):.2f} s" if _get(s, "time_s") is not None else "")
        + (f", {float(_get(s, 'distance')) * to_shown:.2f} {units}" if _get(s, "distance") is not None else "")
        + (f", contact {float(_get(s, 'contact_time_s')) * 1000:.0f} ms" if _get(s, "contact_time_s") is not None else "")
        for i, s in zip(n, steps, strict=True)
    ]
    # Left and right feet with different markers: an asymmetry shows as a zigzag of two shapes.
    shapes = {"left": "circle", "right": "square"}
    symbols = [shapes.get(_get(s, "side"), "circle-open") for s in steps]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=n, y=length, mode="lines+markers", name=f"step length ({units})",
                             text=hover, line={"color": DATA_COLOR}, connectgaps=False,
                             marker={"symbol": symbols, "size": 9},
                             hovertemplate="%{text}<br>length %{y:.2f} " + units + "<extra></extra>"), secondary_y=False)
    fig.add_trace(go.Scatter(x=n, y=freq, mode="lines+markers", name="step frequency (Hz)", text=hover,
                             line={"color": SECOND_COLOR, "dash": "dash"}, connectgaps=False,
                             hovertemplate="%{text}<br>frequency %{y:.2f} Hz<extra></extra>"), secondary_y=True)
    _layout(fig, title or "Step length and frequency (● left foot, ■ right foot)", "Step number",
            f"Step length ({units})")
    fig.update_xaxes(dtick=1 if len(steps) <= 12 else 2)  # every step number while they fit
    fig.update_yaxes(title_text=f"Step length ({units})", rangemode="tozero", secondary_y=False)
    # Its own round ticks (Streamlit's theme lines them up with the left axis' grid: 1.19, 2.38 Hz...).
    fig.update_yaxes(title_text="Step frequency (Hz)", rangemode="tozero", secondary_y=True, tickmode="auto",
                     showgrid=False)
    return fig
