"""The dashboard's numbers, computed without Streamlit."""

import re
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from helpers import SAMPLE, flying_result, run_row, sample_result, timed_result

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

RUNS = [run_row(1, date(2026, 11, 10), 1, 1.95, 5.05), run_row(2, date(2026, 11, 10), 1, 1.92, 5.01, mss=9.3),
        run_row(3, date(2026, 11, 24), 2, 1.90, None), run_row(4, date(2026, 11, 24), 2, 1.93, 4.97)]


def test_times_as_coaches_read_them():
    assert fmt_time(1.914) == "1.91" and fmt_time(None) == "—" and fmt_time(float("nan")) == "—"


def test_split_table_in_either_unit_and_with_a_correction():
    r = sample_result()
    t = split_table(r, "m")
    assert list(t["Line"]) == ["9.14 m (10 yd)", "18.29 m (20 yd)", "36.58 m (40 yd)"]  # as on every page
    assert list(t["Split (s)"]) == ["1.91", "3.00", "4.98"]
    corrected = split_table(r, "yd", {"line:10": (1, nudge(r, "line:10", 1))})
    assert corrected["Split (s)"][0] == f"{2.71 + 1 / 60 - 0.8:.2f}" and "coach" in corrected["Note"][0]


def test_personal_bests_and_change_since_last_session():
    pbs = personal_bests(RUNS)
    assert pbs["10 yd"] == (1.90, date(2026, 11, 24), False) and pbs["40 yd"] == (4.97, date(2026, 11, 24), False)
    assert pbs["MSS"] == (9.3, date(2026, 11, 10), False) and pbs["20 yd"] is None
    ch = change_since_last_session(RUNS)
    assert ch["10 yd"] == pytest.approx(1.90 - 1.92) and ch["40 yd"] == pytest.approx(4.97 - 5.01)


def test_leaderboard_ranks_fastest_first_and_missing_last():
    board = leaderboard(RUNS, 40 * 0.9144)
    assert list(board["Run"]) == [4, 2, 1, 3]
    assert list(board["Rank"])[:3] == [1, 2, 3] and board["Rank"].isna().tolist() == [False] * 3 + [True]


def test_compare_deltas_against_the_first_run():
    t = compare_table([RUNS[0], RUNS[3]])
    assert t["Δ 10 yd"][1] == "-0.02" and t["Δ 40 yd"][1] == "-0.08"


def test_compare_deltas_are_those_of_the_times_as_shown():
    """1.916 and 1.924 both read 1.92: the table says they differ by 0.00 (their unrounded
    difference, 0.008, read +0.01 next to two equal times on the demo's Compare page)."""
    a, b = run_row(1, date(2026, 11, 10), 1, 1.924, 5.046), run_row(2, date(2026, 11, 24), 1, 1.916, 4.994)
    t = compare_table([a, b])
    assert t["10 yd"][0] == t["10 yd"][1] == "1.92" and t["Δ 10 yd"][1] == "0.00"
    assert t["40 yd"][1] == "4.99" and t["Δ 40 yd"][1] == "-0.06"  # 4.99 - 5.05, not -0.052 -> -0.05


def test_exports():
    csv = runs_csv(RUNS)
    assert csv.splitlines()[0].startswith("run,athlete,date") and "split_40yd_s" in csv.splitlines()[0]
    assert "split_36.58m(40yd)_s" in runs_csv(RUNS, "m").splitlines()[0]
    assert len(csv.splitlines()) == 5
    html = athlete_report_html({"name": "A <b>", "position": "WR"}, RUNS)
    assert "A &lt;b&gt;" in html and "Personal bests" in html and "1.90" in html
    # Self-contained: the chart's library is inside the page, nothing is fetched when it is opened.
    assert "Plotly.newPlot" in html and not re.search(r"<script[^>]+src=", html)


def test_nudge_moves_by_capture_frames():
    r = replace(sample_result(), capture_fps=240.0)
    assert nudge(r, "start", -2) == pytest.approx(0.8 - 2 / 240)


