"""Each dashboard page's logic, headless (Streamlit AppTest)."""

from datetime import date
from pathlib import Path

import pytest
from test_store import SAMPLE, _result

from dash40.store import open_store

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def empty(tmp_path, monkeypatch):
    monkeypatch.setenv("DASH40_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DASH40_NO_DEMO", "1")
    monkeypatch.delenv("DASH40_DATABASE_URL", raising=False)
    return tmp_path


@pytest.fixture
def filled(empty):
    st = open_store(None, empty)
    a = st.add_athlete("Jordan Miles", position="WR", body_mass_kg=88, height_m=1.85)
    b = st.add_athlete("Sam Ortiz", position="RB")
    s1 = st.add_session(date(2026, 11, 10), place="Indoor turf")
    s2 = st.add_session(date(2026, 11, 24), place="Indoor turf")
    st.save_run(a, s1, SAMPLE, {"units": "yd", "lines": []}, _result())
    st.save_run(a, s2, SAMPLE, {"units": "yd", "lines": []}, _result())
    st.save_run(b, s2, SAMPLE, {"units": "yd", "lines": []}, _result())
    return empty


def _run(page=None):
    at = AppTest.from_file(APP, default_timeout=60).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_analyze_page_on_an_empty_database_asks_for_a_clip(empty):
    at = _run()
    assert at.title[0].value == "Analyze a rep"
    assert any("upload it here" in i.value for i in at.info)


def test_athlete_page_shows_bests_and_every_run(filled):
    at = _run("pages/athlete.py")
    assert at.title[0].value == "Athlete"
    labels = [m.label for m in at.metric]
    assert "Best 10 yd" in labels and "Best 40 yd" in labels
    assert at.metric[labels.index("Best 40 yd")].value == "4.98 s"
    assert len(at.dataframe[0].value) == 2  # Jordan's two runs


def test_session_page_ranks_the_day(filled):
    at = _run("pages/session.py")
    board = at.dataframe[0].value
    assert list(board["Rank"]) == [1, 2] and set(board["Athlete"]) == {"Jordan Miles", "Sam Ortiz"}


def test_compare_page_shows_deltas(filled):
    at = _run("pages/compare.py")
    table = at.dataframe[0].value
    assert "Δ 40 yd" in table.columns and len(table) == 2


def test_adding_an_athlete_from_the_page(empty):
    at = _run()
    at.text_input[0].input("Chris Lee")
    at.button[0].click().run()
    assert not at.exception
    assert "Chris Lee" in [a["name"] for a in open_store(None, empty).athletes()]


def test_a_nameless_athlete_is_refused_with_a_message(empty):
    at = _run()
    at.button[0].click().run()
    assert any("needs a name" in e.value for e in at.error)

