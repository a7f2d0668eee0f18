"""Each dashboard page's logic, headless (Streamlit AppTest)."""

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from helpers import SAMPLE, SAMPLES, files, flying_result, garbled_clip, sample_result, timed_result

from dash40.store import open_store

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

pytest_plugins = ["synth_fixtures"]  # synth_tiny: a small generated clip with its calibration

APP = str(Path(__file__).resolve().parents[1] / "app.py")
METRES = SAMPLES / "angled_rtl_30m_60fps.mp4"  # its .calib.json is in metres


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
    st.save_run(a, s1, SAMPLE, {"units": "yd", "lines": []}, sample_result())
    st.save_run(a, s2, SAMPLE, {"units": "yd", "lines": []}, sample_result())
    st.save_run(b, s2, SAMPLE, {"units": "yd", "lines": []}, sample_result())
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
    at = _run("views/athlete.py")
    assert at.title[0].value == "Athlete"
    labels = [m.label for m in at.metric]
    assert "Best 10 yd" in labels and "Best 40 yd" in labels
    assert at.metric[labels.index("Best 40 yd")].value == "4.98 s"
    assert len(at.dataframe[0].value) == 2  # Jordan's two runs


def test_session_page_ranks_the_day(filled):
    at = _run("views/session.py")
    board = at.dataframe[0].value
    assert list(board["Rank"]) == [1, 2] and set(board["Athlete"]) == {"Jordan Miles", "Sam Ortiz"}


def test_compare_page_shows_deltas(filled):
    at = _run("views/compare.py")
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



def _upload(at, clip: Path, calib: Path | None = None, name: str | None = None):
    at.file_uploader[0].set_value((name or clip.name, clip.read_bytes(), "video/mp4")).run()
    assert not at.exception, at.exception
    if calib is not None:
        at.file_uploader[1].set_value((calib.name, calib.read_bytes(), "application/json")).run()
        assert not at.exception, at.exception
    return at


def _radio(at, label):
    return next(r for r in at.radio if r.label == label)


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_a_calibration_file_in_metres_turns_the_units_radio_to_m(filled):
    at = _upload(_run(), METRES)
    assert _radio(at, "Line distances in").value == "yd"  # the default lines
    _upload(at, METRES, METRES.with_suffix(".calib.json"))
    assert _radio(at, "Line distances in").value == "m"
    sha = hashlib.sha256(METRES.read_bytes()).hexdigest()
    assert [ln["distance"] for ln in at.session_state[f"cal_{sha}"]["lines"]] == [0, 10, 20, 30]
    assert not at.error
    # The coach can still change it afterwards: the file is applied once, not on every rerun.
    _radio(at, "Line distances in").set_value("yd").run()
    assert _radio(at, "Line distances in").value == "yd"


def test_the_session_s_last_calibration_brings_its_units(empty):
    from dash40.calibration import load_calibration

    st = open_store(None, empty)
    a = st.add_athlete("A")
    s = st.add_session(date(2026, 11, 24))
    cal = load_calibration(METRES.with_suffix(".calib.json")).to_dict()
    st.save_run(a, s, SAMPLE, cal, sample_result())
    at = _upload(_run(), METRES)
    _button(at, "Use this session's last calibration").click().run()
    assert not at.exception
    assert _radio(at, "Line distances in").value == "m"


def test_a_file_that_is_not_a_video_leaves_nothing_behind(empty):
    at = _run()
    at.file_uploader[0].set_value(("notes.mp4", b"shopping list, not a video", "video/mp4")).run()
    assert not at.exception
    assert len(at.error) == 1 and "'notes.mp4' is not a video" in at.error[0].value
    assert files(empty / "uploads") == [] and files(empty / "clips") == []
    st = open_store(None, empty)
    assert st.count_runs() == 0
    with st.engine.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT COUNT(*) FROM clip")).scalar() == 0


def test_a_damaged_clip_gets_one_sentence_and_the_page_stays_usable(filled, tmp_path):
    at = _upload(_run(), garbled_clip(tmp_path), SAMPLES / "start_10yd_120fps.calib.json")
    _button(at, "Analyze").click().run()
    assert not at.exception, at.exception
    assert len(at.error) == 1
    msg = at.error[0].value
    assert "'garbled.mp4'" in msg and "damaged" in msg and msg.endswith("The clip was not saved.")
    assert "Traceback" not in msg and "IndexError" not in msg
    at.switch_page("views/session.py").run()
    assert not at.exception and at.title[0].value == "Session leaderboard"