def test_model_progress_figure_has_one_panel_per_number():
    from dash40.dashboard import model_progress_figure

    fig = model_progress_figure(RUNS)
    # the runs have MSS only: one panel, with the line of session bests and every run as a dot
    assert len(fig.data) == 2 and [a.text for a in fig.layout.annotations] == ["MSS (m/s)"]
    assert list(fig.data[0].y) == [9.3, 9.0]  # best MSS of 10 Nov (9.0 and 9.3), of 24 Nov
    assert list(fig.data[1].y) == [9.0, 9.3, 9.0, 9.0]
    # MSS 9.0-9.3 across runs: the panel spans 1 m/s (a 0.3 m/s change must not fill it), and a
    # wide spread keeps its own range.
    lo, hi = fig.layout.yaxis.range
    assert hi - lo == pytest.approx(1.0 + 0.08 * 0.3 * 2) and lo < 9.0 and hi > 9.3
    wide = model_progress_figure([run_row(1, date(2026, 11, 10), 1, 1.9, 5.0, mss=7.0),
                                  run_row(2, date(2026, 11, 24), 2, 1.9, 5.0, mss=10.0)])
    lo, hi = wide.layout.yaxis.range
    assert lo < 7.0 and hi > 10.0 and hi - lo < 3.6


def test_split_progress_joins_session_bests_and_shows_every_run():
    from dash40.dashboard import progress_figure

    fig = progress_figure(RUNS, "yd")
    line = next(t for t in fig.data if t.name == "10 yd" and t.mode == "lines")
    dots = next(t for t in fig.data if t.name == "10 yd" and t.mode == "markers")
    assert list(line.y) == [1.92, 1.90]  # the faster rep of each day
    assert list(dots.y) == [1.95, 1.92, 1.90, 1.93]


def test_split_progress_starts_with_the_lines_in_the_shown_unit_and_keeps_the_others_a_click_away():
    """A session timed at 10/20/30 m next to sessions timed in yards: in yards, the metre lines
    start hidden (legend only) instead of drawing a one-dot series each; with no yard line at
    all, they show."""
    from dash40.dashboard import progress_figure

    metres = replace(run_row(5, date(2026, 11, 17), 3, None, None), units="m",
                     splits={10.0: 1.98, 20.0: 3.12, 30.0: 4.21}, auto_splits={10.0: 1.98, 20.0: 3.12, 30.0: 4.21})
    fig = progress_figure(RUNS + [metres], "yd")
    shown = {t.name: t.visible for t in fig.data if t.mode == "lines"}
    assert shown["10 yd"] is True and shown["40 yd"] is True
    assert shown["10.94 yd (10 m)"] == "legendonly" and shown["32.81 yd (30 m)"] == "legendonly"
    lo, hi = fig.layout.xaxis.range  # every session's day stays in view
    assert str(lo) < "2026-11-10" and str(hi) > "2026-11-24"
    only_metres = progress_figure([metres], "yd")
    assert all(t.visible is True for t in only_metres.data)
    in_m = {t.name: t.visible for t in progress_figure(RUNS + [metres], "m").data if t.mode == "lines"}
    assert in_m["10 m"] is True and in_m["9.14 m (10 yd)"] == "legendonly"


def test_metres_relabel_the_yard_splits():
    board = leaderboard(RUNS, 40 * 0.9144, units="m")
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
                          result=SimpleNamespace(trace=trace, start=SimpleNamespace(time_s=t0), flying=False))
    curve = velocity_overlay_figure([run]).data[0]
    tt, v = np.array(curve.x), np.array(curve.y, dtype=float)
    top = (tt > 2.5) & (tt < 4.0)
    v_true = mss * (1 - np.exp(-tt[top] / tau))
    assert np.max(np.abs(v[top] - v_true)) < 0.6


# -- runs set up in yards and in metres, through the store (planted, all different) ---------------------

D1, D2 = date(2026, 11, 10), date(2026, 11, 24)
TEN_YD, FORTY_YD = 9.144, 36.576


@pytest.fixture
def day(tmp_path):
    """One session: Ana and Ben ran 10/20/40 yd, Cy 10/20/30 m, Dee 5/10 yd; Ana ran 10/20/40 yd again later."""
    from dash40.store import open_store

    store = open_store(None, tmp_path)
    ids = {n: store.add_athlete(n) for n in ("Ana", "Ben", "Cy", "Dee")}
    s1, s2 = store.add_session(D1, place="turf"), store.add_session(D2, place="turf")
    runs = {
        "Ana": store.save_run(ids["Ana"], s1, SAMPLE, {}, timed_result("yd", {10.0: 1.72, 20.0: 2.95, 40.0: 4.61})),
        "Ben": store.save_run(ids["Ben"], s1, SAMPLE, {}, timed_result("yd", {10.0: 1.80, 20.0: 3.01, 40.0: 4.75})),
        "Cy": store.save_run(ids["Cy"], s1, SAMPLE, {}, timed_result("m", {10.0: 1.85, 20.0: 3.10, 30.0: 4.30})),
        "Dee": store.save_run(ids["Dee"], s1, SAMPLE, {}, timed_result("yd", {5.0: 1.10, 10.0: 1.69})),
        "Ana2": store.save_run(ids["Ana"], s2, SAMPLE, {}, timed_result("yd", {10.0: 1.70, 20.0: 2.97, 40.0: 4.58})),
    }
    return store, ids, (s1, s2), runs


