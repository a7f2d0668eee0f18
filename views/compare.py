"""Compare: runs side by side (one athlete across dates, or several athletes)."""

import streamlit as st

import ui
from dash40.dashboard import CORRECTED_NOTE, FLY_NOTE, any_corrected, compare_table, velocity_overlay_figure
from dash40.figures import steps_figure, steps_note

store = ui.get_store()
units = st.session_state.get("units", "yd")
st.title("Compare runs")
runs = store.runs()
if len(runs) < 2:
    st.info("Save at least two runs to compare them.")
    st.stop()
labels = {r.id: f"#{r.id} {r.athlete} — {r.session_date}" for r in runs}
chosen = st.multiselect("Runs (the first is the reference for the differences)", list(labels),
                        default=[runs[-2].id, runs[-1].id], format_func=labels.get)
picked = [next(r for r in runs if r.id == i) for i in chosen]
if len(picked) < 2:
    st.stop()
st.dataframe(compare_table(picked, units), hide_index=True, width="stretch")
if any_corrected(picked):
    st.caption(CORRECTED_NOTE.replace("*", r"\*"))  # a mark, not a list bullet
if any(r.flying for r in picked):
    st.caption(FLY_NOTE)
overlay = velocity_overlay_figure(picked)
if overlay.data:
    st.plotly_chart(overlay, width="stretch")
cols = st.columns(len(picked))
for col, r in zip(cols, picked, strict=True):
    if r.result.steps:
        if (note := steps_note(r.result.steps)) is None:
            col.plotly_chart(steps_figure([s.__dict__ for s in r.result.steps], units=units, data_units=r.units,
                                          title=f"Steps — run #{r.id}"), width="stretch")
        else:
            col.caption(f"Steps — run #{r.id}: {note}")
