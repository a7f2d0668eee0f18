"""Storage: migrations from empty, clips stored once, runs written atomically, concurrent saves.

Runs against SQLite, and against PostgreSQL too when DASH40_TEST_DATABASE_URL is set."""

import os
import threading
from datetime import date
from pathlib import Path

import pytest
from helpers import SAMPLE, files, sample_result
from sqlalchemy import inspect

from dash40.errors import InputError
from dash40.store import open_store

URLS = ["sqlite"] + (["postgresql"] if os.environ.get("DASH40_TEST_DATABASE_URL") else [])


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
    rid = store.save_run(a, s, SAMPLE, {"units": "yd", "lines": []}, sample_result(), corrections={"line:10": (1, 2.727)})
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
    r1 = store.save_run(a, s, SAMPLE, {}, sample_result())
    r2 = store.save_run(a, s, SAMPLE, {}, sample_result())
    known = store.known_clip(sha)
    assert known["runs"] == [r1, r2]
    assert len(list((store.root / "clips").iterdir())) == 1


def test_failed_save_leaves_nothing(store):
    a = store.add_athlete("A")
    with pytest.raises(InputError, match="no session"):
        store.save_run(a, 999, SAMPLE, {}, sample_result())
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
                store.save_run(a, s, SAMPLE, {}, sample_result())
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
    st.save_run(a, s, SAMPLE, {}, sample_result())
    again = open_store(None, tmp_path)
    assert again.count_runs() == 1


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
            store.save_run(a, s, SAMPLE, {}, sample_result())
    finally:
        event.remove(Run, "before_insert", boom)
    assert store.count_runs() == 0
    assert store.known_clip(store.clip_hash(SAMPLE)) is None
    assert files(store.root / "clips") == []


def test_a_commit_that_fails_removes_the_copied_clip_file(store):
    from sqlalchemy import event

    a = store.add_athlete("A")
    s = store.add_session(date(2026, 11, 24))

    def boom(_session):
        raise RuntimeError("the database went away")

    event.listen(store._Session, "before_commit", boom)
    try:
        with pytest.raises(RuntimeError, match="went away"):
            store.save_run(a, s, SAMPLE, {}, sample_result())
    finally:
        event.remove(store._Session, "before_commit", boom)
    assert store.count_runs() == 0 and store.known_clip(store.clip_hash(SAMPLE)) is None
    assert files(store.root / "clips") == []
    # …and the next save stores it as usual.
    store.save_run(a, s, SAMPLE, {}, sample_result())
    assert len(files(store.root / "clips")) == 1


def test_a_clip_already_stored_is_not_removed_by_a_failed_run(store):
    from sqlalchemy import event

    from dash40.store.models import Run

    a = store.add_athlete("A")
    s = store.add_session(date(2026, 11, 24))
    store.save_run(a, s, SAMPLE, {}, sample_result())
    stored = files(store.root / "clips")

    def boom(*_args):
        raise RuntimeError("no")

    event.listen(Run, "before_insert", boom)
    try:
        with pytest.raises(RuntimeError):
            store.save_run(a, s, SAMPLE, {}, sample_result())
    finally:
        event.remove(Run, "before_insert", boom)
    assert files(store.root / "clips") == stored and all(p.exists() for p in stored)
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


def test_a_stored_clip_whose_file_is_gone_gets_it_back_from_the_next_save(store, tmp_path):
    """The clip's row is there but its file was lost (a disk restored without it): the next save of
    that clip puts the file back, whole, where the row says, and leaves no copy beside it."""
    import shutil

    a = store.add_athlete("A")
    s = store.add_session(date(2026, 11, 24))
    store.save_run(a, s, SAMPLE, {}, sample_result())
    sha = store.clip_hash(SAMPLE)
    stored = Path(store.known_clip(sha)["stored_path"])
    stored.unlink()
    again = tmp_path / "upload" / "rep.mp4"
    again.parent.mkdir()
    shutil.copyfile(SAMPLE, again)
    store.save_run(a, s, again, {}, sample_result())
    known = store.known_clip(sha)
    assert Path(known["stored_path"]) == stored and store.clip_hash(stored) == sha
    assert files(store.root / "clips") == [stored] and known["runs"] == [1, 2]