def test_a_metre_run_has_its_splits_at_its_own_lines(day):
    store, ids, _, runs = day
    cy = store.run(runs["Cy"])
    assert cy.splits == {10.0: 1.85, 20.0: 3.10, 30.0: 4.30}
    assert (cy.split_10yd, cy.split_20yd, cy.split_40yd) == (None, None, None)  # no yard line: no yard split
    assert store.run(runs["Ana"]).splits == {9.144: 1.72, 18.288: 2.95, 36.576: 4.61}


def test_tables_fill_a_column_only_from_a_line_at_that_distance(day):
    from dash40.dashboard import progress_table

    store, ids, _, runs = day
    cy = store.runs(athlete_id=ids["Cy"])
    m = progress_table(cy, "m")
    assert [m[c][0] for c in ("10 m", "20 m", "30 m")] == ["1.85", "3.10", "4.30"]
    yd = progress_table(cy, "yd")
    assert [yd[c][0] for c in ("10 yd", "20 yd", "40 yd")] == ["—", "—", "—"]  # never interpolated
    assert [yd[c][0] for c in ("10.94 yd (10 m)", "21.87 yd (20 m)", "32.81 yd (30 m)")] == ["1.85", "3.10", "4.30"]
    dee = progress_table(store.runs(athlete_id=ids["Dee"]), "m")
    assert dee["4.57 m (5 yd)"][0] == "1.10" and dee["9.14 m (10 yd)"][0] == "1.69" and dee["10 m"][0] == "—"


def test_a_day_can_be_ranked_by_any_split_it_has(day):
    from dash40.dashboard import default_rank_distance, rank_options

    store, ids, (s1, _), runs = day
    today = store.runs(session_id=s1)
    assert list(rank_options(today, "yd").values()) == [
        "5 yd", "10 yd", "10.94 yd (10 m)", "20 yd", "21.87 yd (20 m)", "32.81 yd (30 m)", "40 yd"]
    assert list(rank_options(today, "m").values()) == [
        "4.57 m (5 yd)", "9.14 m (10 yd)", "10 m", "18.29 m (20 yd)", "20 m", "30 m", "36.58 m (40 yd)"]
    assert default_rank_distance(today) == FORTY_YD  # the longest split two runs share (none is in all four)
    board = leaderboard(today, None, "yd")
    assert list(board["Athlete"]) == ["Ana", "Ben", "Cy", "Dee"]
    assert list(board["40 yd"]) == ["4.61", "4.75", "—", "—"]
    assert list(board["Rank"][:2]) == [1, 2] and board["Rank"][2:].isna().all()  # no 40: listed after, unranked
    by10 = leaderboard(today, TEN_YD, "m")
    assert list(by10["Athlete"]) == ["Dee", "Ana", "Ben", "Cy"]  # Cy's 10 m is not a 10 yd
    assert list(by10["9.14 m (10 yd)"]) == ["1.69", "1.72", "1.80", "—"]
    assert list(by10["Rank"][:3]) == [1, 2, 3] and pd.isna(by10["Rank"][3])
    assert list(leaderboard(today, 10.0, "m")["Athlete"]) == ["Cy", "Ana", "Ben", "Dee"]
    # the same four in every run: the longest common split
    assert default_rank_distance([store.run(runs["Ana"]), store.run(runs["Ben"])]) == FORTY_YD


def test_compare_gives_exact_deltas_and_none_across_different_lines(day):
    store, _, _, runs = day
    ana, ben, cy = (store.run(runs[k]) for k in ("Ana", "Ben", "Cy"))
    t = compare_table([ana, ben], "yd")
    assert [t[f"Δ {c}"][1] for c in ("10 yd", "20 yd", "40 yd")] == ["+0.08", "+0.06", "+0.14"]
    assert [t[f"Δ {c}"][0] for c in ("10 yd", "20 yd", "40 yd")] == ["", "", ""]
    back = compare_table([ben, ana], "yd")
    assert back["Δ 40 yd"][1] == "-0.14" and back["40 yd"][1] == "4.61"
    mixed = compare_table([ana, cy], "m")
    assert mixed["10 m"].tolist() == ["—", "1.85"] and mixed["Δ 10 m"][1] == ""
    assert mixed["9.14 m (10 yd)"].tolist() == ["1.72", "—"] and mixed["Δ 9.14 m (10 yd)"][1] == ""


