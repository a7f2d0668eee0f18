"""Analyze a rep: pick athlete and session, upload a clip, set the timing lines, analyze, check, save."""

import hashlib
import json

import pandas as pd
import streamlit as st

import ui
from dash40.analysis import analyze, for_athlete
from dash40.calibration import load_calibration
from dash40.corrections import (
    START,
    check_corrections,
    check_event,
    event_label,
    event_time,
    line_event,
    nudge,
)
from dash40.dashboard import split_table, sprint_fit_of
from dash40.errors import CalibrationError, Dash40Error
from dash40.figures import steps_figure, steps_note, velocity_time_figure
from dash40.overlay import draw_calibration, event_thumbnails, render_overlay
from dash40.video import first_frame, probe

store = ui.get_store()
units = st.session_state.get("units", "yd")
st.title("Analyze a rep")

c1, c2 = st.columns(2)
with c1:
    athlete_id = ui.athlete_picker(store)
with c2:
    session_id = ui.session_picker(store)

upload = st.file_uploader("Clip of the rep (.mp4 or .mov, phone portrait or landscape)", type=["mp4", "mov", "m4v"])
if upload is None:
    st.info("Film the rep from the side, upload it here, mark the timing lines on its first frame, then Analyze.")
    st.stop()

try:
    clip_path, sha = ui.keep_upload(store, upload.name, upload.getvalue())
    info = probe(clip_path)
    frame = first_frame(clip_path)
except Exception as exc:  # noqa: BLE001 - one sentence, the page stays usable
    st.error(ui.reported(exc, f"reading {upload.name!r}"))
    st.stop()
known = store.known_clip(sha)
if known and known["runs"]:
    st.info(f"This clip was uploaded before (as {known['file_name']}): saved as run(s) "
            + ", ".join(f"#{r}" for r in known["runs"]) + ". You can analyze it again.")
st.caption(f"{info.width}×{info.height}, {info.fps:.2f} fps"
           + (f", captured at {info.capture_fps:g} fps (slow motion)" if abs(info.capture_fps - info.fps) > 0.5 else "")
           + f", {info.duration_s:.1f} s")

# ---- timing lines ------------------------------------------------------------------------------
st.subheader("Timing lines")
state_key, ver_key = f"cal_{sha}", f"calver_{sha}"
end_key = f"pickend_{sha}"


def use_calibration(cal: dict) -> None:
    """Replace the lines (before the widgets that show them are drawn)."""
    st.session_state[state_key] = dict(cal)
    # A fresh table and units radio: new widgets, drawn from these lines. A kept widget can come back
    # from the browser with its old value (a metres file's lines were once timed as yards).
    st.session_state[ver_key] = st.session_state.get(ver_key, 0) + 1
    st.session_state.pop(f"placed_{sha}", None)


if state_key not in st.session_state:
    use_calibration({"units": "yd", "lines": [
        {"distance": 0.0, "near": [0.15 * info.width, 0.85 * info.height], "far": [0.15 * info.width, 0.55 * info.height]},
        {"distance": 10.0, "near": [0.85 * info.width, 0.85 * info.height], "far": [0.85 * info.width, 0.55 * info.height]},
    ]})
b1, b2 = st.columns(2)
session_runs = store.runs(session_id=session_id) if session_id else []
if b1.button("Use this session's last calibration", disabled=not session_runs,
             help="Same camera spot as the last rep saved in this session."):
    use_calibration(session_runs[-1].calibration)