def test_an_unexpected_failure_is_one_generic_sentence(filled, monkeypatch):
    import dash40.analysis

    def boom(*_args, **_kw):
        raise KeyError("lines")

    monkeypatch.setattr(dash40.analysis, "analyze", boom)
    at = _upload(_run(), METRES, METRES.with_suffix(".calib.json"))
    _button(at, "Analyze").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "Something unexpected went wrong while analysing the clip (KeyError). The clip was not saved."]
    assert _button(at, "Analyze").disabled is False  # still usable


def test_an_analysed_and_saved_clip_is_kept_once(empty, synth_tiny):
    clip, _truth = synth_tiny
    st = open_store(None, empty)
    st.add_athlete("A")
    st.add_session(date(2026, 11, 24))
    at = _upload(_run(), clip, clip.with_suffix(".calib.json"), name="rep 3.mp4")
    assert [p.name for p in files(empty / "uploads")] == ["rep 3.mp4"]  # the working copy, by the coach's name
    _button(at, "Analyze").click().run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    _button(at, "Save this run").click().run()
    assert not at.exception and not at.error
    assert any("Saved as run #1" in s.value for s in at.success)
    assert files(empty / "uploads") == []  # the store's copy is the only one…
    assert len(files(empty / "clips")) == 1
    assert open_store(None, empty).known_clip(st.clip_hash(clip))["file_name"] == "rep 3.mp4"  # …named as uploaded
    # Uploading the same clip again uses the stored file and says so.
    at = _upload(_run(), clip, name="again.mp4")
    assert any("uploaded before (as rep 3.mp4)" in i.value for i in at.info)
    assert files(empty / "uploads") == []


def test_a_save_just_after_another_tab_saved_the_same_clip_is_not_lost(empty, synth_tiny, monkeypatch):
    """Two tabs with the same clip share its working copy under uploads/. The other tab's save,
    landing between this tab's page run and its save, removes that copy once the store has the
    clip: this tab's save must then use the stored clip (it failed with FileNotFoundError)."""
    from dash40.store.api import Store

    clip, _truth = synth_tiny
    st = open_store(None, empty)
    st.add_athlete("A")
    st.add_session(date(2026, 11, 24))
    at = _upload(_run(), clip, clip.with_suffix(".calib.json"))
    _button(at, "Analyze").click().run()
    assert not at.exception and not at.error
    real = Store.save_run

    def the_other_tab_saves_first(self, athlete_id, session_id, clip_path, *args, **kw):
        monkeypatch.setattr(Store, "save_run", real)
        real(self, athlete_id, session_id, clip_path, *args, **kw)
        shutil.rmtree(Path(clip_path).parent)  # what its page does once saved (ui.drop_upload)
        return real(self, athlete_id, session_id, clip_path, *args, **kw)

    monkeypatch.setattr(Store, "save_run", the_other_tab_saves_first)
    _button(at, "Save this run").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Saved as run #2" in s.value for s in at.success)
    st = open_store(None, empty)
    assert st.count_runs() == 2 and st.known_clip(st.clip_hash(clip))["runs"] == [1, 2]
    assert len(files(empty / "clips")) == 1 and files(empty / "uploads") == []


def test_the_first_start_seeds_the_demo_athlete(empty, monkeypatch, synth_tiny):
    """With an empty database the app analyses the sample clips for a demo athlete (here one small
    generated clip stands in for the committed samples, which take ~20 s)."""
    import dash40.dashboard

    clip, _truth = synth_tiny
    samples = empty / "samples"
    samples.mkdir()
    shutil.copy(clip, samples / "demo.mp4")
    shutil.copy(clip.with_suffix(".calib.json"), samples / "demo.calib.json")
    monkeypatch.setattr(dash40.dashboard, "sample_dir", lambda: samples)
    monkeypatch.delenv("DASH40_NO_DEMO")
    at = _run()
    st = open_store(None, empty)
    assert st.count_runs() == 1
    assert [a["name"] for a in st.athletes()] == ["Demo Athlete"]
    at.switch_page("views/athlete.py").run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 1
    _run()  # a second start adds nothing
    assert open_store(None, empty).count_runs() == 1


