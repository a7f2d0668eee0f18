"""The few functions the dashboard calls. Every write is one transaction."""

from __future__ import annotations

import hashlib
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from ..errors import InputError
from ..result import AnalysisResult, to_metres
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

    def _ensure_clip(self, path: Path, sha: str) -> None:
        """Store the clip's file and row once (content-addressed: two tabs may race to add it)."""
        from sqlalchemy.exc import IntegrityError

        try:
            with self._tx() as db:
                self._store_clip(db, path, sha)
        except IntegrityError:
            pass  # the other tab stored the same clip first

    def _store_clip(self, db: DbSession, path: Path, sha: str) -> Clip:
        clip = db.get(Clip, sha)
        if clip is not None:
            return clip
        clips = self.root / "clips"
        clips.mkdir(parents=True, exist_ok=True)
        dest = clips / f"{sha}{path.suffix.lower() or '.mp4'}"
        if not dest.exists():
            tmp = dest.with_name(f"{dest.name}.{os.getpid()}.{id(db)}.part")
            shutil.copyfile(path, tmp)
            tmp.replace(dest)
        clip = Clip(sha256=sha, file_name=path.name, stored_path=str(dest), size_bytes=dest.stat().st_size)
        db.add(clip)
        return clip

    # -- runs -------------------------------------------------------------------------------------
    def save_run(self, athlete_id: int, session_id: int, clip_path: str | os.PathLike, calibration: dict,
                 result: AnalysisResult, notes: str | None = None,
                 corrections: dict[str, tuple[int, float]] | None = None) -> int:
        """Store a finished analysis: the clip (once), the run, its key numbers and the coach's
        corrections (event -> (frames, time)), in one transaction: all or nothing."""
        path = Path(clip_path)
        sha = self.clip_hash(path)
        key = _key_numbers(result)
        with self._Session() as db:
            if db.get(Athlete, athlete_id) is None:
                raise InputError(f"There is no athlete #{athlete_id}.")
            if db.get(Session, session_id) is None:
                raise InputError(f"There is no session #{session_id}.")
        self._ensure_clip(path, sha)
        with self._tx() as db:
            run = Run(athlete_id=athlete_id, session_id=session_id, clip_sha256=sha, calibration=calibration,
                      analyzer_version=result.analyzer_version or "", result=result.to_dict(), units=result.units,
                      notes=notes, **key)
            db.add(run)
            db.flush()
            for ev, (frames, t) in (corrections or {}).items():
                if frames:
                    db.add(Correction(run_id=run.id, event=ev, frames=int(frames), time_s=float(t)))
            return run.id

    def correct(self, run_id: int, event: str, frames: int, time_s: float, note: str | None = None) -> None:
        """Keep a coach's correction of one event beside the automatic value (0 frames removes it)."""
        with self._tx() as db:
            existing = db.scalars(select(Correction).where(Correction.run_id == run_id, Correction.event == event)).first()
            if existing is not None:
                db.delete(existing)
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
        return RunRow(
            id=r.id, athlete_id=r.athlete_id, athlete=r.athlete.name, session_id=r.session_id,
            session_date=r.session.date, place=r.session.place, units=r.units,
            result=AnalysisResult.from_dict(r.result), calibration=r.calibration, clip_path=stored or clip,
            corrections={c.event: (c.frames, c.time_s) for c in r.corrections},
            split_10yd=r.split_10yd, split_20yd=r.split_20yd, split_40yd=r.split_40yd, mss=r.mss, mac=r.mac,
            f0_n_kg=r.f0_n_kg, v0=r.v0, pmax_w_kg=r.pmax_w_kg,
        )


def _key_numbers(r: AnalysisResult) -> dict[str, float | None]:
    """Splits at 10/20/40 yd (from lines at exactly those distances) and the model's numbers."""
    out: dict[str, float | None] = {"start_s": r.start.time_s}
    for yd in (10, 20, 40):
        val = None
        for s in r.splits:
            if abs(to_metres(s.distance, r.units) - yd * 0.9144) < 0.01:
                val = s.time_s
        out[f"split_{yd}yd"] = val
    m = r.model or {}
    fv = m.get("fv") or {}
    out.update(mss=m.get("mss"), mac=m.get("mac"), f0_n_kg=fv.get("f0_rel"), v0=fv.get("v0_m_s"),
               pmax_w_kg=fv.get("pmax_rel"))
    return out