cal_file = b2.file_uploader("…or load a calibration file (.calib.json)", type=["json"], key=f"calfile_{sha}")
calfile_key = f"calfile_used_{sha}"
if cal_file is not None and st.session_state.get(calfile_key, (None,))[0] != cal_file.file_id:
    problem = summary = None
    try:  # applied once, when it arrives: later edits to the lines stay
        loaded = load_calibration(json.loads(cal_file.getvalue()))
        use_calibration(loaded.to_dict())
        summary = (f"Lines from {cal_file.name}: " + ", ".join(f"{ln.distance:g}" for ln in loaded.lines)
                   + f" {loaded.units}.")
    except CalibrationError as exc:  # dash40's own sentence says what is wrong in it
        problem = f"That calibration file cannot be used: {exc}"
    except Exception as exc:  # noqa: BLE001 - any file at all can be picked here
        if not isinstance(exc, ValueError):  # (not UTF-8, not JSON: the file, not a fault of dash40)
            ui.log.error("Unexpected failure while reading the calibration file %r", cal_file.name, exc_info=exc)
        problem = (f"{cal_file.name!r} is not a calibration file dash40 can read: it must be the JSON text "
                   "a .calib.json holds.")
    st.session_state[calfile_key] = (cal_file.file_id, problem, summary)
if cal_file is not None and st.session_state[calfile_key][1]:
    st.error(st.session_state[calfile_key][1])
elif cal_file is not None:
    b2.caption(st.session_state[calfile_key][2])

cal = st.session_state[state_key]
col_units, col_table = st.columns([1, 4])
cal_units = cal["units"] = col_units.radio("Line distances in", ["yd", "m"], index=["yd", "m"].index(cal.get("units", "yd")),
                                           key=f"calunits_{sha}_{st.session_state[ver_key]}")
edited = col_table.data_editor(pd.DataFrame(ui.calibration_rows(cal, info.height),
                                            columns=["distance", *ui.COLUMNS], dtype=float),
                               num_rows="dynamic", key=f"editor_{sha}_{st.session_state[ver_key]}",
                               column_config={c: st.column_config.NumberColumn(format="%.1f") for c in ui.COLUMNS})
col_table.caption("Pixel positions on the first frame (from its top-left corner): near = the end of the line "
                  "closer to the camera, far = the other end (cone bases). Type them, or click them on the "
                  "frame below.")
new_cal = {"units": cal_units, "lines": ui.lines_from_table(edited.to_dict("records"))}
unplaced = [ln["distance"] for ln in new_cal["lines"] if ln["near"] is None or ln["far"] is None]
calibration = None
picture = frame
if unplaced:
    st.info("Place both ends of the " + ", ".join(f"{d:g}" for d in unplaced)
            + f" {cal_units} line{'s' if len(unplaced) > 1 else ''}: click them on the frame below, or type them.")
else:
    try:
        calibration = load_calibration(new_cal)
        calibration.check_fits(info.width, info.height)
        picture = draw_calibration(frame, calibration)
    except Dash40Error as exc:
        calibration = None
        st.error(str(exc))

lines = new_cal["lines"]
# The line picker is a new widget whenever its choices change (another unit or number of lines): a
# kept widget came back from the browser holding the old choice's label, not an index (a metres
# calibration file on a clip first shown with the yard lines broke the page with a TypeError).
pick_key = f"pickline_{sha}_{cal_units}_{len(lines)}"


drawn_version = st.session_state[ver_key]


def place_clicked_point() -> None:
    """The click on the frame sets the chosen end of the chosen line (a callback: before the rerun)."""
    click = st.session_state.get(f"click_{sha}")
    target = ui.lines_for_click({"units": cal_units, "lines": lines}, drawn_version,
                                st.session_state[state_key], st.session_state.get(ver_key))
    base, units_ = target["lines"], target.get("units", cal_units)
    line = ui.line_index(st.session_state.get(pick_key), len(base))
    if not click or line is None:
        return
    end = st.session_state.get(end_key, "near")
    point = ui.to_frame_pixels(click, (info.width, info.height))
    new_lines, st.session_state[pick_key], st.session_state[end_key] = ui.place_line_end(base, line, end, point)
    use_calibration({"units": units_, "lines": new_lines})
    st.session_state[f"placed_{sha}"] = (f"The {base[line]['distance']:g} {units_} line's {end} end is now at "
                                         f"({point[0]:.0f}, {point[1]:.0f}).")


