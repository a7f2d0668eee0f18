"""Session: all reps of a day as a leaderboard, and the flying reps on their own."""

import pandas as pd
import streamlit as st

import ui
from dash40.dashboard import (
    CORRECTED_NOTE,
    FLY_NOTE,
    any_corrected,
    default_rank_distance,
    flying_board,
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
from_start = [r for r in runs if not r.flying]  # the leaderboard's runs: flying reps have their own table
options = rank_options(from_start, units)
if options:
    keys = list(options)
    # The chosen line, in metres, kept apart from the radio: the radio's own value is its label
    # ("10 yd"), which the units switch renames ("9.14 m (10 yd)"), and a label it no longer has
    # would send it back to the default.
    chosen_key, radio_key = f"rank_by_m_{session_id}", f"rank_by_{session_id}"
    if st.session_state.get(chosen_key) not in options:
        st.session_state[chosen_key] = default_rank_distance(from_start)
    st.session_state[radio_key] = st.session_state[chosen_key]
    by = st.radio("Rank by", keys, key=radio_key, horizontal=True, format_func=options.get,
                  on_change=lambda: st.session_state.update({chosen_key: st.session_state[radio_key]}),
                  help="Fastest first; runs without this split are listed after, unranked.")
    board = leaderboard(runs, by, units)
    if board["Rank"].isna().any():  # runs without the split: a dash, not "None"
        board["Rank"] = ["—" if pd.isna(v) else str(v) for v in board["Rank"]]
    st.dataframe(board, hide_index=True, width="stretch")
elif from_start:
    st.info("No run of this session has a split yet.")
flying = flying_board(runs, units)
if not flying.empty:
    st.subheader("Flying reps")
    st.dataframe(flying, hide_index=True, width="stretch",
                 column_config={"Interval": st.column_config.TextColumn(width="medium")})  # "fly 18.29–36.58 m (20–40 yd)"
    st.caption(FLY_NOTE + " Each interval is ranked on its own.")
if any_corrected(runs):
    st.caption(CORRECTED_NOTE.replace("*", r"\*"))  # a mark, not a list bullet
st.download_button("Session runs (CSV)", runs_csv(runs, units), file_name="dash40_session.csv", mime="text/csv")