def test_calibration_rows_survive_a_json_round_trip():
    """What the page keeps in the session is plain JSON (lines may be half placed)."""
    import ui

    rows = ui.calibration_rows({"units": "m", "lines": [{"distance": 0, "near": [1, 2], "far": None},
                                                        {"distance": 5, "x": 40.0}]}, 720)
    assert json.loads(json.dumps(rows)) == rows
    assert rows[1]["near v"] == 719 and rows[1]["far v"] == 0


def test_the_units_stay_m_after_a_visit_to_another_page(filled):
    at = _upload(_run(), METRES, METRES.with_suffix(".calib.json"))
    assert _radio(at, "Line distances in").value == "m"
    at.switch_page("views/session.py").run()
    at.switch_page("views/analyze.py").run()
    _upload(at, METRES)  # the uploader is empty again; the lines set for this clip are kept
    assert not at.error
    assert _radio(at, "Line distances in").value == "m"


def test_a_calibration_file_that_cannot_be_used_says_why_until_it_is_replaced(filled, tmp_path):
    bad = tmp_path / "rep.calib.json"
    bad.write_text(json.dumps({"units": "furlongs", "lines": []}))
    at = _upload(_run(), METRES, bad)
    assert [e.value for e in at.error] == [
        "That calibration file cannot be used: Calibration units must be 'yd' or 'm', got 'furlongs'."]
    _radio(at, "Line distances in").set_value("m").run()
    assert len(at.error) == 1  # still said on the next rerun
    _upload(at, METRES, METRES.with_suffix(".calib.json"))
    assert not at.error


def test_the_rank_by_distance_stays_when_the_units_switch(empty):
    """Ranked by 10 yd, then the sidebar goes to metres and back: still ranked by the 10-yd line
    (9.14 m), not back to the default (the longest split). (AppTest runs the page alone, without
    app.py's sidebar: the units are set as the sidebar radio sets them, in the session state.)"""
    st = open_store(None, empty)
    ana, ben = st.add_athlete("Ana"), st.add_athlete("Ben")
    s = st.add_session(date(2026, 11, 24), place="turf")
    st.save_run(ana, s, SAMPLE, {}, timed_result("yd", {10.0: 1.80, 40.0: 4.60}))  # faster over 40
    st.save_run(ben, s, SAMPLE, {}, timed_result("yd", {10.0: 1.70, 40.0: 4.70}))  # faster over 10
    at = _run("views/session.py")
    rank_by = _radio(at, "Rank by")
    assert rank_by.value == pytest.approx(40 * 0.9144) and list(at.dataframe[0].value["Athlete"]) == ["Ana", "Ben"]
    rank_by.set_value(10 * 0.9144).run()
    assert list(at.dataframe[0].value["Athlete"]) == ["Ben", "Ana"]
    at.session_state["units"] = "m"
    at.run()
    assert not at.exception
    assert _radio(at, "Rank by").value == pytest.approx(10 * 0.9144)
    assert "9.14 m (10 yd)" in _radio(at, "Rank by").options
    assert list(at.dataframe[0].value["Athlete"]) == ["Ben", "Ana"]
    at.session_state["units"] = "yd"
    at.run()
    assert _radio(at, "Rank by").value == pytest.approx(10 * 0.9144)
    assert list(at.dataframe[0].value["Athlete"]) == ["Ben", "Ana"]


def test_the_app_start_removes_uploads_unused_for_a_day(empty):
    import os
    import time

    old, fresh = empty / "uploads" / "a1b2c3d4e5f60718", empty / "uploads" / "ffff000011112222"
    for folder, age_h in ((old, 30), (fresh, 2)):
        folder.mkdir(parents=True)
        clip = folder / "rep.mp4"
        clip.write_bytes(b"\0" * 16)
        t = time.time() - age_h * 3600
        os.utime(clip, (t, t))
        os.utime(folder, (t, t))
    _run()
    assert not old.exists() and (fresh / "rep.mp4").is_file()


