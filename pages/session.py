"""Session: all reps of a day as a leaderboard."""

import pandas as pd
import streamlit as st

import ui
from dash40.dashboard import (
    CORRECTED_NOTE,
    any_corrected,
    default_rank_distance,
    leaderboard,
    rank_options,
    runs_csv,
)

store = ui.get_store()
units = st.session_state.get("units", "yd")
st.title("Session leaderboard")
session_id = ui.session_picker(store, allow_new=False, key="session_page")
if session_id is None:
    st.info("No session yet: add one on the Analyze page.")
    st.stop()
runs = store.runs(session_id=session_id)
if not runs:
    st.info("No run saved in this session yet.")
    st.stop()
options = rank_options(runs, units)
if options:
    keys = list(options)
    by = st.radio("Rank by", keys, index=keys.index(default_rank_distance(runs)), horizontal=True,
                  format_func=options.get, help="Fastest first; runs without this split are listed after, unranked.")
else:
    by = None
    st.info("No run of this session has a split yet.")
board = leaderboard(runs, by, units)
if "Rank" in board and board["Rank"].isna().any():  # runs without the split: a dash, not "None"
    board["Rank"] = ["—" if pd.isna(v) else str(v) for v in board["Rank"]]
st.dataframe(board, hide_index=True, use_container_width=True)
if any_corrected(runs):
    st.caption(CORRECTED_NOTE.replace("*", r"\*"))  # a mark, not a list bullet
st.download_button("Session runs (CSV)", runs_csv(runs, units), file_name="dash40_session.csv", mime="text/csv")
