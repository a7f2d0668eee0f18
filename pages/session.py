"""Session: all reps of a day as a leaderboard."""

import streamlit as st

import ui
from dash40.dashboard import fmt_time, leaderboard, runs_csv, split_labels

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
labels = split_labels(units)
by = st.radio("Rank by", ["split_40yd", "split_20yd", "split_10yd"], horizontal=True, format_func=labels.get)
board = leaderboard(runs, by, units)
for c in labels.values():
    board[c] = board[c].map(fmt_time)
st.dataframe(board, hide_index=True, use_container_width=True)
st.download_button("Session runs (CSV)", runs_csv(runs), file_name="dash40_session.csv", mime="text/csv")
