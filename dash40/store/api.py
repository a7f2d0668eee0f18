"""The few functions the dashboard calls. Every write is one transaction."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from ..corrections import check_corrections, check_event, crossing_of, same_event
from ..errors import InputError
from ..result import SAME_DISTANCE, AnalysisResult, to_metres
from .models import Athlete, Clip, Correction, Run, Session

MIGRATIONS = Path(__file__).with_name("migrations")


def data_dir() -> Path:
    """The data folder: ``DASH40_DATA_DIR`` or ``./data`` (created when missing)."""
    p = Path(os.environ.get("DASH40_DATA_DIR") or Path.cwd() / "data")
    p.mkdir(parents=True, exist_ok=True)
    return p


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every SQLite test
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest revision (Alembic, from the package's migrations)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_store(url: str | None = None, root: str | os.PathLike | None = None) -> Store:
    """Open (and migrate) the database: ``url``, else ``DASH40_DATABASE_URL``, else SQLite in the data folder."""
    root_dir = Path(root) if root is not None else data_dir()
    root_dir.mkdir(parents=True, exist_ok=True)
    url = url or os.environ.get("DASH40_DATABASE_URL") or f"sqlite:///{root_dir / 'dash40.sqlite'}"
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        _sqlite_pragmas(engine)
    migrate(engine)
    return Store(engine, root_dir)


@dataclass(frozen=True)
class RunRow:
    """What the pages show of a run (plain values, no database session needed)."""

    id: int
    athlete_id: int
    athlete: str
    session_id: int
    session_date: date
    place: str | None
    units: str
    result: AnalysisResult
    calibration: dict
    clip_path: str
    corrections: dict[str, tuple[int, float]]
    split_10yd: float | None
    split_20yd: float | None
    split_40yd: float | None
    mss: float | None
    mac: float | None
    f0_n_kg: float | None
    v0: float | None
    pmax_w_kg: float | None
    # Every measured split, keyed by the line's distance in metres (rounded to 0.1 mm): ``splits`` with
    # the coach's corrections applied (what the pages show and rank), ``auto_splits`` as the analyzer
    # timed them, ``corrected`` the distances a correction changed. The ``split_*yd`` columns above are
    # the automatic values at exactly 10/20/40 yd.
    splits: dict[float, float] = field(default_factory=dict)
    auto_splits: dict[float, float] = field(default_factory=dict)
    corrected: frozenset[float] = frozenset()
    # A flying run (already running at the first frame) has no split from a start: its times are
    # line-to-line intervals from the first line it crossed, keyed ``(from, to)`` in metres. They are
    # kept apart so that a flying 20-40 yd is never read, ranked or charted as a 40-yd dash.
    fly_splits: dict[tuple[float, float], float] = field(default_factory=dict)
    fly_auto_splits: dict[tuple[float, float], float] = field(default_factory=dict)
    fly_corrected: frozenset[tuple[float, float]] = frozenset()

    @property
    def flying(self) -> bool:
        return self.result.flying


class Store:
    def __init__(self, engine: Engine, root: Path):
        self.engine = engine
        self.root = root
        self._Session = sessionmaker(engine, expire_on_commit=False, future=True)

    @contextmanager
    def _tx(self):
        with self._Session() as db, db.begin():
            yield db

    # -- athletes and sessions ------------------------------------------------------------------
    def add_athlete(self, name: str, *, position: str | None = None, body_mass_kg: float | None = None,
                    height_m: float | None = None, notes: str | None = None) -> int:
        name = (name or "").strip()
        if not name:
            raise InputError("An athlete needs a name.")
        if body_mass_kg is not None and not (30.0 <= body_mass_kg <= 250.0):
            raise InputError(f"Body mass must be between 30 and 250 kg, got {body_mass_kg:g}.")
        if height_m is not None and not (1.2 <= height_m <= 2.4):
            raise InputError(f"Height must be between 1.2 and 2.4 m, got {height_m:g}.")
        with self._tx() as db:
            a = Athlete(name=name, position=position or None, body_mass_kg=body_mass_kg, height_m=height_m, notes=notes)
            db.add(a)
            db.flush()
            return a.id

    def athletes(self) -> list[dict[str, Any]]:
        with self._Session() as db:
            rows = db.scalars(select(Athlete).order_by(Athlete.name)).all()
            return [dict(id=a.id, name=a.name, position=a.position, body_mass_kg=a.body_mass_kg,
                         height_m=a.height_m, notes=a.notes) for a in rows]

    def add_session(self, day: date, *, place: str | None = None, surface: str | None = None,
                    temperature_c: float | None = None, pressure_mmhg: float | None = None,
                    wind_m_s: float | None = None, notes: str | None = None) -> int:
        with self._tx() as db:
            s = Session(date=day, place=place or None, surface=surface or None, temperature_c=temperature_c,
                        pressure_mmhg=pressure_mmhg, wind_m_s=wind_m_s, notes=notes)
            db.add(s)
            db.flush()
            return s.id

    def sessions(self) -> list[dict[str, Any]]:
        with self._Session() as db:
            rows = db.scalars(select(Session).order_by(Session.date.desc(), Session.id.desc())).all()
            return [dict(id=s.id, date=s.date, place=s.place, surface=s.surface, temperature_c=s.temperature_c,
                         pressure_mmhg=s.pressure_mmhg, wind_m_s=s.wind_m_s, notes=s.notes) for s in rows]

    # -- clips ------------------------------------------------------------------------------------
    def clip_hash(self, path: str | os.PathLike) -> str:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()

    def known_clip(self, sha256: str) -> dict[str, Any] | None:
        """The stored clip with this content hash, and the runs made from it (None when new)."""
        with self._Session() as db:
            c = db.get(Clip, sha256)
            if c is None:
                return None
            runs = db.scalars(select(Run.id).where(Run.clip_sha256 == sha256)).all()
            return dict(sha256=c.sha256, file_name=c.file_name, stored_path=c.stored_path, runs=list(runs))

    def _clip_dest(self, path: Path, sha: str) -> Path:
        """Where the store keeps a clip: ``<data>/clips/<hash><suffix>``."""
        return self.root / "clips" / f"{sha}{path.suffix.lower() or '.mp4'}"

    def _claim_clip(self, db: DbSession, path: Path, sha: str) -> tuple[Path | None, bool]:
        """Add the clip's row in the caller's transaction unless it is stored already.

        Returns where the clip's file must be put (None when the store has it) and whether this
        transaction added the row (so that the file is its own to remove if the save fails). A row
        whose file is gone (a disk restored without it, a folder cleaned by hand) gets its file
        back, at the usual place. Content-addressed, so two tabs may race to add the same clip:
        the insert does nothing when the other one got there first (it waits for that transaction
        to end, then finds its row).
        """
        dest = self._clip_dest(path, sha)
        values = dict(sha256=sha, file_name=path.name, stored_path=str(dest), size_bytes=path.stat().st_size)
        dialect = db.get_bind().dialect.name
        if dialect in ("sqlite", "postgresql"):
            from sqlalchemy.dialects import postgresql, sqlite

            insert = (sqlite if dialect == "sqlite" else postgresql).insert
            stmt = insert(Clip).values(**values).on_conflict_do_nothing(index_elements=["sha256"])
            if db.execute(stmt.returning(Clip.sha256)).first() is not None:  # (rowcount is -1 with psycopg)
                return dest, True
        elif db.get(Clip, sha) is None:
            from sqlalchemy.exc import IntegrityError

            try:
                with db.begin_nested():
                    db.add(Clip(**values))
                return dest, True
            except IntegrityError:
                pass  # the other tab stored the same clip first
        row = db.get(Clip, sha)
        if Path(row.stored_path).is_file():
            return None, False
        row.stored_path = str(dest)  # its file is lost: put this copy back
        return dest, False

    @staticmethod
    def _part_copy(path: Path, dest: Path) -> Path:
        """A full copy of the clip beside ``dest``, under a name of its own (``….part``), to be moved
        into place with one rename. Nothing is left behind if the copy fails."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
        os.close(fd)
        part = Path(name)
        try:
            shutil.copyfile(path, part)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        return part

    # -- runs -------------------------------------------------------------------------------------
    def save_run(self, athlete_id: int, session_id: int, clip_path: str | os.PathLike, calibration: dict,
                 result: AnalysisResult, notes: str | None = None,
                 corrections: dict[str, tuple[int, float]] | None = None) -> int:
        """Store a finished analysis: the clip (once), the run, its key numbers and the coach's
        corrections (event -> (frames, time)), in one transaction: all or nothing.

        A clip the store does not have yet is copied before the transaction (a big clip does not
        hold the database meanwhile) and renamed into place inside it. Corrections that would put a
        line before the start are refused (InputError, see :func:`dash40.corrections.check_corrections`).
        """
        path = Path(clip_path)
        check_corrections(result, corrections)
        sha = self.clip_hash(path)
        key = _key_numbers(result)
        part: Path | None = None
        placed: Path | None = None  # the clip file this save added (removed again if the save fails)
        known = self.known_clip(sha)
        if known is None or not Path(known["stored_path"]).is_file():
            part = self._part_copy(path, self._clip_dest(path, sha))
        try:
            with self._tx() as db:
                if db.get(Athlete, athlete_id) is None:
                    raise InputError(f"There is no athlete #{athlete_id}.")
                if db.get(Session, session_id) is None:
                    raise InputError(f"There is no session #{session_id}.")
                dest, added = self._claim_clip(db, path, sha)
                run = Run(athlete_id=athlete_id, session_id=session_id, clip_sha256=sha, calibration=calibration,
                          analyzer_version=result.analyzer_version or "", result=result.to_dict(),
                          units=result.units, notes=notes, **key)
                db.add(run)
                db.flush()
                for ev, (frames, t) in (corrections or {}).items():
                    if frames:
                        db.add(Correction(run_id=run.id, event=ev, frames=int(frames), time_s=float(t)))
                db.flush()
                run_id = run.id
                if dest is not None:  # the file last: a run that fails to insert puts nothing in place
                    if part is None:  # (the stored file went missing since the look before the transaction)
                        part = self._part_copy(path, dest)
                    if added:
                        placed = dest
                    part.replace(dest)  # one rename: the database waits for no copy
        except BaseException:
            if placed is not None:  # this transaction added the clip's row, so the file is its own
                placed.unlink(missing_ok=True)
            raise
        finally:
            if part is not None:
                part.unlink(missing_ok=True)
        return run_id

    def correct(self, run_id: int, event: str, frames: int, time_s: float, note: str | None = None) -> None:
        """Keep a coach's correction of one event beside the automatic value (0 frames removes it).

        Refused (InputError, one sentence) when the run has no such event, or when the run's
        corrections would then put a line at or before the start (for a flying run: a later line at
        or before the first line), which would make a split of zero or less."""
        with self._tx() as db:
            r = db.get(Run, run_id)
            if r is None:
                raise InputError(f"There is no run #{run_id}.")
            result = AnalysisResult.from_dict(r.result)
            check_event(result, event)
            before = list(r.corrections)
            after = {c.event: (c.frames, c.time_s) for c in before if not same_event(result, c.event, event)}
            if frames != 0:
                after[event] = (int(frames), float(time_s))
            check_corrections(result, after)
            for c in before:  # this event's earlier correction, whatever form its key was stored in
                if same_event(result, c.event, event):
                    db.delete(c)
            db.flush()
            if frames != 0:
                db.add(Correction(run_id=run_id, event=event, frames=int(frames), time_s=float(time_s), note=note))

    def runs(self, *, athlete_id: int | None = None, session_id: int | None = None) -> list[RunRow]:
        with self._Session() as db:
            q = select(Run).join(Session).order_by(Session.date, Run.id)
            if athlete_id is not None:
                q = q.where(Run.athlete_id == athlete_id)
            if session_id is not None:
                q = q.where(Run.session_id == session_id)
            return [self._row(r) for r in db.scalars(q).all()]

    def run(self, run_id: int) -> RunRow | None:
        with self._Session() as db:
            r = db.get(Run, run_id)
            return None if r is None else self._row(r)

    def count_runs(self) -> int:
        with self._Session() as db:
            return len(db.scalars(select(Run.id)).all())

    @staticmethod
    def _row(r: Run) -> RunRow:
        clip = r.clip_sha256
        stored = ""
        if r.run_clip is not None:
            stored = r.run_clip.stored_path
        result = AnalysisResult.from_dict(r.result)
        corrections = {c.event: (c.frames, c.time_s) for c in r.corrections}
        auto, effective, corrected = run_splits(result, corrections)
        fly_auto, fly_effective, fly_corrected = run_fly_splits(result, corrections)
        return RunRow(
            id=r.id, athlete_id=r.athlete_id, athlete=r.athlete.name, session_id=r.session_id,
            session_date=r.session.date, place=r.session.place, units=r.units,
            result=result, calibration=r.calibration, clip_path=stored or clip,
            corrections=corrections,
            # (a flying run saved before its times were kept apart may have them in these columns)
            **{k: None if result.flying else getattr(r, k) for k in ("split_10yd", "split_20yd", "split_40yd")},
            mss=r.mss, mac=r.mac,
            f0_n_kg=r.f0_n_kg, v0=r.v0, pmax_w_kg=r.pmax_w_kg,
            splits=effective, auto_splits=auto, corrected=corrected,
            fly_splits=fly_effective, fly_auto_splits=fly_auto, fly_corrected=fly_corrected,
        )


