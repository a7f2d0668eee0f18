"""A coach's corrections of a run's events, and the check that keeps a corrected run in order.

An event is ``"start"`` (first movement) or a timing line, keyed ``line_event(distance)``: the
line's distance in the result's units, exact to 1e-6 ("line:10", "line:9.144", "line:10.93613").
A correction is ``{event: (frames, time_s)}``: the event moved by whole frames of the capture rate,
and the clip time that gives. The automatic times stay in the result, beside it.

    t = nudge(result, "line:10", -2)                 # two frames earlier
    check_corrections(result, {"line:10": (-2, t)})  # InputError if the 10 would come before the start
"""

from __future__ import annotations

from .errors import InputError
from .result import SAME_DISTANCE, AnalysisResult, Crossing, distance_label, to_metres

START = "start"
Corrections = dict[str, tuple[int, float]]

__all__ = ["SAME_DISTANCE", "START", "check_corrections", "check_event", "correction_of", "crossing_of",
           "event_label", "event_time", "line_event", "nudge", "same_event"]


def line_event(distance: float) -> str:
    """The event key of the timing line at ``distance`` (result units), exact to 1e-6: "line:10",
    "line:10.93613" (the same text ``f"{d:g}"`` gave for every distance it wrote exactly)."""
    return "line:" + f"{round(float(distance), 6):.6f}".rstrip("0").rstrip(".")


def crossing_of(result: AnalysisResult, event: str) -> Crossing | None:
    """The crossing of the line an event key names; None for "start" or a line the result has not.

    A key stored before keys were exact (six significant digits: "line:10.9361" for a line at
    10.93613) still finds its line."""
    if not event.startswith("line:"):
        return None
    text = event.split(":", 1)[1]
    try:
        d = float(text)
    except ValueError:
        return None
    found = next((c for c in result.crossings if abs(c.distance - d) < SAME_DISTANCE), None)
    return found or next((c for c in result.crossings if f"{c.distance:g}" == text), None)


def same_event(result: AnalysisResult, a: str, b: str) -> bool:
    """Whether two event keys name the same event of ``result`` ("line:10.9361" and "line:10.93613")."""
    if a == b:
        return True
    ca = crossing_of(result, a)
    return ca is not None and ca is crossing_of(result, b)


def correction_of(result: AnalysisResult, event: str, corrections: Corrections | None) -> tuple[int, float] | None:
    """The coach's correction of ``event`` among ``corrections`` (whatever form its key was stored in)."""
    if not corrections:
        return None
    if event in corrections:
        return corrections[event]
    return next((v for k, v in corrections.items() if same_event(result, k, event)), None)


def event_time(result: AnalysisResult, event: str, corrections: Corrections | None = None) -> float | None:
    """The time of an event ("start" or a line's key), the coach's correction if any."""
    corrected = correction_of(result, event, corrections)
    if corrected is not None:
        return corrected[1]
    if event == START:
        return result.start.time_s
    c = crossing_of(result, event)
    return None if c is None else c.time_s


def nudge(result: AnalysisResult, event: str, frames: int) -> float | None:
    """The event's automatic time moved by whole frame periods of the capture rate."""
    t = event_time(result, event)
    return None if t is None else t + frames / result.capture_fps


def event_label(result: AnalysisResult, event: str, units: str | None = None) -> str:
    """An event as the coach reads it, distances in ``units`` (default the result's): "first
    movement", "40 yd line", "36.58 m (40 yd) line"."""
    if event == START:
        return "first movement"
    c = crossing_of(result, event)
    try:
        d = c.distance if c is not None else float(event.split(":", 1)[1])
    except (IndexError, ValueError):
        return repr(event)
    return f"{distance_label(to_metres(d, result.units), units or result.units)} line"


def check_event(result: AnalysisResult, event: str) -> None:
    """Refuse (InputError) an event the result has no automatic time for."""
    c = crossing_of(result, event)
    t = result.start.time_s if event == START else (None if c is None else c.time_s)
    if t is None:
        raise InputError(f"This run has no {event_label(result, event)} time to correct.")


def check_corrections(result: AnalysisResult, corrections: Corrections | None, units: str | None = None) -> None:
    """Refuse (InputError, one sentence naming the event and the limit) corrections that put a timed
    line at or before the moment the run's clock starts: first movement for a run from a start, the
    first line crossed for a flying run. Such a split would be zero or negative, and ranked first."""
    corrections = corrections or {}
    for event in corrections:
        check_event(result, event)

    def name(ev: str) -> str:
        return event_label(result, ev, units)

    if result.flying:
        first = next((c for c in result.crossings if c.time_s is not None), None)
        if first is None:
            return
        origin = line_event(first.distance)
    else:
        first, origin = None, START
    t0 = event_time(result, origin, corrections)
    if t0 is None:
        return
    for s in result.splits:
        c = crossing_of(result, line_event(s.distance))
        if c is None or c is first:
            continue
        line = line_event(c.distance)
        t = event_time(result, line, corrections)
        if t is None or t > t0:
            continue
        if correction_of(result, line, corrections) is not None:
            limit = "first movement" if first is None else f"the {name(origin)}, where the flying time starts"
            raise InputError(f"The {name(line)} cannot be moved to {t:.3f} s: it must be crossed after "
                             f"{limit} ({t0:.3f} s).")
        what = "First movement" if first is None else f"The {name(origin)}, where the flying time starts,"
        raise InputError(f"{what} cannot be moved to {t0:.3f} s: it must come before the {name(line)} "
                         f"(crossed at {t:.3f} s).")
