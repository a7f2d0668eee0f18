"""What the dashboard's pages show, computed without Streamlit: tables, deltas, leaderboards,
exports, the demo data and the pictures. The pages only lay these out."""

from __future__ import annotations

import html
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go

from .corrections import correction_of, event_time, line_event, nudge  # noqa: F401 - nudge: the pages' API
from .result import (
    SAME_DISTANCE,
    SAME_LINE_M,
    AnalysisResult,
    distance_label,
    from_metres,
    other_units,
    to_metres,
    whole_units,
)

# The split columns every table shows, in the coach's units (metres from the first line).
STANDARD_SPLITS = {"yd": (10.0, 20.0, 40.0), "m": (10.0, 20.0, 30.0)}
CORRECTED_MARK = "*"
CORRECTED_NOTE = "* corrected by the coach (the automatic time is kept beside it)"
FLY_NOTE = ("fly = a flying rep (already running when the clip starts): the time from the first line it crossed "
            "to a later line, not a split from a start.")


@dataclass(frozen=True)
class SplitColumn:
    """One split column of a table: the line's distance in metres and its name in the coach's units."""

    distance_m: float
    label: str
    standard: bool = False


def fly_label(from_m: float, to_m: float, units: str = "yd") -> str:
    """A flying interval between two lines in the coach's units: "fly 20–40 yd", or
    "fly 18.29–36.58 m (20–40 yd)" for lines set in the other unit."""
    a, b = whole_units(from_m, units), whole_units(to_m, units)
    if a is not None and b is not None:
        return f"fly {a:g}–{b:g} {units}"
    fa, fb = from_metres(from_m, units), from_metres(to_m, units)
    oa, ob = whole_units(from_m, other_units(units)), whole_units(to_m, other_units(units))
    if oa is not None and ob is not None:
        return f"fly {fa:.2f}–{fb:.2f} {units} ({oa:g}–{ob:g} {other_units(units)})"
    return f"fly {round(fa, 2):g}–{round(fb, 2):g} {units}"


def split_columns(runs: Sequence, units: str = "yd", *, standard: bool = True) -> list[SplitColumn]:
    """The split columns of a table of ``runs``, nearest line first: the standard 10/20/40 yd (10/20/30 m
    in metres) unless ``standard`` is False, and every other distance any of the runs was timed at."""
    cols: list[SplitColumn] = []
    if standard:
        cols = [SplitColumn(round(to_metres(d, units), 4), f"{d:g} {units}", True) for d in STANDARD_SPLITS[units]]
    for r in runs:
        for d in r.splits:
            if not any(abs(c.distance_m - d) < SAME_LINE_M for c in cols):
                cols.append(SplitColumn(d, distance_label(d, units)))
    return sorted(cols, key=lambda c: c.distance_m)


@dataclass(frozen=True)
class FlyColumn:
    """One flying-interval column: from one line to a later one (metres), named in the coach's units."""

    from_m: float
    to_m: float
    label: str

    @property
    def length_m(self) -> float:
        return self.to_m - self.from_m