def test_bests_and_change_per_distance_in_the_chosen_unit(day):
    from dash40.dashboard import headline_columns

    store, ids, _, _ = day
    ana = store.runs(athlete_id=ids["Ana"])
    pbs = personal_bests(ana, "m")
    assert pbs["36.58 m (40 yd)"] == (4.58, D2, False) and pbs["18.29 m (20 yd)"] == (2.95, D1, False)
    ch = change_since_last_session(ana, "yd")
    assert ch["10 yd"] == pytest.approx(-0.02) and ch["20 yd"] == pytest.approx(0.02) and ch["40 yd"] == pytest.approx(-0.03)
    # the summary cards: the standard distances the athlete has, else the lines the athlete ran
    assert [c.label for c in headline_columns(ana, "yd")] == ["10 yd", "20 yd", "40 yd"]
    assert [c.label for c in headline_columns(ana, "m")] == ["9.14 m (10 yd)", "18.29 m (20 yd)", "36.58 m (40 yd)"]
    assert [c.label for c in headline_columns(store.runs(athlete_id=ids["Dee"]), "yd")] == ["5 yd", "10 yd", "20 yd"]


def test_csv_in_the_chosen_unit_with_the_unit_in_each_column_name(day):
    import io

    store, _, (s1, _), _ = day
    today = store.runs(session_id=s1)
    m = pd.read_csv(io.StringIO(runs_csv(today, "m")))
    assert {"split_10m_s", "split_30m_s", "split_9.14m(10yd)_s", "split_36.58m(40yd)_s"} <= set(m.columns)
    assert m["split_10m_s"].tolist()[2] == 1.85 and m["split_9.14m(10yd)_s"].tolist()[:2] == [1.72, 1.80]
    assert m["split_10m_s"].isna().tolist() == [True, True, False, True]  # Ana's, Ben's, Dee's yards are not metres
    assert set(m["units"]) == {"m"} and m["lines_set_in"].tolist() == ["yd", "yd", "m", "yd"]
    yd = pd.read_csv(io.StringIO(runs_csv(today, "yd")))
    assert yd["split_40yd_s"].tolist()[:2] == [4.61, 4.75] and yd["split_32.81yd(30m)_s"].tolist()[2] == 4.30
    assert not any(c.endswith("m_s") and "(" not in c for c in yd.columns if c.startswith("split_"))


def test_report_in_the_chosen_unit(day):
    store, ids, _, _ = day
    ana = store.runs(athlete_id=ids["Ana"])
    m = athlete_report_html({"name": "Ana"}, ana, "m")
    assert "<th>36.58 m (40 yd)</th>" in m and "<td>36.58 m (40 yd)</td><td>4.58 s</td>" in m
    assert "<th>40 yd</th>" not in m and "Distances in metres" in m
    yd = athlete_report_html({"name": "Ana"}, ana, "yd")
    assert "<th>40 yd</th>" in yd and "<td>40 yd</td><td>4.58 s</td>" in yd and "40 yd: -0.03 s" in yd
    cy = athlete_report_html({"name": "Cy"}, store.runs(athlete_id=ids["Cy"]), "m")
    assert "<td>30 m</td><td>4.30 s</td>" in cy


# -- a coach's corrections reach every page -----------------------------------------------------------------


def test_a_correction_of_two_frames_moves_the_effective_split_by_two_frame_periods(day):
    store, _, (s1, _), runs = day
    ben = store.run(runs["Ben"])
    store.correct(ben.id, "line:10", 2, nudge(ben.result, "line:10", 2), note="chest hidden by the arm")
    ben = store.run(runs["Ben"])
    assert ben.corrections == {"line:10": (2, pytest.approx(0.8 + 1.80 + 2 / 60))}  # crossing 2.60 s + 2 frames
    assert ben.splits[TEN_YD] - ben.auto_splits[TEN_YD] == pytest.approx(2 / 60, abs=1e-12)
    assert ben.auto_splits[TEN_YD] == 1.80 and ben.split_10yd == 1.80  # the automatic value stays
    assert ben.splits[FORTY_YD] == 4.75 and ben.corrected == {TEN_YD}
    # …and reaches the ranking, the tables, the CSV and the report, marked
    by10 = leaderboard(store.runs(session_id=s1), TEN_YD, "yd")
    assert list(by10["Athlete"]) == ["Dee", "Ana", "Ben", "Cy"] and by10["10 yd"][2] == "1.83*"
    csv = runs_csv([ben], "yd")
    assert ",1.833," in csv and "10 yd: automatic 1.800 s" in csv
    html = athlete_report_html({"name": "Ben"}, [ben], "yd")
    assert "1.83*" in html and "corrected by the coach" in html
    # removing it (0 frames) gives the automatic split back
    store.correct(ben.id, "line:10", 0, 0.0)
    assert store.run(runs["Ben"]).splits[TEN_YD] == 1.80 and not store.run(runs["Ben"]).corrected