def test_pages_with_a_flying_rep_and_no_sprint_model(empty):
    """A short rep from a start (no sprint model) and a flying 20-40 yd of 1.97 s: the Athlete page
    says there is no model instead of drawing empty plots and shows the flying time in its own
    column; the Session page ranks the flying rep in its own table."""
    from dataclasses import replace

    from dash40.dashboard import NO_MODEL_NOTE

    st = open_store(None, empty)
    ana = st.add_athlete("Ana")
    s = st.add_session(date(2026, 11, 24), place="turf")
    st.save_run(ana, s, SAMPLE, {}, replace(timed_result("yd", {10.0: 1.72, 20.0: 2.95}), model={}))
    st.save_run(ana, s, SAMPLE, {}, flying_result("yd", {20.0: 1.10, 40.0: 3.07}))
    at = _run("views/athlete.py")
    assert NO_MODEL_NOTE in [i.value for i in at.info]
    charts = at.get("plotly_chart")
    assert len(charts) == 1  # the splits over time only: no empty model panels
    table = at.dataframe[0].value
    assert table["fly 20–40 yd"].tolist() == ["—", "1.97"] and table["20 yd"].tolist() == ["2.95", "—"]
    labels = [m.label for m in at.metric]
    assert at.metric[labels.index("Best 20 yd")].value == "2.95 s"
    at.switch_page("views/session.py").run()
    assert not at.exception
    board, fly = (d.value for d in at.dataframe)
    assert len(board) == 1 and board["20 yd"].tolist() == ["2.95"]
    assert fly["Interval"].tolist() == ["fly 20–40 yd"] and fly["Time (s)"].tolist() == ["1.97"]


# -- the Analyze page after an analysis (review of 27 Nov) ------------------------------------------------

START10 = SAMPLES / "start_10yd_120fps.mp4"  # lines at 0, 5 and 10 yd


def _analysed(monkeypatch, result, units=None):
    """The Analyze page once Analyze was clicked, ``result`` planted as what the analysis found (the
    sample clip and its lines are uploaded; the clip is not read again, its event pictures left out)."""
    import dash40.analysis
    import dash40.overlay

    monkeypatch.setattr(dash40.analysis, "analyze", lambda *_a, **_kw: result)
    monkeypatch.setattr(dash40.overlay, "event_thumbnails", lambda *_a, **_kw: [])
    at = _run()
    _upload(at, START10, START10.with_suffix(".calib.json"))
    if units:  # (as the sidebar sets them; AppTest runs the page alone: set again before each run)
        at.session_state["units"] = units
    _button(at, "Analyze").click().run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    return at


def test_steps_too_far_apart_get_a_sentence_not_an_empty_chart(empty, monkeypatch):
    # start_a3 (real): three contacts 4 and 7 m apart, none with a length or a frequency; the page
    # drew the step chart's axes with nothing on them.
    from dataclasses import replace

    from dash40.result import Step

    contacts = tuple(Step(t, d, "unknown") for t, d in ((0.95, 1.45), (1.45, 5.35), (2.12, 12.4)))
    at = _analysed(monkeypatch, replace(timed_result("yd", {5.0: 0.95, 10.0: 1.62}), steps=contacts))
    assert any(i.value.startswith("3 foot contacts seen") for i in at.info)
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert not any("Step length" in t for t in titles)


def _splits(at):
    """The Analyze page's split table (the lines' table is a data editor before it)."""
    return next(d.value for d in at.dataframe if "Line" in d.value.columns)


def _nudge(at, event, frames, units=None):
    """Nudge ``event`` ("start", "line:5") by ``frames`` in the page's box."""
    next(s for s in at.selectbox if s.label == "Event").set_value(event)  # (by value: select_index sends the label)
    next(n for n in at.number_input if n.label.startswith("Frames")).set_value(frames)
    if units:
        at.session_state["units"] = units
    _button(at, "Apply").click().run()
    if units:  # (Apply reruns the page once more)
        at.session_state["units"] = units
        at.run()
    assert not at.exception, at.exception
    return at


