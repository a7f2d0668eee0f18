"""The Athlete page's progress charts: days on the x-axis, every split distance in the chosen unit."""

from datetime import date, timedelta

from helpers import run_row

from dash40.dashboard import model_progress_figure, progress_figure

DAY = date(2026, 11, 10)


def test_one_session_date_shows_a_week_around_it_not_sub_second_ticks():
    runs = [run_row(1, DAY, 1, 1.95, 5.05), run_row(2, DAY, 1, 1.92, 5.01)]
    for fig in (progress_figure(runs, "yd"), model_progress_figure(runs)):
        axis = fig.layout.xaxis
        assert axis.type == "date" and axis.tickformat == "%b %d"
        assert list(axis.range) == [DAY - timedelta(days=3), DAY + timedelta(days=3)]


def test_several_dates_are_all_in_view_with_a_day_to_spare():
    """Every session's day is on the axis (even while a series that holds it is hidden in the
    legend), padded by a day or a twelfth of the span, not the single day's week."""
    runs = [run_row(1, DAY, 1, 1.95, 5.05), run_row(2, date(2026, 11, 24), 2, 1.92, 5.01)]
    axis = progress_figure(runs, "yd").layout.xaxis
    assert axis.type == "date"
    lo, hi = axis.range
    assert DAY - timedelta(days=3) < lo < DAY and date(2026, 11, 24) < hi < date(2026, 11, 27)


def test_progress_lines_are_named_in_the_chosen_unit():
    runs = [run_row(1, DAY, 1, 1.95, 5.05), run_row(2, date(2026, 11, 24), 2, 1.92, None)]
    lines = [t for t in progress_figure(runs, "m").data if t.mode == "lines"]
    assert [t.name for t in lines] == ["9.14 m (10 yd)", "36.58 m (40 yd)"]
    assert list(lines[0].y) == [1.95, 1.92] and list(lines[1].y) == [5.05]


def test_each_distance_has_one_colour_for_its_line_and_its_dots():
    runs = [run_row(1, DAY, 1, 1.95, 5.05), run_row(2, date(2026, 11, 24), 2, 1.92, 4.98)]
    fig = progress_figure(runs, "yd")
    for name in ("10 yd", "40 yd"):
        line, dots = (t for t in fig.data if t.name == name)
        assert line.line.color is not None and dots.marker.color == line.line.color
    assert len({t.line.color for t in fig.data if t.mode == "lines"}) == 2