def _same_interval(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < SAME_LINE_M and abs(a[1] - b[1]) < SAME_LINE_M


def fly_columns(runs: Sequence, units: str = "yd") -> list[FlyColumn]:
    """Every flying interval any of ``runs`` was timed over (flying runs only), in line order."""
    cols: list[FlyColumn] = []
    for r in runs:
        for key in r.fly_splits:
            if not any(_same_interval((c.from_m, c.to_m), key) for c in cols):
                cols.append(FlyColumn(key[0], key[1], fly_label(key[0], key[1], units)))
    return sorted(cols, key=lambda c: (c.from_m, c.to_m))


def fly_at(run, col: FlyColumn) -> tuple[float, bool] | None:
    """The flying run's effective time over the interval of ``col`` and whether the coach corrected
    it; None when the run was not timed over it (a run timed from a start never is)."""
    for key, t in run.fly_splits.items():
        if _same_interval(key, (col.from_m, col.to_m)):
            return (t, key in run.fly_corrected) if t > 0 else None  # (a time not after the first line is none)
    return None


def _fly_csv_name(col: FlyColumn) -> str:
    """``fly_20-40yd_s``; lines set in the other unit: ``fly_18.29-36.58m(20-40yd)_s``."""
    return "fly_" + col.label.removeprefix("fly ").replace("–", "-").replace(" ", "") + "_s"


def split_at(run, distance_m: float) -> tuple[float, bool] | None:
    """The run's effective split at a line (within 1 cm) and whether the coach corrected it; None when
    the run has no line there (a split that was not measured is never made up), or when its time is
    not after the start (a correction may not make one, but an old record could hold it)."""
    for d, t in run.splits.items():
        if abs(d - distance_m) < SAME_LINE_M:
            return (t, d in run.corrected) if t > 0 else None  # (a time not after the start is none)
    return None


def fmt_split(v: tuple[float, bool] | None) -> str:
    """A split to 0.01 s, with the mark of a coach's correction ("—" when not measured)."""
    return "—" if v is None else fmt_time(v[0]) + (CORRECTED_MARK if v[1] else "")


def any_corrected(runs: Sequence) -> bool:
    return any(r.corrected or r.fly_corrected for r in runs)


def fmt_time(t: float | None) -> str:
    """Times as coaches read them: 0.01 s ("—" when there is none)."""
    return "—" if t is None or t != t else f"{t:.2f}"


def _r2(v: float | None) -> float | None:
    return None if v is None else round(float(v), 2)


def split_table(result: AnalysisResult, units: str | None = None,
                corrections: dict[str, tuple[int, float]] | None = None) -> pd.DataFrame:
    """One row per timing line: crossing, split from first movement (0.01 s), uncertainty (ms).

    A flying run has no split from a start: its times are from the first line crossed, in a column
    named so ("Fly time from the 20 yd line (s)"). Lines are named in ``units`` as on every other
    page ("36.58 m (40 yd)"); a time that is not after the clock's start is no split ("—")."""
    units = units or result.units
    t0 = event_time(result, "start", corrections)
    rows = []
    first = next((c for c in result.crossings if c.time_s is not None), None)

    def label(distance: float) -> str:
        return distance_label(to_metres(distance, result.units), units)

    time_col = "Split (s)"
    if result.flying and first is not None:
        time_col = f"Fly time from the {label(first.distance)} line (s)"
    for c in result.crossings:
        key = line_event(c.distance)
        t = event_time(result, key, corrections)
        if result.flying:
            base = event_time(result, line_event(first.distance), corrections) if first else None
            split = None if (t is None or base is None or c is first or t <= base) else t - base
        else:
            split = None if (t is None or t0 is None or c.distance <= 0 or t <= t0) else t - t0
        corrected = correction_of(result, key, corrections) is not None
        sp = next((x for x in result.splits if abs(x.distance - c.distance) < SAME_DISTANCE), None)
        unc = sp.uncertainty_s if (sp is not None and sp.uncertainty_s is not None and split is not None) else c.uncertainty_s
        rows.append({
            "Line": label(c.distance),
            time_col: fmt_time(split),
            "Crossing (s)": "—" if t is None else f"{t:.3f}",
            "± (ms)": "—" if (unc is None or t is None) else f"{1000 * unc:.0f}",
            "Note": ("corrected by coach" if corrected else "") or c.note,
        })
    return pd.DataFrame(rows)


def progress_table(runs: Sequence, units: str = "yd") -> pd.DataFrame:
    """Every run of an athlete over time, with the numbers a coach follows: one column per split
    distance (see :func:`split_columns`), then one per flying interval ("fly 20–40 yd", flying runs
    only), times to 0.01 s, a coach's correction marked "*"."""
    cols = split_columns(runs, units)
    fly = fly_columns(runs, units)
    rows = []
    for r in runs:
        rows.append({
            "Date": r.session_date, "Run": r.id, "Place": r.place or "",
            **{c.label: fmt_split(split_at(r, c.distance_m)) for c in cols},
            **{c.label: fmt_split(fly_at(r, c)) for c in fly},
            "MSS (m/s)": _r2(r.mss), "MAC (m/s²)": _r2(r.mac), "F0 (N/kg)": _r2(r.f0_n_kg), "V0 (m/s)": _r2(r.v0),
            "Pmax (W/kg)": _r2(r.pmax_w_kg),
        })
    return pd.DataFrame(rows)


def headline_columns(runs: Sequence, units: str = "yd", n: int = 3) -> list[SplitColumn]:
    """The ``n`` splits an athlete's summary leads with: the standard distances the runs have, then
    the others they have (nearest first); standard ones without a time fill what is left."""
    cols = split_columns(runs, units)
    timed = [c for c in cols if any(split_at(r, c.distance_m) for r in runs)]
    pick = sorted(timed, key=lambda c: (not c.standard, c.distance_m))[:n]
    pick += [c for c in cols if c.standard and c not in pick][: n - len(pick)]
    return sorted(pick, key=lambda c: c.distance_m)


class Best(NamedTuple):
    """A personal best: its value, the session date, and whether the coach corrected it."""

    value: float
    day: date
    corrected: bool = False


def personal_bests(runs: Sequence, units: str = "yd") -> dict[str, Best | None]:
    """Best split at every distance (lowest) and best MSS (highest), with their dates; keys are the
    column names of :func:`split_columns` and "MSS"."""
    out: dict[str, Best | None] = {}
    for c in split_columns(runs, units):
        vals = [(v[0], r.session_date, v[1]) for r in runs if (v := split_at(r, c.distance_m)) is not None]
        out[c.label] = Best(*min(vals)) if vals else None
    vals = [(r.mss, r.session_date) for r in runs if r.mss is not None]
    out["MSS"] = Best(*max(vals)) if vals else None
    return out


def change_since_last_session(runs: Sequence, units: str = "yd") -> dict[str, float | None]:
    """Best split of the latest session minus best split of the session before (negative = faster),
    per split column (None unless both sessions have a time at that line). Only sessions with a
    split from a start count: a later session of flying reps only is not "the last session" here.
    The bests are taken as the page shows them (0.01 s): 1.915 and 1.924 both read 1.92, and a
    coach reading "1.92 s, +0.01 s since last session" under two equal times would be misled."""
    by_session: dict[int, list] = {}
    for r in runs:
        if not r.flying and any(split_at(r, d) is not None for d in r.splits):
            by_session.setdefault(r.session_id, []).append(r)
    order = sorted(by_session, key=lambda s: (by_session[s][0].session_date, s))
    cols = split_columns(runs, units)
    out: dict[str, float | None] = {c.label: None for c in cols}
    if len(order) < 2:
        return out
    last, before = by_session[order[-1]], by_session[order[-2]]
    for c in cols:
        a = [v[0] for r in last if (v := split_at(r, c.distance_m)) is not None]
        b = [v[0] for r in before if (v := split_at(r, c.distance_m)) is not None]
        out[c.label] = round(round(min(a), 2) - round(min(b), 2), 2) if a and b else None
    return out


def rank_options(runs: Sequence, units: str = "yd") -> dict[float, str]:
    """Every split distance the runs were timed at (metres -> name in the coach's units), nearest first."""
    return {c.distance_m: c.label for c in split_columns(runs, units, standard=False)}


def default_rank_distance(runs: Sequence) -> float | None:
    """The split a day is ranked by first: the longest one every run has; else the longest one at
    least two runs have; else the longest one timed (None when no run has a split)."""
    dists = sorted(rank_options(runs), reverse=True)
    for enough in (len(runs), 2, 1):
        for d in dists:
            if sum(split_at(r, d) is not None for r in runs) >= enough:
                return d
    return None


def leaderboard(runs: Sequence, by: float | None = None, units: str = "yd") -> pd.DataFrame:
    """The reps of a day timed from a start, ranked by the split at ``by`` metres (fastest first;
    default :func:`default_rank_distance`); reps without that split follow, without a rank. Flying
    reps are not in it (see :func:`flying_board`)."""
    runs = [r for r in runs if not r.flying]
    cols = split_columns(runs, units)
    if not runs:
        return pd.DataFrame()
    by = default_rank_distance(runs) if by is None else by
    timed = [] if by is None else [(v[0], i) for i, r in enumerate(runs) if (v := split_at(r, by)) is not None]
    ranked = [i for _, i in sorted(timed)]
    order = ranked + [i for i in range(len(runs)) if i not in ranked]
    rows = []
    for pos, i in enumerate(order):
        r = runs[i]
        rows.append({"Rank": pos + 1 if pos < len(ranked) else None, "Athlete": r.athlete, "Run": r.id,
                     **{c.label: fmt_split(split_at(r, c.distance_m)) for c in cols},
                     "MSS (m/s)": fmt_number(r.mss)})
    df = pd.DataFrame(rows)
    df["Rank"] = df["Rank"].astype("Int64")
    return df


def flying_board(runs: Sequence, units: str = "yd") -> pd.DataFrame:
    """The flying reps of a day: one row per rep and interval, each interval ranked on its own by
    its time (fastest first), with the mean speed over it. Empty when no rep was flying."""
    rows = []
    for c in fly_columns(runs, units):
        timed = sorted(((v, r) for r in runs if (v := fly_at(r, c)) is not None), key=lambda x: (x[0][0], x[1].id))
        for rank, (v, r) in enumerate(timed, start=1):
            rows.append({"Interval": c.label, "Rank": rank, "Athlete": r.athlete, "Run": r.id,
                         "Time (s)": fmt_split(v), "Mean speed (m/s)": fmt_number(c.length_m / v[0])})
    return pd.DataFrame(rows)


def compare_table(runs: Sequence, units: str = "yd") -> pd.DataFrame:
    """Runs side by side with the difference to the first one (negative = faster); a difference only
    where both runs were timed at the same line (or, flying, over the same interval)."""
    if not runs:
        return pd.DataFrame()
    base = runs[0]
    rows = []
    for r in runs:
        row = {"Run": f"#{r.id} {r.athlete} {r.session_date}"}
        for c in split_columns(runs, units):
            v, b = split_at(r, c.distance_m), split_at(base, c.distance_m)
            row[c.label] = fmt_split(v)
            row[f"Δ {c.label}"] = "" if (v is None or b is None or r is base) else fmt_delta(v[0], b[0])
        for c in fly_columns(runs, units):
            v, b = fly_at(r, c), fly_at(base, c)
            row[c.label] = fmt_split(v)
            row[f"Δ {c.label}"] = "" if (v is None or b is None or r is base) else fmt_delta(v[0], b[0])
        row["MSS (m/s)"] = fmt_number(r.mss)
        rows.append(row)
    return pd.DataFrame(rows)


def fmt_delta(t: float, ref: float) -> str:
    """The difference of two times as the table shows them (0.01 s): 1.916 and 1.924 both read 1.92,
    and differ by 0.00 there, not by the +0.01 their unrounded difference rounds to."""
    d = round(round(t, 2) - round(ref, 2), 2)
    return "0.00" if d == 0 else f"{d:+.2f}"


def runs_csv(runs: Sequence, units: str = "yd") -> str:
    """Runs and their splits as CSV: one row per run, one column per split distance in the coach's
    units (the unit in the column name, e.g. ``split_40yd_s``; a line set in the other unit as
    ``split_10.94yd(10m)_s``), then one per flying interval (``fly_20-40yd_s``, flying runs only).
    Times are the coach's corrections where there are any; the column ``corrected_by_coach`` lists
    them with the automatic times."""
    cols = split_columns(runs, units)
    fly = fly_columns(runs, units)
    rows = []
    for r in runs:
        row = {"run": r.id, "athlete": r.athlete, "date": r.session_date.isoformat(), "place": r.place or "",
               "units": units, "lines_set_in": r.units,
               "first_movement_s": event_time(r.result, "start", r.corrections)}
        for c in cols:
            v = split_at(r, c.distance_m)
            row[f"split_{c.label.replace(' ', '')}_s"] = None if v is None else round(v[0], 3)
        for c in fly:
            v = fly_at(r, c)
            row[_fly_csv_name(c)] = None if v is None else round(v[0], 3)
        notes = [f"{c.label}: automatic {r.auto_splits[d]:.3f} s" for c in cols for d in sorted(r.corrected)
                 if abs(d - c.distance_m) < SAME_LINE_M]
        notes += [f"{c.label}: automatic {r.fly_auto_splits[k]:.3f} s" for c in fly for k in sorted(r.fly_corrected)
                  if _same_interval(k, (c.from_m, c.to_m))]
        if "start" in r.corrections and r.result.start.time_s is not None:
            notes.insert(0, f"first movement: automatic {r.result.start.time_s:.3f} s")
        row["corrected_by_coach"] = "; ".join(notes)
        row.update(mss_m_s=r.mss, mac_m_s2=r.mac, f0_n_kg=r.f0_n_kg, v0_m_s=r.v0, pmax_w_kg=r.pmax_w_kg)
        rows.append(row)
    buf = io.StringIO()
    pd.DataFrame(rows).to_csv(buf, index=False)
    return buf.getvalue()


# -- pictures --------------------------------------------------------------------------------------


SPLIT_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                "#bcbd22", "#7f7f7f")


