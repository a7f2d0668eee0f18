"""Shared Streamlit pieces for the pages: the store, units, pickers. Widgets only; every number
comes from the dash40 package."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import streamlit as st

from dash40.dashboard import default_units, seed_demo
from dash40.errors import Dash40Error
from dash40.store import open_store

ROOT = Path(__file__).resolve().parent


def data_root() -> Path:
    return Path(os.environ.get("DASH40_DATA_DIR") or ROOT / "data")


@st.cache_resource
def _store(url: str | None, root: str):
    return open_store(url, root)


def get_store():
    return _store(os.environ.get("DASH40_DATABASE_URL"), str(data_root()))


def first_start(store) -> None:
    """The first time the database is empty: the demo athlete with the sample clips analysed."""
    if st.session_state.get("_seeded") or os.environ.get("DASH40_NO_DEMO"):
        return
    if store.count_runs() == 0:
        bar = st.progress(0.0, text="First start: analysing the sample clips for the demo athlete…")
        seed_demo(store, progress=lambda f, m: bar.progress(min(1.0, f), text=m))
        bar.empty()
    st.session_state["_seeded"] = True


def units_ui() -> str:
    choice = st.sidebar.radio("Distances in", ["yd", "m"], index=0 if default_units() == "yd" else 1,
                              horizontal=True, key="units", help="Yards or metres, everywhere.")
    st.sidebar.caption("Times to 0.01 s, as coaches read them. Timed at the chest (photo-finish).")
    return choice


def athlete_picker(store, *, allow_new: bool = True, key: str = "athlete") -> int | None:
    athletes = store.athletes()
    names = {a["id"]: a["name"] + (f" ({a['position']})" if a["position"] else "") for a in athletes}
    if f"{key}_new_id" in st.session_state:  # select what was just added (before the widget exists)
        st.session_state[key] = st.session_state.pop(f"{key}_new_id")
    chosen = st.selectbox("Athlete", list(names), format_func=names.get, key=key) if names else None
    if allow_new:
        with st.expander("New athlete"):
            with st.form(f"{key}_new", clear_on_submit=True):
                name = st.text_input("Name")
                c1, c2, c3 = st.columns(3)
                position = c1.text_input("Position", placeholder="WR")
                mass = c2.number_input("Body mass (kg)", min_value=0.0, max_value=250.0, value=0.0, step=0.5)
                height = c3.number_input("Height (m)", min_value=0.0, max_value=2.4, value=0.0, step=0.01)
                if st.form_submit_button("Add athlete"):
                    try:
                        new = store.add_athlete(name, position=position, body_mass_kg=mass or None,
                                                height_m=height or None)
                        st.session_state[f"{key}_new_id"] = new
                        st.rerun()
                    except Dash40Error as exc:
                        st.error(str(exc))
    return chosen


def session_picker(store, *, allow_new: bool = True, key: str = "session") -> int | None:
    sessions = store.sessions()
    labels = {s["id"]: f"{s['date']} — {s['place'] or 'no place'}" for s in sessions}
    if f"{key}_new_id" in st.session_state:
        st.session_state[key] = st.session_state.pop(f"{key}_new_id")
    chosen = st.selectbox("Session", list(labels), format_func=labels.get, key=key) if labels else None
    if allow_new:
        with st.expander("New session"):
            with st.form(f"{key}_new", clear_on_submit=True):
                c1, c2, c3 = st.columns(3)
                day = c1.date_input("Date", value=date.today())
                place = c2.text_input("Place")
                surface = c3.text_input("Surface", placeholder="turf")
                c4, c5, c6 = st.columns(3)
                temp = c4.number_input("Temperature (°C)", value=20.0, step=1.0)
                pressure = c5.number_input("Pressure (mmHg)", value=760.0, step=1.0)
                wind = c6.number_input("Wind (m/s, + = tail)", value=0.0, step=0.5)
                if st.form_submit_button("Add session"):
                    new = store.add_session(day, place=place, surface=surface, temperature_c=temp,
                                            pressure_mmhg=pressure, wind_m_s=wind)
                    st.session_state[f"{key}_new_id"] = new
                    st.rerun()
    return chosen