def test_a_corrected_first_movement_moves_every_split(day):
    store, _, _, runs = day
    ana = store.run(runs["Ana"])
    store.correct(ana.id, "start", -1, nudge(ana.result, "start", -1))
    ana = store.run(runs["Ana"])
    for d, auto in ((TEN_YD, 1.72), (18.288, 2.95), (FORTY_YD, 4.61)):
        assert ana.splits[d] - auto == pytest.approx(1 / 60, abs=1e-12)  # first movement 1 frame earlier
    assert ana.auto_splits == {TEN_YD: 1.72, 18.288: 2.95, FORTY_YD: 4.61} and len(ana.corrected) == 3
    pbs = personal_bests([ana], "yd")
    assert pbs["40 yd"].corrected and pbs["40 yd"].value == pytest.approx(4.61 + 1 / 60)


# -- flying reps: line-to-line intervals, never a split from a start ---------------------------------------


@pytest.fixture
def with_flying(day):
    """The day of :func:`day`, and on 24 Nov flying 20-40 yd reps: Ana 1.97 s (20 yd line at 1.10 s,
    40 at 3.07), Ben 2.10 s (lines at 0.50 and 2.60 s); on 10 Nov Cy a flying 10-20-30 m (crossings
    0.40, 1.50, 2.55 s)."""
    store, ids, (s1, s2), runs = day
    runs["AnaFly"] = store.save_run(ids["Ana"], s2, SAMPLE, {}, flying_result("yd", {20.0: 1.10, 40.0: 3.07}))
    runs["BenFly"] = store.save_run(ids["Ben"], s2, SAMPLE, {}, flying_result("yd", {20.0: 0.50, 40.0: 2.60}))
    runs["CyFly"] = store.save_run(ids["Cy"], s1, SAMPLE, {}, flying_result("m", {10.0: 0.40, 20.0: 1.50, 30.0: 2.55}))
    return store, ids, (s1, s2), runs


FLY_20_40 = (18.288, 36.576)


def test_a_flying_20_to_40_is_not_a_40_yd_split_anywhere(with_flying):
    from dash40.dashboard import default_rank_distance, progress_figure, progress_table, rank_options

    store, ids, (_, s2), runs = with_flying
    ana = store.runs(athlete_id=ids["Ana"])
    # The athlete's table: Ana's 1.97 is not under "40 yd" (nor 20 yd), but in its own column.
    table = progress_table(ana, "yd")
    fly_row = list(table["Run"]).index(runs["AnaFly"])
    assert table["40 yd"][fly_row] == "—" and table["20 yd"][fly_row] == "—" and table["10 yd"][fly_row] == "—"
    assert table["fly 20–40 yd"][fly_row] == "1.97"
    assert table["fly 20–40 yd"].tolist().count("—") == 2  # her two runs from a start have none
    # Her best 40 yd stays the 4.58 from a start (a 1.97 "40 yd" would be a world record).
    pbs = personal_bests(ana, "yd")
    assert pbs["40 yd"] == (4.58, D2, False) and pbs["20 yd"] == (2.95, D1, False)
    assert not any(k.startswith("fly") for k in pbs)
    assert change_since_last_session(ana, "yd")["40 yd"] == pytest.approx(4.58 - 4.61)
    # The progress chart of splits has no flying time in it.
    ys = [y for t in progress_figure(ana, "yd").data for y in t.y]
    assert 1.97 not in ys and 4.58 in ys
    # The day's leaderboard ranks runs from a start only: Ana's 4.58 leads, not a flying 1.97.
    day2 = store.runs(session_id=s2)
    assert default_rank_distance(day2) == FORTY_YD and list(rank_options(day2, "yd").values()) == ["10 yd", "20 yd", "40 yd"]
    board = leaderboard(day2, FORTY_YD, "yd")
    assert board["Run"].tolist() == [runs["Ana2"]] and board["40 yd"].tolist() == ["4.58"]
    assert not any(c.startswith("fly") for c in board.columns)


def test_flying_intervals_are_kept_as_intervals_from_the_first_line(with_flying):
    store, ids, _, runs = with_flying
    ana_fly, cy_fly = store.run(runs["AnaFly"]), store.run(runs["CyFly"])
    assert ana_fly.splits == {} and ana_fly.fly_splits == {FLY_20_40: pytest.approx(1.97)}
    assert (ana_fly.split_10yd, ana_fly.split_20yd, ana_fly.split_40yd) == (None, None, None)
    assert cy_fly.fly_splits == {(10.0, 20.0): pytest.approx(1.10), (10.0, 30.0): pytest.approx(2.15)}
    assert store.run(runs["Ana"]).fly_splits == {}  # a run from a start has no flying interval