def progress_figure(runs: Sequence, units: str = "yd") -> go.Figure:
    """Each split distance over the session dates (every rep a dot, a line through each day's best)."""
    fig = go.Figure()
    series = [(c, [(r.session_date, v[0], f"run #{r.id}" + (" (corrected by the coach)" if v[1] else ""))
                   for r in runs if (v := split_at(r, c.distance_m)) is not None])
              for c in split_columns(runs, units, standard=False)]
    series = [(c, pts) for c, pts in series if pts]
    # Lines set in the other unit (a 10 m line when yards are shown) start hidden when there are
    # lines in the shown unit, one click away in the legend: each is usually a single session's
    # dots, and six series of one dot each read as noise, not progress.
    native = [whole_units(c.distance_m, units) is not None for c, _ in series]
    for i, (c, pts) in enumerate(series):
        label = c.label
        shown = True if native[i] or not any(native) else "legendonly"
        # Every rep a dot; the line joins each session's best (two reps of one day are not a trend).
        # Each distance its own colour, the same for its line, its dots and its legend entry.
        color = SPLIT_COLORS[i % len(SPLIT_COLORS)]
        bx, by = _session_best(pts, min)
        fig.add_trace(go.Scatter(x=bx, y=by, mode="lines", name=label, legendgroup=label, line={"color": color},
                                 visible=shown,
                                 hovertemplate="%{x}<br>best %{y:.2f} s<extra>" + label + "</extra>"))
        fig.add_trace(go.Scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], mode="markers", name=label,
                                 legendgroup=label, showlegend=False, marker={"color": color}, visible=shown,
                                 text=[p[2] for p in pts],
                                 hovertemplate="%{x}<br>%{y:.2f} s<br>%{text}<extra>" + label + "</extra>"))
    fig.update_layout(title="Splits over time (lower is faster)", xaxis_title="Session date",
                      yaxis_title="Split (s)", height=360, margin=dict(l=40, r=20, t=50, b=40))
    _date_axis(fig, runs)
    return fig


