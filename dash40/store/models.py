"""Tables. Manual corrections live in their own table, beside (never instead of) the automatic
values, which stay in ``run.result`` exactly as the analyzer wrote them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Athlete(Base):
    __tablename__ = "athlete"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(40), nullable=True)
    body_mass_kg: Mapped[float | None] = mapped_column(Float, nullable=True)
    height_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    runs: Mapped[list[Run]] = relationship(back_populates="athlete")


class Session(Base):
    __tablename__ = "session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    date: Mapped[date] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200), nullable=True)
    surface: Mapped[str | None] = mapped_column(String(80), nullable=True)
    temperature_c: Mapped[float | None] = mapped_column(Float, nullable=True)
    pressure_mmhg: Mapped[float | None] = mapped_column(Float, nullable=True)
    wind_m_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    runs: Mapped[list[Run]] = relationship(back_populates="session")


class Clip(Base):
    __tablename__ = "clip"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(300))
    stored_path: Mapped[str] = mapped_column(String(500))
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Run(Base):
    __tablename__ = "run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athlete.id", ondelete="RESTRICT"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="RESTRICT"), index=True)
    clip_sha256: Mapped[str] = mapped_column(ForeignKey("clip.sha256"), index=True)
    calibration: Mapped[dict] = mapped_column(JSON)
    analyzer_version: Mapped[str] = mapped_column(String(40))
    result: Mapped[dict] = mapped_column(JSON)
    units: Mapped[str] = mapped_column(String(4))
    # Key numbers as columns, for ranking and progress (seconds; None when not measured).
    start_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    split_10yd: Mapped[float | None] = mapped_column(Float, nullable=True)
    split_20yd: Mapped[float | None] = mapped_column(Float, nullable=True)
    split_40yd: Mapped[float | None] = mapped_column(Float, nullable=True)
    mss: Mapped[float | None] = mapped_column(Float, nullable=True)
    mac: Mapped[float | None] = mapped_column(Float, nullable=True)
    f0_n_kg: Mapped[float | None] = mapped_column(Float, nullable=True)
    v0: Mapped[float | None] = mapped_column(Float, nullable=True)
    pmax_w_kg: Mapped[float | None] = mapped_column(Float, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    athlete: Mapped[Athlete] = relationship(back_populates="runs")
    session: Mapped[Session] = relationship(back_populates="runs")
    corrections: Mapped[list[Correction]] = relationship(back_populates="run", cascade="all, delete-orphan")
    run_clip: Mapped[Clip] = relationship()


class Correction(Base):
    """A coach's nudge of one event ("start" or "line:10") by whole frames, with the time it gives."""

    __tablename__ = "correction"
    __table_args__ = (UniqueConstraint("run_id", "event", name="uq_correction_run_event"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("run.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    frames: Mapped[int] = mapped_column(Integer)
    time_s: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    run: Mapped[Run] = relationship(back_populates="corrections")
