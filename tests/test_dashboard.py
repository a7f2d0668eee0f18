"""The dashboard's numbers, computed without Streamlit."""

from dataclasses import replace
from datetime import date

import pytest
from test_store import _result

from dash40.dashboard import (
    athlete_report_html,
    change_since_last_session,
    compare_table,
    fmt_time,
    leaderboard,
    nudge,
    personal_bests,
    runs_csv,
    split_table,
)
from dash40.store.api import RunRow


def _row(i, day, session, s10, s40, mss=9.0, athlete="A"):
    return RunRow(id=i, athlete_id=1, athlete=athlete, session_id=session, session_date=day, place="turf", units="yd",
                  result=_result(), calibration={}, clip_path="", corrections={}, split_10yd=s10, split_20yd=None,
                  split_40yd=s40, mss=mss, mac=None, f0_n_kg=None, v0=None, pmax_w_kg=None)


RUNS = [_row(1, date(2026, 11, 10), 1, 1.95, 5.05), _row(2, date(2026, 11, 10), 1, 1.92, 5.01, mss=9.3),
        _row(3, date(2026, 11, 24), 2, 1.90, None), _row(4, date(2026, 11, 24), 2, 1.93, 4.97)]


def test_times_as_coaches_read_them():
    assert fmt_time(1.914) == "1.91" and fmt_time(None) == "—" and fmt_time(float("nan")) == "—"


def test_split_table_in_either_unit_and_with_a_correction():
    r = _result()
    t = split_table(r, "m")
    assert list(t["Line"]) == ["9.144 m", "18.288 m", "36.576 m"]
    assert list(t["Split (s)"]) == ["1.91", "3.00", "4.98"]
    corrected = split_table(r, "yd", {"line:10": (1, nudge(r, "line:10", 1))})
    assert corrected["Split (s)"][0] == f"{2.71 + 1 / 60 - 0.8:.2f}" and "coach" in corrected["Note"][0]


def test_personal_bests_and_change_since_last_session():
    pbs = personal_bests(RUNS)
    assert pbs["10 yd"] == (1.90, date(2026, 11, 24)) and pbs["40 yd"] == (4.97, date(2026, 11, 24))
    assert pbs["MSS"] == (9.3, date(2026, 11, 10))
    ch = change_since_last_session(RUNS)
    assert ch["10 yd"] == pytest.approx(1.90 - 1.92) and ch["40 yd"] == pytest.approx(4.97 - 5.01)


def test_leaderboard_ranks_fastest_first_and_missing_last():
    board = leaderboard(RUNS, "split_40yd")
    assert list(board["Run"]) == [4, 2, 1, 3]
    assert list(board["Rank"]) == [1, 2, 3, 4]


def test_compare_deltas_against_the_first_run():
    t = compare_table([RUNS[0], RUNS[3]])
    assert t["Δ 10 yd"][1] == "-0.02" and t["Δ 40 yd"][1] == "-0.08"


def test_exports():
    csv = runs_csv(RUNS)
    assert csv.splitlines()[0].startswith("run,athlete,date") and "split_40yd_s" in csv.splitlines()[0]
    assert len(csv.splitlines()) == 5
    html = athlete_report_html({"name": "A <b>", "position": "WR"}, RUNS)
    assert "A &lt;b&gt;" in html and "Personal bests" in html and "1.90" in html


def test_nudge_moves_by_capture_frames():
    r = replace(_result(), capture_fps=240.0)
    assert nudge(r, "start", -2) == pytest.approx(0.8 - 2 / 240)


def test_model_progress_figure_has_one_panel_per_number():
    from dash40.dashboard import model_progress_figure

    fig = model_progress_figure(RUNS)
    assert len(fig.data) == 10  # per panel: the line of session bests and every run as a dot
    assert list(fig.data[0].y) == [9.3, 9.0]  # best MSS of 10 Nov (9.0 and 9.3), of 24 Nov
    assert list(fig.data[1].y) == [9.0, 9.3, 9.0, 9.0]
    # MSS 9.0-9.3 across runs: the panel spans 1 m/s (a 0.3 m/s change must not fill it), and a
    # wide spread keeps its own range.
    lo, hi = fig.layout.yaxis.range
    assert hi - lo == pytest.approx(1.0 + 0.08 * 0.3 * 2) and lo < 9.0 and hi > 9.3
    wide = model_progress_figure([_row(1, date(2026, 11, 10), 1, 1.9, 5.0, mss=7.0),
                                  _row(2, date(2026, 11, 24), 2, 1.9, 5.0, mss=10.0)])
    lo, hi = wide.layout.yaxis.range
    assert lo < 7.0 and hi > 10.0 and hi - lo < 3.6


def test_split_progress_joins_session_bests_and_shows_every_run():
    from dash40.dashboard import progress_figure

    fig = progress_figure(RUNS, "yd")
    line = next(t for t in fig.data if t.name == "10 yd" and t.mode == "lines")
    dots = next(t for t in fig.data if t.name == "10 yd" and t.mode == "markers")
    assert list(line.y) == [1.92, 1.90]  # the faster rep of each day
    assert list(dots.y) == [1.95, 1.92, 1.90, 1.93]


def test_metres_relabel_the_yard_splits():
    board = leaderboard(RUNS, "split_40yd", units="m")
    assert "36.58 m (40 yd)" in board.columns and "9.14 m (10 yd)" in board.columns
    assert list(board["Run"]) == [4, 2, 1, 3]


def test_delta_text_reads_like_a_coach():
    from dash40.dashboard import delta_text

    assert delta_text(None) is None
    assert delta_text(-0.002) == "same as last session"  # not "-0.00"
    assert delta_text(-0.034) == "-0.03 s since last session"
    assert delta_text(0.051) == "+0.05 s since last session"


def test_fmt_number_never_shows_none():
    from dash40.dashboard import fmt_number

    assert fmt_number(None) == "—" and fmt_number(float("nan")) == "—" and fmt_number(9.514) == "9.51"


def test_the_velocity_overlay_is_not_thrown_about_by_a_few_frames_of_arm():
    """A 60-fps chest trace of a model sprint (MSS 9.5, TAU 1.1) with a forearm read 25 cm ahead
    of the chest for three frames every 0.45 s: the overlay's curve stays within 0.6 m/s of the
    true speed at top speed (over a quarter of a second it swung by more than 1 m/s)."""
    from types import SimpleNamespace

    import numpy as np

    from dash40.dashboard import velocity_overlay_figure

    rng = np.random.default_rng(8)
    t = np.arange(0, 5.0, 1 / 60)
    t0, mss, tau = 0.5, 9.5, 1.1
    s = np.maximum(t - t0, 0)
    x = mss * (s + tau * np.exp(-s / tau) - tau) + rng.normal(0, 0.01, len(t))
    for k in np.arange(1.0, 4.8, 0.45):
        i = int(np.searchsorted(t, k))
        x[i:i + 3] += 0.25
    trace = SimpleNamespace(time_s=tuple(t), position_m=tuple(x))
    run = SimpleNamespace(id=1, athlete="A", session_date="2026-11-27",
                          result=SimpleNamespace(trace=trace, start=SimpleNamespace(time_s=t0)))
    curve = velocity_overlay_figure([run]).data[0]
    tt, v = np.array(curve.x), np.array(curve.y, dtype=float)
    top = (tt > 2.5) & (tt < 4.0)
    v_true = mss * (1 - np.exp(-tt[top] / tau))
    assert np.max(np.abs(v[top] - v_true)) < 0.6