def _date_axis(fig: go.Figure, runs: Sequence) -> None:
    """Session dates as days ("Nov 24"); with a single day, a week around it (not sub-second ticks)."""
    fig.update_xaxes(type="date", tickformat="%b %d", nticks=4)
    days = sorted({r.session_date for r in runs})
    if len(days) == 1:
        fig.update_xaxes(range=[days[0] - timedelta(days=3), days[0] + timedelta(days=3)])
    elif days:  # every session's day in view, even while a series that holds it is hidden
        pad = max(timedelta(days=1), (days[-1] - days[0]) / 12)
        fig.update_xaxes(range=[days[0] - pad, days[-1] + pad])


PANEL_COLORS = ("#1f5fa8", "#6baed6", "#d62728", "#f4a3a3", "#2ca58d")


def _session_best(pts, best) -> tuple[list, list]:
    """Dates and each session date's best value (``best`` = min for times, max for speeds)."""
    by_day: dict = {}
    for day, val, *_ in pts:
        by_day[day] = val if day not in by_day else best(by_day[day], val)
    days = sorted(by_day)
    return days, [by_day[d] for d in days]


# The sprint model's numbers, one panel each: (RunRow attribute, title, the least span of the panel).
# Each panel spans at least a change a coach would call real (about 5 % of a sprinter's value), so
# that a difference of a few hundredths does not fill the panel like a breakthrough.
MODEL_SERIES = (("mss", "MSS (m/s)", 1.0), ("mac", "MAC (m/s²)", 1.0), ("f0_n_kg", "F0 (N/kg)", 1.0),
                ("v0", "V0 (m/s)", 1.0), ("pmax_w_kg", "Pmax (W/kg)", 2.0))