def test_an_athlete_picked_after_analyze_is_saved_with_their_own_force_velocity_profile(empty):
    """Analysed with Alex selected (no body mass, no height), then Zed (88 kg, 1.85 m) picked and the
    run saved: the run has Zed's F0 and Pmax, exactly what an analysis with Zed's numbers gives (it
    had Alex's: none). Back to Alex, the second run has none."""
    from dash40.analysis import analyze

    clip = SAMPLE  # the 40-yd demo: long enough for the sprint model
    st = open_store(None, empty)
    alex = st.add_athlete("Alex")
    zed = st.add_athlete("Zed", body_mass_kg=88.0, height_m=1.85)
    st.add_session(date(2026, 11, 24))
    at = _upload(_run(), clip, clip.with_suffix(".calib.json"))
    assert at.selectbox(key="athlete").value == alex
    _button(at, "Analyze").click().run()
    assert not at.exception and not at.error
    at.selectbox(key="athlete").set_value(zed).run()
    assert not at.exception and not at.error
    _button(at, "Save this run").click().run()
    assert not at.exception and not at.error and any("Saved as run #1" in s.value for s in at.success)
    run = open_store(None, empty).run(1)
    assert run.athlete == "Zed"
    # (the lines as the page holds them: their ends to 0.1 px, as its table shows them)
    expected = analyze(clip, run.calibration, body_mass_kg=88.0, height_m=1.85).model
    assert (run.f0_n_kg, run.pmax_w_kg, run.mss) == (expected["fv"]["f0_rel"], expected["fv"]["pmax_rel"],
                                                     expected["mss"])
    assert run.f0_n_kg is not None
    at.selectbox(key="athlete").set_value(alex).run()
    _button(at, "Save this run").click().run()
    assert not at.exception and not at.error and any("Saved as run #2" in s.value for s in at.success)
    run = open_store(None, empty).run(2)
    assert run.athlete == "Alex" and run.f0_n_kg is None and run.pmax_w_kg is None
    assert run.mss == expected["mss"]  # the same timing and sprint model, no force–velocity profile


def test_a_second_click_on_save_stores_nothing_more_and_a_later_nudge_reaches_the_saved_run(empty, monkeypatch):
    st = open_store(None, empty)
    st.add_athlete("A")
    st.add_session(date(2026, 11, 24))
    at = _analysed(monkeypatch, timed_result("yd", {5.0: 0.95, 10.0: 1.62}, fps=30.0))
    _button(at, "Save this run").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == ["Saved as run #1."]
    assert _button(at, "Save this run").disabled
    at.run()
    assert [s.value for s in at.success] == ["Saved as run #1."] and _button(at, "Save this run").disabled
    assert open_store(None, empty).count_runs() == 1
    _nudge(at, "line:10", 2)
    assert not at.error
    assert open_store(None, empty).run(1).corrections == {"line:10": (2, pytest.approx(0.8 + 1.62 + 2 / 30))}
    assert _splits(at)["Split (s)"].tolist()[2] == f"{1.62 + 2 / 30:.2f}"


def test_a_nudge_that_puts_a_line_before_the_start_is_refused_with_a_sentence(empty, monkeypatch):
    """30-fps clip, first movement at 0.800 s, the 5-yd line crossed at 1.750 s: 30 frames earlier
    would be 0.750 s, before the start (a split of -0.05 s, ranked first). Refused, nothing changed."""
    at = _analysed(monkeypatch, timed_result("yd", {5.0: 0.95, 10.0: 1.62}, fps=30.0))
    _nudge(at, "line:5", -30)
    assert [e.value for e in at.error] == [
        "The 5 yd line cannot be moved to 0.750 s: it must be crossed after first movement (0.800 s)."]
    assert _splits(at)["Split (s)"].tolist()[1] == "0.95"  # unchanged
    _nudge(at, "start", 30)
    assert [e.value for e in at.error] == [
        "First movement cannot be moved to 1.800 s: it must come before the 5 yd line (crossed at 1.750 s)."]
    _nudge(at, "line:5", -3)  # a nudge that keeps the order is applied
    assert not at.error and _splits(at)["Split (s)"].tolist()[1] == f"{0.95 - 3 / 30:.2f}"


def test_a_line_typed_to_seven_digits_is_timed_labelled_and_nudged_on_the_page(empty, monkeypatch):
    """A 10-m line typed in yards (10.93613 yd): its split is in the table, under the name the other
    pages give it ("10 m", the page in metres), and nudging it works (it raised TypeError)."""
    at = _analysed(monkeypatch, timed_result("yd", {5.0: 1.05, 10.93613: 1.85}), units="m")
    table = _splits(at)
    assert table["Line"].tolist() == ["0 m", "4.57 m (5 yd)", "10 m"]
    assert table["Split (s)"].tolist() == ["—", "1.05", "1.85"]
    assert next(s for s in at.selectbox if s.label == "Event").options == [
        "First movement", "0 m line", "4.57 m (5 yd) line", "10 m line"]
    _nudge(at, "line:10.93613", 3, units="m")
    assert not at.error
    table = _splits(at)
    assert table["Split (s)"].tolist()[2] == f"{1.85 + 3 / 60:.2f}" and table["Note"].tolist()[2] == "corrected by coach"
    assert any("10 m line: +3 frames → 2.700 s" in c.value for c in at.caption)


