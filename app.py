"""dash40 dashboard: a thin Streamlit layer over the dash40 package (no analysis here).

    python3 tasks.py run      # or: streamlit run app.py
"""

import streamlit as st

import ui

st.set_page_config(page_title="dash40 — sprint timing", page_icon=":material/timer:", layout="wide")
store = ui.get_store()
ui.first_start(store)
ui.units_ui()

pages = [
    st.Page("pages/analyze.py", title="Analyze a rep", icon=":material/videocam:", default=True),
    st.Page("pages/athlete.py", title="Athlete", icon=":material/directions_run:"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("pages/session.py", title="Session", icon=":material/leaderboard:"),
]
st.navigation(pages).run()