NO_MODEL_NOTE = "No sprint model yet: film 30 m (35 yd) or more for MSS, MAC and the force–velocity profile."
NO_FV_NOTE = ("No force–velocity profile yet (F0, V0, Pmax): it needs the athlete's body mass and height when the "
              "rep is analysed.")


def model_panels(runs: Sequence) -> list[tuple[str, str, float]]:
    """The panels of :func:`model_progress_figure` that have at least one value among ``runs`` (none:
    no run has a sprint model, show :data:`NO_MODEL_NOTE` instead of empty plots)."""
    return [s for s in MODEL_SERIES if any(getattr(r, s[0]) is not None for r in runs)]


def model_progress_figure(runs: Sequence) -> go.Figure:
    """MSS, MAC and the force–velocity numbers across sessions: one panel each, only for the numbers
    some run has (see :func:`model_panels`)."""
    from plotly.subplots import make_subplots

    series = model_panels(runs) or list(MODEL_SERIES[:1])
    fig = make_subplots(rows=1, cols=len(series), subplot_titles=[t for _, t, _ in series])
    for i, (key, title, min_span) in enumerate(series, start=1):
        color = PANEL_COLORS[[k for k, _, _ in MODEL_SERIES].index(key) % len(PANEL_COLORS)]  # a number keeps its colour
        pts = [(r.session_date, getattr(r, key), r.id) for r in runs if getattr(r, key) is not None]
        if pts:
            lo, hi = min(p[1] for p in pts), max(p[1] for p in pts)
            pad = max(min_span - (hi - lo), 0.0) / 2 + 0.08 * (hi - lo)
            fig.update_yaxes(range=[lo - pad, hi + pad], row=1, col=i)
        bx, by = _session_best(pts, max)
        fig.add_trace(go.Scatter(x=bx, y=by, mode="lines", name=title, showlegend=False,
                                 line={"color": color}), row=1, col=i)
        fig.add_trace(go.Scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], mode="markers", name=title,
                                 showlegend=False, marker={"color": color}),
                      row=1, col=i)
    _date_axis(fig, runs)
    with_fv = any(key in ("f0_n_kg", "v0", "pmax_w_kg") for key, _, _ in series)
    fig.update_layout(title="Sprint model and force–velocity profile over time" if with_fv else "Sprint model over time",
                      height=300,
                      margin=dict(l=30, r=10, t=70, b=30))
    return fig