def test_the_clip_is_copied_before_the_write_transaction(store, monkeypatch):
    """While the clip is copied (seconds for a big clip on a slow disk) another tab can still write:
    the database is not locked for the copy (it was, and the other tab's write failed with "database
    is locked" after 10 s)."""
    import sqlite3

    import dash40.store.api

    if store.engine.dialect.name != "sqlite":
        pytest.skip("the lock is SQLite's")
    a = store.add_athlete("A")
    s = store.add_session(date(2026, 11, 24))
    real = dash40.store.api.shutil.copyfile
    other_tab = []

    def copy_while_another_tab_writes(src, dst, *args, **kw):
        con = sqlite3.connect(store.root / "dash40.sqlite", timeout=0.2)
        try:
            con.execute("BEGIN IMMEDIATE")  # what a write in another tab needs first
            con.execute("ROLLBACK")
            other_tab.append("wrote")
        except sqlite3.OperationalError as exc:
            other_tab.append(str(exc))
        finally:
            con.close()
        return real(src, dst, *args, **kw)

    monkeypatch.setattr(dash40.store.api.shutil, "copyfile", copy_while_another_tab_writes)
    store.save_run(a, s, SAMPLE, {}, sample_result())
    assert other_tab == ["wrote"]
    assert [p.name for p in files(store.root / "clips")] == [f"{store.clip_hash(SAMPLE)}.mp4"]


def test_a_failed_copy_leaves_no_part_file_no_row_and_no_run(store, monkeypatch):
    import dash40.store.api

    a = store.add_athlete("A")
    s = store.add_session(date(2026, 11, 24))

    def disk_full(src, dst, *args, **kw):
        Path(dst).write_bytes(b"half a clip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dash40.store.api.shutil, "copyfile", disk_full)
    with pytest.raises(OSError, match="No space"):
        store.save_run(a, s, SAMPLE, {}, sample_result())
    assert files(store.root / "clips") == [] and store.count_runs() == 0
    assert store.known_clip(store.clip_hash(SAMPLE)) is None


def test_a_correction_that_puts_a_line_before_the_start_is_refused(store):
    from helpers import flying_result, timed_result

    from dash40.dashboard import nudge

    a = store.add_athlete("A")
    s = store.add_session(date(2026, 11, 24))
    rid = store.save_run(a, s, SAMPLE, {}, timed_result("yd", {5.0: 1.02, 10.0: 1.70}))  # start 0.8 s, 60 fps
    r = store.run(rid).result
    with pytest.raises(InputError) as err:
        store.correct(rid, "line:5", -70, nudge(r, "line:5", -70))  # 1.820 s - 70/60 s = 0.653 s
    assert str(err.value) == "The 5 yd line cannot be moved to 0.653 s: it must be crossed after first movement (0.800 s)."
    with pytest.raises(InputError, match=r"^First movement cannot be moved to 1\.833 s: it must come before the "
                                         r"5 yd line \(crossed at 1\.820 s\)\.$"):
        store.correct(rid, "start", 62, nudge(r, "start", 62))
    store.correct(rid, "start", 30, nudge(r, "start", 30))  # 1.300 s: still before every line
    with pytest.raises(InputError, match="5 yd line"):  # the line moved back to 1.250 s: before the moved start
        store.correct(rid, "line:5", -34, nudge(r, "line:5", -34))
    assert store.run(rid).corrections == {"start": (30, pytest.approx(1.3))}  # the refused ones changed nothing
    with pytest.raises(InputError, match="no 15 yd line"):
        store.correct(rid, "line:15", 1, 2.0)
    with pytest.raises(InputError, match="5 yd line"):  # a save with such a correction is refused whole
        store.save_run(a, s, SAMPLE, {}, r, corrections={"line:5": (-70, nudge(r, "line:5", -70))})
    assert store.count_runs() == 1
    # A flying 10-15 yd: the 15-yd line must stay after the 10-yd line, where the flying time starts.
    fid = store.save_run(a, s, SAMPLE, {}, flying_result("yd", {10.0: 0.50, 15.0: 0.95}))
    with pytest.raises(InputError) as err:
        store.correct(fid, "line:15", -30, 0.45)
    assert str(err.value) == ("The 15 yd line cannot be moved to 0.450 s: it must be crossed after the 10 yd "
                              "line, where the flying time starts (0.500 s).")
    assert store.run(fid).fly_splits == {(9.144, 13.716): pytest.approx(0.45)}