def split_key(distance: float, units: str) -> float:
    """A line's distance as the key of :attr:`RunRow.splits`: metres, rounded to 0.1 mm."""
    return round(to_metres(float(distance), units), 4)


def _shifts(result: AnalysisResult, corrections: dict[str, tuple[int, float]]) -> dict[str | float, float]:
    """How far the coach moved each corrected event, in seconds: ``"start"`` and line distances
    (result units) as keys. An event moved by 0 frames, or without an automatic time, is left out."""
    out: dict[str | float, float] = {}
    for ev, (frames, time_s) in corrections.items():
        if not frames:
            continue
        if ev == "start":
            if result.start.time_s is not None:
                out["start"] = time_s - result.start.time_s
            continue
        c = crossing_of(result, ev)
        if c is not None and c.time_s is not None:
            out[c.distance] = time_s - c.time_s
    return out


def run_splits(result: AnalysisResult, corrections: dict[str, tuple[int, float]] | None = None
               ) -> tuple[dict[float, float], dict[float, float], frozenset[float]]:
    """A run's splits from a start as ``{distance in metres: seconds}``: the automatic ones, the
    effective ones (the coach's corrections of first movement and of line crossings applied) and the
    distances a correction changed. A split is only ever one the analyzer measured: nothing is
    interpolated. A flying run has none (its times are intervals: :func:`run_fly_splits`).

    A correction moves its event to the time stored with it, so a split changes by its line's shift
    minus the shift of first movement.
    """
    if result.flying:
        return {}, {}, frozenset()
    auto, effective, corrected = _timed_from_clock(result, corrections or {})
    return ({d: t for (_, d), t in auto.items()}, {d: t for (_, d), t in effective.items()},
            frozenset(d for _, d in corrected))