def test_a_calibration_file_that_is_not_text_gets_one_clear_sentence(filled, tmp_path):
    bad = tmp_path / "x.json"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\xff\x00")  # a picture picked instead
    at = _upload(_run(), METRES, bad)
    assert [e.value for e in at.error] == [
        "'x.json' is not a calibration file dash40 can read: it must be the JSON text a .calib.json holds."]


def test_an_unexpected_failure_reading_the_upload_is_logged_and_one_sentence(empty, monkeypatch, caplog):
    import dash40.video

    def boom(*_args, **_kw):
        raise RuntimeError("decoder exploded")

    monkeypatch.setattr(dash40.video, "first_frame", boom)
    at = _upload(_run(), METRES)
    assert [e.value for e in at.error] == [
        f"Something unexpected went wrong while reading {METRES.name!r} (RuntimeError)."]
    logged = [r for r in caplog.records if r.name == "dash40.ui" and r.exc_info]
    assert len(logged) == 1 and "decoder exploded" in str(logged[0].exc_info[1])


def test_the_session_page_ranks_by_a_split_every_run_from_a_start_has(empty):
    """Ana and Ben ran 10/20/40 yd, Cy 10/20 yd, Fay a flying 10-15 yd: ranked by 20 yd (all three
    runs from a start have it), Cy first with 2.90 s; the flying rep did not make it 40 yd, where Cy
    has no time."""
    st = open_store(None, empty)
    ids = {n: st.add_athlete(n) for n in ("Ana", "Ben", "Cy", "Fay")}
    s = st.add_session(date(2026, 11, 10))
    st.save_run(ids["Ana"], s, SAMPLE, {}, timed_result("yd", {10.0: 1.72, 20.0: 2.95, 40.0: 4.61}))
    st.save_run(ids["Ben"], s, SAMPLE, {}, timed_result("yd", {10.0: 1.80, 20.0: 3.01, 40.0: 4.75}))
    st.save_run(ids["Cy"], s, SAMPLE, {}, timed_result("yd", {10.0: 1.70, 20.0: 2.90}))
    st.save_run(ids["Fay"], s, SAMPLE, {}, flying_result("yd", {10.0: 0.50, 15.0: 0.95}))
    at = _run("views/session.py")
    assert _radio(at, "Rank by").value == pytest.approx(20 * 0.9144)
    assert _radio(at, "Rank by").options == ["10 yd", "20 yd", "40 yd"]
    board = at.dataframe[0].value
    assert board["Athlete"].tolist() == ["Cy", "Ana", "Ben"] and board["Rank"].tolist() == [1, 2, 3]


def test_an_analysis_cut_short_by_another_event_on_the_page_carries_on(empty, monkeypatch):
    """Any event reaching the page while the clip is read makes Streamlit stop the page's work and
    run it again. The click on Analyze was lost then, without a word (the page came back at an idle
    button: seen in a browser test). The click now stays asked for until its analysis ends."""
    import streamlit as st

    import dash40.analysis
    import dash40.overlay

    calls = []

    def cut_short_once(*_a, **_kw):
        calls.append(1)
        if len(calls) == 1:
            st.rerun()  # what another event does to a page at work
        return sample_result()

    monkeypatch.setattr(dash40.analysis, "analyze", cut_short_once)
    monkeypatch.setattr(dash40.overlay, "event_thumbnails", lambda *_a, **_kw: [])
    at = _upload(_run(), START10, START10.with_suffix(".calib.json"))
    _button(at, "Analyze").click().run()
    assert not at.exception, at.exception
    assert len(calls) == 2
    assert any("Line" in d.value.columns for d in at.dataframe)  # the splits are shown
    at.run()  # and a later run of the page does not analyse again
    assert len(calls) == 2
