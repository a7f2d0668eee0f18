"""Storage: migrations from empty, clips stored once, runs written atomically, concurrent saves.

Runs against SQLite, and against PostgreSQL too when DASH40_TEST_DATABASE_URL is set."""

import os
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import inspect

from dash40.errors import InputError
from dash40.result import AnalysisResult
from dash40.store import open_store

SAMPLE = Path(__file__).resolve().parents[1] / "sample_videos" / "demo_40yd_60fps.mp4"
URLS = ["sqlite"] + (["postgresql"] if os.environ.get("DASH40_TEST_DATABASE_URL") else [])


def _result():
    from dash40.result import Crossing, Split, Start

    return AnalysisResult(
        clip="rep.mp4", fps=60.0, capture_fps=60.0, frames=300, units="yd", reference="torso",
        start=Start(0.8, 0.003, "onset-fit", 48),
        crossings=(Crossing(10.0, 2.71, 0.01, 163), Crossing(20.0, 3.80, 0.01, 228), Crossing(40.0, 5.78, 0.02, 347)),
        splits=(Split(10.0, 1.91), Split(20.0, 3.00), Split(40.0, 4.98)),
        model={"mss": 9.5, "mac": 8.6, "fv": {"f0_rel": 8.7, "v0_m_s": 9.9, "pmax_rel": 21.5}},
        analyzer_version="test",
    )


@pytest.fixture(params=URLS)
def store(request, tmp_path):
    url = None if request.param == "sqlite" else os.environ["DASH40_TEST_DATABASE_URL"]
    if url is not None:  # a shared server: start every test from an empty database
        from sqlalchemy import create_engine, text

        from dash40.store.models import Base

        eng = create_engine(url)
        with eng.begin() as conn:
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        eng.dispose()
    return open_store(url, tmp_path)


def test_migrations_create_every_table(store):
    names = set(inspect(store.engine).get_table_names())
    assert {"athlete", "session", "clip", "run", "correction", "alembic_version"} <= names


def test_run_round_trip_with_key_numbers_and_corrections(store, tmp_path):
    a = store.add_athlete("Jordan Miles", position="WR", body_mass_kg=88, height_m=1.85)
    s = store.add_session(date(2026, 11, 24), place="Indoor turf")
    rid = store.save_run(a, s, SAMPLE, {"units": "yd", "lines": []}, _result(), corrections={"line:10": (1, 2.727)})
    run = store.run(rid)
    assert (run.split_10yd, run.split_20yd, run.split_40yd) == (1.91, 3.00, 4.98)
    assert run.mss == 9.5 and run.f0_n_kg == 8.7
    assert run.result.crossings[0].time_s == 2.71  # the automatic value is kept…
    assert run.corrections == {"line:10": (1, 2.727)}  # …and the correction beside it
    assert Path(run.clip_path).exists()


def test_same_clip_is_stored_once_and_recognised(store):
    a = store.add_athlete("A")
    s = store.add_session(date(2026, 11, 24))
    sha = store.clip_hash(SAMPLE)
    assert store.known_clip(sha) is None
    r1 = store.save_run(a, s, SAMPLE, {}, _result())
    r2 = store.save_run(a, s, SAMPLE, {}, _result())
    known = store.known_clip(sha)
    assert known["runs"] == [r1, r2]
    assert len(list((store.root / "clips").iterdir())) == 1


def test_failed_save_leaves_nothing(store):
    a = store.add_athlete("A")
    with pytest.raises(InputError, match="no session"):
        store.save_run(a, 999, SAMPLE, {}, _result())
    assert store.count_runs() == 0
    assert store.known_clip(store.clip_hash(SAMPLE)) is None


def test_impossible_athlete_numbers(store):
    with pytest.raises(InputError, match="name"):
        store.add_athlete("  ")
    with pytest.raises(InputError, match="Body mass"):
        store.add_athlete("A", body_mass_kg=0.5)
    with pytest.raises(InputError, match="Height"):
        store.add_athlete("A", height_m=3.1)


def test_two_tabs_saving_at_once_both_land(store):
    a = store.add_athlete("A")
    s = store.add_session(date(2026, 11, 24))
    errors = []

    def save():
        try:
            for _ in range(3):
                store.save_run(a, s, SAMPLE, {}, _result())
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=save) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.count_runs() == 6


def test_reopening_an_existing_database_keeps_its_runs(tmp_path):
    st = open_store(None, tmp_path)
    a = st.add_athlete("A")
    s = st.add_session(date(2026, 11, 24))
    st.save_run(a, s, SAMPLE, {}, _result())
    again = open_store(None, tmp_path)
    assert again.count_runs() == 1


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_run_insert_that_fails_leaves_no_clip_row_nor_file(store):
    """The clip is added in the run's own transaction: a failing run insert takes it back too."""
    from sqlalchemy import event

    from dash40.store.models import Run

    a = store.add_athlete("A")
    s = store.add_session(date(2026, 11, 24))

    def boom(*_args):
        raise RuntimeError("the disk is full")

    event.listen(Run, "before_insert", boom)
    try:
        with pytest.raises(RuntimeError, match="disk is full"):
            store.save_run(a, s, SAMPLE, {}, _result())
    finally:
        event.remove(Run, "before_insert", boom)
    assert store.count_runs() == 0
    assert store.known_clip(store.clip_hash(SAMPLE)) is None
    assert _files(store.root / "clips") == []


def test_a_commit_that_fails_removes_the_copied_clip_file(store):
    from sqlalchemy import event

    a = store.add_athlete("A")
    s = store.add_session(date(2026, 11, 24))

    def boom(_session):
        raise RuntimeError("the database went away")

    event.listen(store._Session, "before_commit", boom)
    try:
        with pytest.raises(RuntimeError, match="went away"):
            store.save_run(a, s, SAMPLE, {}, _result())
    finally:
        event.remove(store._Session, "before_commit", boom)
    assert store.count_runs() == 0 and store.known_clip(store.clip_hash(SAMPLE)) is None
    assert _files(store.root / "clips") == []
    # …and the next save stores it as usual.
    store.save_run(a, s, SAMPLE, {}, _result())
    assert len(_files(store.root / "clips")) == 1


def test_a_clip_already_stored_is_not_removed_by_a_failed_run(store):
    from sqlalchemy import event

    from dash40.store.models import Run

    a = store.add_athlete("A")
    s = store.add_session(date(2026, 11, 24))
    store.save_run(a, s, SAMPLE, {}, _result())
    stored = _files(store.root / "clips")

    def boom(*_args):
        raise RuntimeError("no")

    event.listen(Run, "before_insert", boom)
    try:
        with pytest.raises(RuntimeError):
            store.save_run(a, s, SAMPLE, {}, _result())
    finally:
        event.remove(Run, "before_insert", boom)
    assert _files(store.root / "clips") == stored and all(p.exists() for p in stored)
    assert len(store.known_clip(store.clip_hash(SAMPLE))["runs"]) == 1


def test_sqlite_runs_in_wal_mode_with_foreign_keys_enforced(tmp_path):
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    st = open_store(None, tmp_path)
    with st.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with pytest.raises(IntegrityError), st.engine.begin() as conn:  # a run of nobody, in no session
        conn.execute(text("INSERT INTO correction (run_id, event, frames, time_s) VALUES (999, 'start', 1, 0.5)"))


def test_the_migrations_match_the_models(store):
    """Alembic's autogenerate finds nothing to add: the migration builds exactly what the models say."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from dash40.store.models import Base

    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diffs == []