OVERLAY_VELOCITY_HALF_WINDOW_S = 0.25  # slopes over half a second: about one step each side


def velocity_overlay_figure(runs: Sequence) -> go.Figure:
    """Velocity–time of several runs from their measured traces (time from first movement; flying
    runs, which have none, are left out: a figure without traces has nothing to show).

    Each curve is the slope of the trace over half a second: over a quarter of a second a small,
    far-away athlete's chest trace (a forearm read ahead of it for a few frames, each step's trunk
    sway) gave curves swinging ±1.5 m/s at top speed (RMS error 1.0 m/s on the angled sample,
    0.36 m/s over half a second). A slope over a symmetric window is exact for a quadratic, so
    the acceleration is not flattened.
    """
    from .kinematics import trace_velocity

    fig = go.Figure()
    for r in runs:
        tr = r.result.trace
        if len(tr.time_s) < 8 or r.result.flying:  # a flying rep has no first movement to count from
            continue
        t0 = r.result.start.time_s or tr.time_s[0]
        hw = OVERLAY_VELOCITY_HALF_WINDOW_S
        v = trace_velocity(tr.time_s, tr.position_m, half_window_s=hw)
        # Only where the window is whole: at the ends of the trace a one-sided slope bends the curve.
        whole = [tr.time_s[0] + hw <= t <= tr.time_s[-1] - hw for t in tr.time_s]
        v = [vi if w else None for vi, w in zip(v, whole, strict=True)]
        fig.add_trace(go.Scatter(x=[t - t0 for t in tr.time_s], y=v, mode="lines",
                                 name=f"#{r.id} {r.athlete} {r.session_date}"))
    fig.update_layout(title="Velocity from the video", xaxis_title="Time from first movement (s)",
                      yaxis_title="Velocity (m/s)", height=360, margin=dict(l=40, r=20, t=50, b=40))
    return fig