def test_the_session_ranks_flying_reps_on_their_own_by_their_interval(with_flying):
    from dash40.dashboard import flying_board

    store, _, (s1, s2), runs = with_flying
    fly = flying_board(store.runs(session_id=s2), "yd")
    assert fly["Interval"].tolist() == ["fly 20–40 yd"] * 2
    assert fly["Athlete"].tolist() == ["Ana", "Ben"] and fly["Rank"].tolist() == [1, 2]
    assert fly["Time (s)"].tolist() == ["1.97", "2.10"]
    assert fly["Mean speed (m/s)"].tolist() == [f"{18.288 / 1.97:.2f}", f"{18.288 / 2.10:.2f}"]
    cy = flying_board(store.runs(session_id=s1), "m")
    assert cy["Interval"].tolist() == ["fly 10–20 m", "fly 10–30 m"] and cy["Time (s)"].tolist() == ["1.10", "2.15"]
    assert flying_board([store.run(runs["Ana"])], "yd").empty


def test_flying_columns_in_compare_csv_and_the_other_unit(with_flying):
    import io

    from dash40.dashboard import fly_label, progress_table

    store, ids, (_, s2), runs = with_flying
    ana2, ana_fly, ben_fly = (store.run(runs[k]) for k in ("Ana2", "AnaFly", "BenFly"))
    t = compare_table([ana_fly, ben_fly, ana2], "yd")
    assert t["fly 20–40 yd"].tolist() == ["1.97", "2.10", "—"] and t["Δ fly 20–40 yd"].tolist() == ["", "+0.13", ""]
    assert t["40 yd"].tolist() == ["—", "—", "4.58"] and t["Δ 40 yd"].tolist() == ["", "", ""]
    csv = pd.read_csv(io.StringIO(runs_csv(store.runs(session_id=s2), "yd")))
    by_run = csv.set_index("run")
    assert by_run.loc[runs["AnaFly"], "fly_20-40yd_s"] == pytest.approx(1.97)
    assert pd.isna(by_run.loc[runs["AnaFly"], "split_40yd_s"]) and by_run.loc[runs["Ana2"], "split_40yd_s"] == 4.58
    assert pd.isna(by_run.loc[runs["Ana2"], "fly_20-40yd_s"])
    m = pd.read_csv(io.StringIO(runs_csv([ana_fly], "m")))
    assert "fly_18.29-36.58m(20-40yd)_s" in m.columns
    assert fly_label(10.0, 30.0, "yd") == "fly 10.94–32.81 yd (10–30 m)" and fly_label(*FLY_20_40, "m") == (
        "fly 18.29–36.58 m (20–40 yd)")
    assert "fly 18.29–36.58 m (20–40 yd)" in progress_table(store.runs(athlete_id=ids["Ana"]), "m").columns
    html = athlete_report_html({"name": "Ana"}, store.runs(athlete_id=ids["Ana"]), "yd")
    assert "<th>fly 20–40 yd</th>" in html and "not a split from a start" in html
    assert "<td>40 yd</td><td>4.58 s</td>" in html


def test_a_correction_of_a_flying_line_moves_the_interval(with_flying):
    store, _, _, runs = with_flying
    ana_fly = store.run(runs["AnaFly"])
    store.correct(ana_fly.id, "line:40", -3, nudge(ana_fly.result, "line:40", -3))
    ana_fly = store.run(runs["AnaFly"])
    assert ana_fly.fly_splits[FLY_20_40] == pytest.approx(1.97 - 3 / 60) and ana_fly.fly_corrected == {FLY_20_40}
    assert ana_fly.fly_auto_splits[FLY_20_40] == pytest.approx(1.97) and ana_fly.splits == {}
    assert runs_csv([ana_fly], "yd").count("fly 20–40 yd: automatic 1.970 s") == 1
    # moving the first line (where the flying clock starts) later shortens every interval
    cy = store.run(runs["CyFly"])
    store.correct(cy.id, "line:10", 2, nudge(cy.result, "line:10", 2))
    cy = store.run(runs["CyFly"])
    assert cy.fly_splits == {(10.0, 20.0): pytest.approx(1.10 - 2 / 60), (10.0, 30.0): pytest.approx(2.15 - 2 / 60)}


