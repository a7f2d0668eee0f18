"""Analyze a rep: pick athlete and session, upload a clip, set the timing lines, analyze, check, save."""

import hashlib
import json

import pandas as pd
import streamlit as st

import ui
from dash40.analysis import analyze
from dash40.calibration import load_calibration
from dash40.dashboard import event_time, nudge, split_table, sprint_fit_of
from dash40.errors import Dash40Error
from dash40.figures import steps_figure, velocity_time_figure
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

data = upload.getvalue()
sha = hashlib.sha256(data).hexdigest()
uploads = ui.data_root() / "uploads"
uploads.mkdir(parents=True, exist_ok=True)
clip_path = uploads / f"{sha[:16]}_{upload.name}"
if not clip_path.exists():
    clip_path.write_bytes(data)
try:
    info = probe(clip_path)
except Dash40Error as exc:
    st.error(str(exc))
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
state_key = f"cal_{sha}"
if state_key not in st.session_state:
    st.session_state[state_key] = {"units": "yd", "lines": [
        {"distance": 0.0, "near": [0.15 * info.width, 0.85 * info.height], "far": [0.15 * info.width, 0.55 * info.height]},
        {"distance": 10.0, "near": [0.85 * info.width, 0.85 * info.height], "far": [0.85 * info.width, 0.55 * info.height]},
    ]}
b1, b2 = st.columns(2)
session_runs = store.runs(session_id=session_id) if session_id else []
if b1.button("Use this session's last calibration", disabled=not session_runs,
             help="Same camera spot as the last rep saved in this session."):
    st.session_state[state_key] = session_runs[-1].calibration
cal_file = b2.file_uploader("…or load a calibration file (.calib.json)", type=["json"], key=f"calfile_{sha}")
if cal_file is not None:
    try:
        st.session_state[state_key] = load_calibration(json.loads(cal_file.getvalue())).to_dict()
    except (Dash40Error, ValueError) as exc:
        st.error(f"That calibration file cannot be used: {exc}")

cal = st.session_state[state_key]
rows = []
for ln in cal["lines"]:
    near = ln.get("near") or [ln.get("x"), info.height - 1]
    far = ln.get("far") or [ln.get("x"), 0]
    rows.append({"distance": ln["distance"], "near u": round(near[0], 1), "near v": round(near[1], 1),
                 "far u": round(far[0], 1), "far v": round(far[1], 1)})
col_units, col_table = st.columns([1, 4])
cal_units = col_units.radio("Line distances in", ["yd", "m"], index=0 if cal.get("units", "yd") == "yd" else 1,
                            key=f"calunits_{sha}")
edited = col_table.data_editor(pd.DataFrame(rows), num_rows="dynamic", key=f"editor_{sha}")
col_table.caption("Pixel positions on the first frame (from its top-left corner): near = the end of the line "
                  "closer to the camera, far = the other end (cone bases).")
new_cal = {"units": cal_units, "lines": [
    {"distance": float(r["distance"]), "near": [float(r["near u"]), float(r["near v"])],
     "far": [float(r["far u"]), float(r["far v"])]}
    for r in edited.to_dict("records") if pd.notna(r["distance"])]}
try:
    calibration = load_calibration(new_cal)
    calibration.check_fits(info.width, info.height)
    st.image(draw_calibration(first_frame(clip_path), calibration), caption="First frame with the timing lines",
             use_container_width=True)
except Dash40Error as exc:
    calibration = None
    st.error(str(exc))

# ---- analysis ------------------------------------------------------------------------------------
result_key = f"res_{sha}_{hashlib.sha1(json.dumps(new_cal, sort_keys=True).encode()).hexdigest()[:8]}"
athletes = {a["id"]: a for a in store.athletes()}
if st.button("Analyze", type="primary", disabled=calibration is None):
    bar = st.progress(0.0, text="Starting…")
    a = athletes.get(athlete_id) or {}
    try:
        st.session_state[result_key] = analyze(clip_path, calibration, body_mass_kg=a.get("body_mass_kg"),
                                               height_m=a.get("height_m"),
                                               progress=lambda f, m: bar.progress(min(1.0, f), text=m))
        st.session_state[f"corr_{result_key}"] = {}
    except Dash40Error as exc:
        st.error(str(exc))
    bar.empty()

result = st.session_state.get(result_key)
if result is None:
    st.stop()

corrections = st.session_state.setdefault(f"corr_{result_key}", {})
st.subheader("Splits")
st.dataframe(split_table(result, units, corrections), hide_index=True, use_container_width=True)
if result.start.time_s is not None:
    st.caption(f"First movement at {event_time(result, 'start', corrections):.3f} s in the clip "
               f"(± {1000 * (result.start.uncertainty_s or 0):.0f} ms, {result.start.method}).")
for w in result.warnings:
    st.warning(w)

st.subheader("Check each event")
thumbs = event_thumbnails(clip_path, result, calibration, width=360)
cols = st.columns(min(4, max(1, len(thumbs))))
for i, th in enumerate(thumbs):
    cols[i % len(cols)].image(th.image, caption=f"{th.label} (frame {th.frame})")

with st.expander("Disagree with an event? Nudge it by whole frames"):
    events = (["start"] if result.start.time_s is not None else []) + [
        f"line:{c.distance:g}" for c in result.crossings if c.time_s is not None]
    e1, e2, e3 = st.columns([2, 1, 1])
    ev = e1.selectbox("Event", events, format_func=lambda e: "First movement" if e == "start" else
                      f"{e.split(':')[1]} {result.units} line")
    frames = e2.number_input("Frames (+ later, − earlier)", min_value=-30, max_value=30, value=0, step=1)
    if e3.button("Apply"):
        if frames == 0:
            corrections.pop(ev, None)
        else:
            corrections[ev] = (int(frames), float(nudge(result, ev, int(frames))))
        st.rerun()
    if corrections:
        st.caption("Corrections (kept beside the automatic times): " + ", ".join(
            f"{k}: {v[0]:+d} frames → {v[1]:.3f} s" for k, v in corrections.items()))

fit = sprint_fit_of(result)
g1, g2 = st.columns(2)
if fit is not None:
    g1.plotly_chart(velocity_time_figure(fit), use_container_width=True)
elif (result.model or {}).get("error"):
    g1.info(f"No sprint model for this rep: {result.model['error']}.")
if result.steps:
    g2.plotly_chart(steps_figure([s.__dict__ for s in result.steps], units=result.units), use_container_width=True)

if st.button("Make the annotated replay"):
    out = ui.data_root() / "uploads" / f"{clip_path.stem}.overlay.mp4"
    bar = st.progress(0.0, text="Writing the replay…")
    render_overlay(clip_path, result, calibration, out, progress=lambda f, m: bar.progress(min(1.0, f), text=m))
    bar.empty()
    st.video(str(out))

if st.button("Save this run", type="primary", disabled=athlete_id is None or session_id is None):
    run_id = store.save_run(athlete_id, session_id, clip_path, calibration.to_dict(), result, corrections=corrections)
    st.success(f"Saved as run #{run_id}.")
if athlete_id is None or session_id is None:
    st.caption("Pick or add an athlete and a session to save the run.")