if lines:
    if ui.line_index(st.session_state.get(pick_key), len(lines)) is None:
        st.session_state[pick_key] = 0
    p1, p2, p3 = st.columns([2, 2, 3])
    p1.selectbox("Line to place by clicking", list(range(len(lines))), key=pick_key,
                 format_func=lambda i: f"{lines[i]['distance']:g} {cal_units} line")
    p2.radio("The next click sets its", ["near", "far"], key=end_key, horizontal=True,
             format_func=lambda e: f"{e} end")
    p3.caption(st.session_state.get(f"placed_{sha}")
               or "Click the line's near end (closer to the camera), then its far end, on the frame.")
ui.clickable_frame(picture, key=f"click_{sha}", on_click=place_clicked_point)
st.caption("First frame with the timing lines" if calibration is not None else "First frame of the clip")

# ---- analysis ------------------------------------------------------------------------------------
# One analysis per clip and lines. Its timing is the same whoever ran, but its sprint model's force–
# velocity profile needs the athlete's body mass and height: the result is kept per athlete (and
# their numbers), and an athlete picked after Analyze gets the model fitted again for them, so a
# run is never saved with another athlete's numbers. Corrections and saved runs belong to the analysis.
analysis_key = f"res_{sha}_{hashlib.sha1(json.dumps(new_cal, sort_keys=True).encode()).hexdigest()[:8]}"
athlete = next((a for a in store.athletes() if a["id"] == athlete_id), {})
mass, height = athlete.get("body_mass_kg"), athlete.get("height_m")
athlete_key = (athlete_id, mass, height)
# A click stays asked for until its analysis ends: any other event reaching the page while the
# clip is read (a late widget update, a click elsewhere) makes the dashboard stop the page's work
# at its next progress report and run the page again, and the click was lost without a word (seen
# once in the browser tests: the page back at an idle Analyze button, no result).
pending_key = f"pending_{analysis_key}"
if st.button("Analyze", type="primary", disabled=calibration is None):
    st.session_state[pending_key] = True
if st.session_state.get(pending_key) and calibration is not None:
    bar = st.progress(0.0, text="Starting…")
    try:
        with ui.shown_as_error("analysing the clip", not_saved=True):
            timed = analyze(clip_path, calibration, body_mass_kg=mass, height_m=height,
                            progress=lambda f, m: bar.progress(min(1.0, f), text=m))
            st.session_state[analysis_key] = {"timed": timed, "results": {athlete_key: timed}, "corrections": {},
                                              "saved": {}}
        st.session_state.pop(pending_key, None)  # done, or its failure shown: not asked again
    finally:
        bar.empty()

analysis = st.session_state.get(analysis_key)
if analysis is None:
    st.stop()
if athlete_key not in analysis["results"]:
    with ui.shown_as_error("fitting the sprint model for this athlete"):
        analysis["results"][athlete_key] = for_athlete(analysis["timed"], body_mass_kg=mass, height_m=height)
result = analysis["results"].get(athlete_key)
if result is None:
    st.stop()
corrections = analysis["corrections"]
saved = analysis["saved"]  # (athlete, session) -> the run saved from this analysis
saved_id = saved.get((athlete_key, session_id))


def event_name(event: str) -> str:
    name = event_label(result, event, units)
    return name[:1].upper() + name[1:]


st.subheader("Splits")
st.dataframe(split_table(result, units, corrections), hide_index=True, width="stretch")
if result.start.time_s is not None:
    st.caption(f"First movement at {event_time(result, START, corrections):.3f} s in the clip "
               f"(± {1000 * (result.start.uncertainty_s or 0):.0f} ms, {result.start.method}).")
for w in result.warnings:
    st.warning(w)

