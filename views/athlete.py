"""Athlete: every run over time, personal bests, change since the last session, exports."""

import streamlit as st

import ui
from dash40.dashboard import (
    CORRECTED_NOTE,
    FLY_NOTE,
    NO_FV_NOTE,
    NO_MODEL_NOTE,
    any_corrected,
    athlete_report_html,
    change_since_last_session,
    delta_text,
    fmt_number,
    headline_columns,
    model_panels,
    model_progress_figure,
    personal_bests,
    progress_figure,
    progress_table,
    runs_csv,
    velocity_overlay_figure,
)

store = ui.get_store()
units = st.session_state.get("units", "yd")
st.title("Athlete")
athlete_id = ui.athlete_picker(store, allow_new=False, key="athlete_page")
if athlete_id is None:
    st.info("No athlete yet: add one on the Analyze page.")
    st.stop()
athlete = next(a for a in store.athletes() if a["id"] == athlete_id)
runs = store.runs(athlete_id=athlete_id)
st.caption(" · ".join(x for x in (athlete.get("position"),
                                   f"{athlete['body_mass_kg']:g} kg" if athlete.get("body_mass_kg") else None,
                                   f"{athlete['height_m']:g} m" if athlete.get("height_m") else None) if x))
if not runs:
    st.info("No run saved for this athlete yet.")
    st.stop()

pbs = personal_bests(runs, units)
change = change_since_last_session(runs, units)
cols = st.columns(4)
for col, c in zip(cols[:3], headline_columns(runs, units), strict=False):
    pb = pbs.get(c.label)
    delta = change.get(c.label)
    col.metric(f"Best {c.label}", "—" if pb is None else f"{pb.value:.2f} s" + ("*" if pb.corrected else ""),
               delta_text(delta), delta_color="inverse" if delta is None or abs(delta) >= 0.005 else "off",
               delta_arrow="auto" if delta is None or abs(delta) >= 0.005 else "off")
mss = pbs["MSS"]
cols[3].metric("Best MSS", "—" if mss is None else f"{mss.value:.2f} m/s")

progress = progress_figure(runs, units)
if progress.data:  # no split from a start (only flying reps): no empty chart
    st.plotly_chart(progress, width="stretch")
table = progress_table(runs, units)
for c in ("MSS (m/s)", "MAC (m/s²)", "F0 (N/kg)", "V0 (m/s)", "Pmax (W/kg)"):
    table[c] = table[c].map(fmt_number)
st.dataframe(table, hide_index=True, width="stretch")
if any_corrected(runs):
    st.caption(CORRECTED_NOTE.replace("*", r"\*"))  # a mark, not a list bullet
if any(r.flying for r in runs):
    st.caption(FLY_NOTE)
panels = model_panels(runs)
if not panels:
    st.info(NO_MODEL_NOTE)
else:
    st.plotly_chart(model_progress_figure(runs), width="stretch")
    if not any(key == "f0_n_kg" for key, _, _ in panels):
        st.caption(NO_FV_NOTE)
overlay = velocity_overlay_figure(runs[-5:])
if overlay.data:
    st.plotly_chart(overlay, width="stretch")

d1, d2 = st.columns(2)
d1.download_button("Runs and splits (CSV)", runs_csv(runs, units), file_name=f"dash40_{athlete['name']}.csv",
                   mime="text/csv")
d2.download_button("Progress report (HTML)", athlete_report_html(athlete, runs, units),
                   file_name=f"dash40_{athlete['name']}_report.html", mime="text/html")