def run_fly_splits(result: AnalysisResult, corrections: dict[str, tuple[int, float]] | None = None
                   ) -> tuple[dict[tuple[float, float], float], dict[tuple[float, float], float],
                              frozenset[tuple[float, float]]]:
    """A flying run's line-to-line times as ``{(from, to) in metres: seconds}``, from the first line
    it crossed (where its clock starts) to each later line: automatic, effective (the coach's
    corrections of either line applied) and the intervals a correction changed. Empty for a run
    timed from a start."""
    if not result.flying:
        return {}, {}, frozenset()
    return _timed_from_clock(result, corrections or {})


def _timed_from_clock(result: AnalysisResult, corrections: dict[str, tuple[int, float]]
                      ) -> tuple[dict[tuple[float, float], float], dict[tuple[float, float], float],
                                 frozenset[tuple[float, float]]]:
    """Every stored split keyed ``(where the clock started, line)`` in metres (0 for a start)."""
    shifts = _shifts(result, corrections)
    if result.flying:
        first = next((c for c in result.crossings if c.time_s is not None), None)
        if first is None:
            return {}, {}, frozenset()
        origin = split_key(first.distance, result.units)
        base = shifts.get(first.distance)
    else:
        origin, base = 0.0, shifts.get("start")
    auto: dict[tuple[float, float], float] = {}
    effective: dict[tuple[float, float], float] = {}
    corrected: set[tuple[float, float]] = set()
    for s in result.splits:
        key = (origin, split_key(s.distance, result.units))
        auto[key] = s.time_s
        line = next((v for d, v in shifts.items() if d != "start" and abs(d - s.distance) < SAME_DISTANCE), None)
        if line is None and base is None:
            effective[key] = s.time_s
        else:
            effective[key] = s.time_s + (line or 0.0) - (base or 0.0)
            corrected.add(key)
    return auto, effective, frozenset(corrected)


def _key_numbers(r: AnalysisResult) -> dict[str, float | None]:
    """Automatic splits at 10/20/40 yd (from lines at exactly those distances; none for a flying run,
    whose times are not from a start) and the model's numbers, stored as columns; the pages use every
    measured split (:func:`run_splits`, :func:`run_fly_splits`) instead."""
    out: dict[str, float | None] = {"start_s": r.start.time_s}
    for yd in (10, 20, 40):
        val = None
        for s in () if r.flying else r.splits:
            if abs(to_metres(s.distance, r.units) - yd * 0.9144) < 0.01:
                val = s.time_s
        out[f"split_{yd}yd"] = val
    m = r.model or {}
    fv = m.get("fv") or {}
    out.update(mss=m.get("mss"), mac=m.get("mac"), f0_n_kg=fv.get("f0_rel"), v0=fv.get("v0_m_s"),
               pmax_w_kg=fv.get("pmax_rel"))
    return out