st.subheader("Check each event")
thumbs = []
with ui.shown_as_error("making the event pictures"):
    thumbs = event_thumbnails(clip_path, result, calibration, width=360)
cols = st.columns(min(4, max(1, len(thumbs))))
for i, th in enumerate(thumbs):
    cols[i % len(cols)].image(th.image, caption=f"{th.label} (frame {th.frame})")

with st.expander("Disagree with an event? Nudge it by whole frames"):
    events = ([START] if result.start.time_s is not None else []) + [
        line_event(c.distance) for c in result.crossings if c.time_s is not None]
    e1, e2, e3 = st.columns([2, 1, 1])
    ev = e1.selectbox("Event", events, format_func=event_name)
    frames = e2.number_input("Frames (+ later, − earlier)", min_value=-30, max_value=30, value=0, step=1)
    if e3.button("Apply") and ev is not None:
        with ui.shown_as_error("correcting the event"):
            check_event(result, ev)
            after = {k: v for k, v in corrections.items() if k != ev}
            if frames:
                after[ev] = (int(frames), float(nudge(result, ev, int(frames))))
            check_corrections(result, after, units)  # a line before the start: one sentence, nothing changed
            for run_id in saved.values():  # a run saved from this analysis keeps the page's corrections
                store.correct(run_id, ev, int(frames), after.get(ev, (0, 0.0))[1])
            corrections.clear()
            corrections.update(after)
            st.rerun()
    if corrections:
        st.caption("Corrections (kept beside the automatic times"
                   + (", and saved with run " + ", ".join(f"#{r}" for r in saved.values()) if saved else "")
                   + "): " + ", ".join(f"{event_name(k)}: {v[0]:+d} frames → {v[1]:.3f} s"
                                       for k, v in corrections.items()))

fit = sprint_fit_of(result)
g1, g2 = st.columns(2)
if fit is not None:
    g1.plotly_chart(velocity_time_figure(fit), width="stretch")
elif (result.model or {}).get("error"):
    g1.info(f"No sprint model for this rep: {result.model['error']}.")
if result.steps:
    if (note := steps_note(result.steps)) is None:
        g2.plotly_chart(steps_figure([s.__dict__ for s in result.steps], units=units, data_units=result.units),
                        width="stretch")
    else:
        g2.info(note)

if st.button("Make the annotated replay"):
    out = ui.data_root() / "replays" / f"{sha[:16]}.overlay.mp4"
    out.parent.mkdir(parents=True, exist_ok=True)
    bar = st.progress(0.0, text="Writing the replay…")
    with ui.shown_as_error("writing the replay"):
        try:
            render_overlay(clip_path, result, calibration, out,
                           progress=lambda f, m: bar.progress(min(1.0, f), text=m))
            st.video(str(out))
        finally:
            bar.empty()

if saved_id is not None:
    st.success(f"Saved as run #{saved_id}.")
save_clicked = st.button("Save this run", type="primary",
                         disabled=athlete_id is None or session_id is None or saved_id is not None,
                         help="Saved: a correction made now is saved with it." if saved_id is not None else None)
if save_clicked and saved_id is None:
    with ui.shown_as_error("saving the run", not_saved=True):
        def save(path):
            return store.save_run(athlete_id, session_id, path, calibration.to_dict(), result,
                                  corrections=corrections)

        try:
            run_id = save(clip_path)
        except FileNotFoundError:
            # Another tab saved the same clip meanwhile and removed the working copy both used (only
            # once its run was written, so nothing of this one was): the store has the clip now.
            clip_path, _ = ui.keep_upload(store, upload.name, upload.getvalue())
            run_id = save(clip_path)
        saved[(athlete_key, session_id)] = run_id
        ui.drop_upload(store, clip_path, sha)  # once the store has its copy: one copy on disk
        st.rerun()  # drawn again: "Saved as run #n", the button off
if athlete_id is None or session_id is None:
    st.caption("Pick or add an athlete and a session to save the run.")