def sprint_fit_of(result: AnalysisResult):
    """The sprint model of a run's measured trace, as the figures want it (None when not fitted)."""
    import numpy as np

    from .errors import Dash40Error
    from .kinematics import fit_trace

    if result.flying or result.start.time_s is None or len(result.trace.time_s) < 10:
        return None
    if (result.model or {}).get("error"):
        return None  # the analysis declined the model (e.g. the clip ends far below top speed)
    t = np.asarray(result.trace.time_s)
    x = np.asarray(result.trace.position_m)
    last = max((c.time_s for c in result.crossings if c.time_s is not None), default=t[-1])
    keep = (t >= result.start.time_s - 0.3) & (t <= last + 0.05)
    try:
        return fit_trace(t[keep], x[keep], np.asarray(result.trace.uncertainty_m)[keep], t0=result.start.time_s,
                         units=result.units)
    except Dash40Error:
        return None


def athlete_report_html(athlete: dict, runs: Sequence, units: str = "yd") -> str:
    """A one-page progress report a coach can send (self-contained HTML), distances in ``units``."""
    pbs = personal_bests(runs, units)
    change = change_since_last_session(runs, units)
    table = progress_table(runs, units)
    progress = progress_figure(runs, units)
    # plotly.js inside the page (~3.5 MB): the report opens offline, and on a phone a coach sends it to.
    fig = progress.to_html(full_html=False, include_plotlyjs=True) if progress.data else ""

    def best(k, v):
        if v is None:
            return "—"
        if k == "MSS":
            return f"{v.value:.2f} m/s"
        return f"{v.value:.2f} s" + (CORRECTED_MARK if v.corrected else "")

    pb_rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{best(k, v)}</td><td>{'' if v is None else v.day}</td></tr>"
        for k, v in pbs.items())
    ch = ", ".join(f"{k}: {v:+.2f} s" for k, v in change.items() if v is not None) or "one session so far"
    note = f"<p><small>{html.escape(CORRECTED_NOTE)}</small></p>" if any_corrected(runs) else ""
    fly_note = f"<p><small>{html.escape(FLY_NOTE)}</small></p>" if any(r.flying for r in runs) else ""
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(athlete['name'])} — dash40 report</title>
<style>body{{font-family:sans-serif;max-width:900px;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px}}</style></head><body>
<h1>{html.escape(athlete['name'])}</h1><p>{html.escape(athlete.get('position') or '')}</p>
<h2>Personal bests</h2><table><tr><th></th><th>Best</th><th>Date</th></tr>{pb_rows}</table>{note}
<p>Change since the last session: {html.escape(ch)}</p>
<h2>Every run</h2>{table.to_html(index=False, na_rep='—', float_format=lambda x: f'{x:.2f}')}{note}{fly_note}
<h2>Progress</h2>{fig}<p><small>Timed from video by dash40 at the chest (photo-finish convention).
Distances in {'yards' if units == 'yd' else 'metres'}.</small></p>
</body></html>"""


# -- first start -------------------------------------------------------------------------------------


def sample_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "sample_videos"


def seed_demo(store, samples: Path | None = None, progress: Callable[[float, str], None] | None = None,
              analysed: dict | None = None) -> int:
    """On first start: a demo athlete with the committed sample clips analysed (real analyses).

    Returns how many runs were added (0 when the database already has runs or no sample exists).
    Every clip is analysed before anything is written, and nothing calls ``progress`` while the
    demo is written: a first start interrupted half-way (the coach opens another page, and the
    dashboard stops the page's work at its next progress report) leaves the database empty, to be
    seeded whole next time, never a demo athlete with half the runs. ``analysed`` (clip path ->
    result) keeps the analyses done so far for that next time.
    """
    from .analysis import analyze
    from .calibration import load_calibration
    from .errors import Dash40Error

    if store.count_runs() > 0:
        return 0
    samples = samples or sample_dir()
    clips = sorted(p for p in samples.glob("*.mp4") if p.with_suffix(".calib.json").exists())
    if not clips:
        return 0
    analysed = {} if analysed is None else analysed
    done = []
    for i, clip in enumerate(clips):
        if progress:
            progress(i / len(clips), f"Analysing the sample clip {clip.name}")
        cal = load_calibration(clip.with_suffix(".calib.json")).to_dict()
        key = str(clip.resolve())
        if key not in analysed:
            try:
                analysed[key] = analyze(clip, cal, body_mass_kg=88.0, height_m=1.85)
            except Dash40Error:
                analysed[key] = None
        done.append((clip, cal, analysed[key]))
    if progress:
        progress(1.0, "Demo ready")
    if store.count_runs() > 0:  # (seeded meanwhile by another page of the same database)
        return 0
    athlete = store.add_athlete("Demo Athlete", position="WR", body_mass_kg=88.0, height_m=1.85,
                                notes="Generated sample clips (dash40.synth), analysed on first start.")
    sessions = [store.add_session(date(2026, 11, 10), place="Indoor turf", surface="turf",
                                  notes="Demo session 1"),
                store.add_session(date(2026, 11, 24), place="Indoor turf", surface="turf", notes="Demo session 2")]
    added = 0
    for i, (clip, cal, res) in enumerate(done):
        if res is not None:
            store.save_run(athlete, sessions[i % 2], clip, cal, res, notes="demo")
            added += 1
    return added


def default_units() -> str:
    return os.environ.get("DASH40_UNITS", "yd")


def delta_text(delta: float | None) -> str | None:
    """A split's change since the last session as a coach reads it (0.01 s; "same" when none)."""
    if delta is None:
        return None
    if abs(delta) < 0.005:
        return "same as last session"
    return f"{delta:+.2f} s since last session"


def fmt_number(v) -> str:
    """A model number to 0.01, or a dash when the run has none (no "None"/"nan" in a coach's table)."""
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    return f"{float(v):.2f}"