def test_the_analyze_table_of_a_flying_rep_does_not_call_its_times_splits():
    t = split_table(flying_result("yd", {20.0: 1.10, 40.0: 3.07}), "yd")
    assert "Split (s)" not in t.columns
    assert t["Fly time from the 20 yd line (s)"].tolist() == ["—", "1.97"]


# -- the sprint model section: only plots with a value ------------------------------------------------------


def test_model_panels_are_only_the_numbers_some_run_has():
    from dash40.dashboard import NO_MODEL_NOTE, model_panels, model_progress_figure

    no_model = [run_row(1, D1, 1, 1.95, None, mss=None), run_row(2, D2, 2, 1.90, None, mss=None)]
    assert model_panels(no_model) == [] and "film 30 m" in NO_MODEL_NOTE
    mss_only = [run_row(1, D1, 1, 1.95, 5.05, mss=None), run_row(2, D2, 2, 1.90, 4.99, mss=9.1)]
    assert [t for _, t, _ in model_panels(mss_only)] == ["MSS (m/s)"]
    fig = model_progress_figure(mss_only)
    assert [a.text for a in fig.layout.annotations] == ["MSS (m/s)"] and len(fig.data) == 2
    assert list(fig.data[1].y) == [9.1] and fig.layout.title.text == "Sprint model over time"
    full = [replace(run_row(1, D1, 1, 1.95, 5.05), mac=8.1, f0_n_kg=8.0, v0=9.8, pmax_w_kg=19.6)]
    assert [k for k, _, _ in model_panels(full)] == ["mss", "mac", "f0_n_kg", "v0", "pmax_w_kg"]
    assert len(model_progress_figure(full).data) == 10


# -- review of 27 Nov: event keys, corrections before the start, a latest session of flying reps ------------


def test_a_line_typed_to_seven_digits_has_its_split_and_can_be_nudged():
    """A 10-m line typed in yards: 10.93613 yd. Its key is exact ("line:10.9361" was looked up
    within 1e-9 of 10.9361 and found nothing: no split, and nudging it gave None)."""
    from dash40.corrections import event_time, line_event

    r = timed_result("yd", {5.0: 1.05, 10.93613: 1.85})
    key = line_event(10.93613)
    assert key == "line:10.93613" and line_event(10.0) == "line:10" and line_event(9.144) == "line:9.144"
    assert event_time(r, key) == pytest.approx(0.8 + 1.85)
    assert nudge(r, key, 1) == pytest.approx(0.8 + 1.85 + 1 / 60)
    t = split_table(r, "yd", {key: (1, nudge(r, key, 1))})
    assert t["Line"].tolist() == ["0 yd", "5 yd", "10.94 yd (10 m)"]
    assert t["Split (s)"].tolist() == ["—", "1.05", f"{1.85 + 1 / 60:.2f}"] and t["Note"][2] == "corrected by coach"
    assert split_table(r, "m")["Line"].tolist() == ["0 m", "4.57 m (5 yd)", "10 m"]
    # A correction stored with the old six-digit key still reads, and still moves the split.
    old = {"line:10.9361": (2, nudge(r, key, 2))}
    assert event_time(r, key, old) == pytest.approx(0.8 + 1.85 + 2 / 60)
    assert split_table(r, "yd", old)["Split (s)"][2] == f"{1.85 + 2 / 60:.2f}"


def _stored_correction(store, run_id, event, frames, time_s):
    """A correction written straight to the database, as an older dash40 may have left it (unchecked)."""
    from dash40.store.models import Correction

    with store._tx() as db:
        db.add(Correction(run_id=run_id, event=event, frames=frames, time_s=time_s))


def test_a_correction_stored_with_an_old_key_still_reaches_the_run(tmp_path):
    from dash40.store import open_store

    store = open_store(None, tmp_path)
    a, s = store.add_athlete("A"), store.add_session(D1)
    rid = store.save_run(a, s, SAMPLE, {}, timed_result("yd", {10.93613: 1.85}))
    _stored_correction(store, rid, "line:10.9361", 2, 0.8 + 1.85 + 2 / 60)  # as keys were written before
    run = store.run(rid)
    assert run.splits == {10.0: pytest.approx(1.85 + 2 / 60)} and run.corrected == {10.0}
    store.correct(rid, "line:10.93613", 1, 0.8 + 1.85 + 1 / 60)  # replaces it (one correction per event)
    assert store.run(rid).corrections == {"line:10.93613": (1, pytest.approx(0.8 + 1.85 + 1 / 60))}


