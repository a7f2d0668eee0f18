"""dash40 dashboard: a thin Streamlit layer over the dash40 package (no analysis here).

    python3 tasks.py run      # or: streamlit run app.py
"""

import streamlit as st

import ui

st.set_page_config(page_title="dash40 — sprint timing", page_icon=":material/timer:", layout="wide")
pages = [
    st.Page("views/analyze.py", title="Analyze a rep", icon=":material/videocam:", default=True),
    st.Page("views/athlete.py", title="Athlete", icon=":material/directions_run:"),
    st.Page("views/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("views/session.py", title="Session", icon=":material/leaderboard:"),
]
# The navigation first: the demo is seeded on the very first start (~30 s), and until st.navigation
# has run, a page opened by its address shows Streamlit's bare list of page files.
page = st.navigation(pages)
store = ui.get_store()
ui.first_start(store)
ui.units_ui()
page.run()