def test_boards_skip_a_time_that_is_not_after_the_start(day):
    """A record corrected before corrections were checked: Ben's 10 yd moved to 0.05 s before his
    first movement (a split of -0.05 s), a flying 10-15 yd whose 15 went before its 10. Neither is
    ranked, a best, a change or a mean speed."""
    from dash40.dashboard import flying_board

    store, ids, (s1, _), runs = day
    fly = store.save_run(ids["Dee"], s1, SAMPLE, {}, flying_result("yd", {10.0: 0.50, 15.0: 0.95}))
    _stored_correction(store, runs["Ben"], "line:10", -111, 0.75)
    _stored_correction(store, fly, "line:15", -30, 0.45)
    today = store.runs(session_id=s1)
    by10 = leaderboard(today, TEN_YD, "yd")
    assert list(by10["Athlete"]) == ["Dee", "Ana", "Ben", "Cy"] and by10["10 yd"].tolist() == ["1.69", "1.72", "—", "—"]
    assert by10["Rank"].tolist()[:2] == [1, 2] and by10["Rank"][2:].isna().all()
    assert personal_bests(store.runs(athlete_id=ids["Ben"]), "yd")["10 yd"] is None
    assert flying_board(today, "yd").empty
    assert split_table(store.run(fly).result, "yd", store.run(fly).corrections)["Fly time from the 10 yd line (s)"
                                                                             ].tolist() == ["—", "—"]


def test_change_since_last_session_skips_a_later_session_of_flying_reps_only(with_flying):
    """Ana's latest session (24 Nov) has a 10/20/40 from a start and a flying 20-40; a third session
    (1 Dec) of flying reps only has no split from a start: the change stays 24 Nov against 10 Nov."""
    store, ids, _, _ = with_flying
    s3 = store.add_session(date(2026, 12, 1))
    store.save_run(ids["Ana"], s3, SAMPLE, {}, flying_result("yd", {20.0: 1.00, 40.0: 2.90}))
    ch = change_since_last_session(store.runs(athlete_id=ids["Ana"]), "yd")
    assert ch["10 yd"] == pytest.approx(1.70 - 1.72) and ch["20 yd"] == pytest.approx(2.97 - 2.95)
    assert ch["40 yd"] == pytest.approx(4.58 - 4.61)


def test_change_since_last_session_is_between_the_times_as_shown():
    """Two sessions whose best 10 yd both read 1.92 s (1.9151 and 1.9249) are "the same", not +0.01 s."""
    from dash40.dashboard import delta_text

    runs = [run_row(1, date(2026, 11, 10), 1, 1.9151, 4.9949), run_row(2, date(2026, 11, 24), 2, 1.9249, 4.9849)]
    got = change_since_last_session(runs, "yd")
    assert got["10 yd"] == 0.0 and delta_text(got["10 yd"]) == "same as last session"
    assert got["40 yd"] == -0.01 and delta_text(got["40 yd"]) == "-0.01 s since last session"  # 4.99 -> 4.98


def test_a_first_start_interrupted_half_way_leaves_no_half_made_demo(tmp_path, monkeypatch):
    """The dashboard stops a page's work at its next progress report when the coach opens another
    page. The demo was written clip by clip, and such a first start left a demo athlete with one
    run of three and an empty session, for good (the database was no longer empty). Now nothing
    is written until every clip is analysed; the next start makes the whole demo and does not
    analyse again what was analysed."""
    import shutil

    import dash40.analysis
    from dash40.dashboard import seed_demo
    from dash40.store import open_store

    samples = tmp_path / "samples"
    samples.mkdir()
    for name in ("a", "b", "c"):
        shutil.copy(SAMPLE, samples / f"{name}.mp4")
        shutil.copy(SAMPLE.with_suffix(".calib.json"), samples / f"{name}.calib.json")
    calls = []
    monkeypatch.setattr(dash40.analysis, "analyze", lambda clip, cal, **kw: calls.append(clip) or sample_result())
    store = open_store(None, tmp_path / "db")

    class PageLeft(Exception):
        pass

    def leave_at_third_report(fraction, message):
        if len(calls) == 2:
            raise PageLeft

    kept: dict = {}
    with pytest.raises(PageLeft):
        seed_demo(store, samples, progress=leave_at_third_report, analysed=kept)
    assert store.count_runs() == 0 and store.athletes() == [] and store.sessions() == []
    assert len(calls) == 2 and len(kept) == 2

    assert seed_demo(store, samples, progress=lambda f, m: None, analysed=kept) == 3
    assert len(calls) == 3  # the first two clips were not analysed again
    assert len(store.athletes()) == 1 and len(store.sessions()) == 2 and store.count_runs() == 3
    assert all(store.runs(session_id=s["id"]) for s in store.sessions())  # no empty demo session
    assert seed_demo(store, samples, analysed=kept) == 0  # made once only
    assert store.count_runs() == 3
