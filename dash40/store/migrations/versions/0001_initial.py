"""The first schema: athlete, session, clip, run, correction.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "athlete",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("position", sa.String(40)),
        sa.Column("body_mass_kg", sa.Float),
        sa.Column("height_m", sa.Float),
        sa.Column("notes", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "session",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("place", sa.String(200)),
        sa.Column("surface", sa.String(80)),
        sa.Column("temperature_c", sa.Float),
        sa.Column("pressure_mmhg", sa.Float),
        sa.Column("wind_m_s", sa.Float),
        sa.Column("notes", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "clip",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("stored_path", sa.String(500), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "run",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("athlete_id", sa.Integer, sa.ForeignKey("athlete.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("session.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("clip_sha256", sa.String(64), sa.ForeignKey("clip.sha256"), nullable=False),
        sa.Column("calibration", sa.JSON, nullable=False),
        sa.Column("analyzer_version", sa.String(40), nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
        sa.Column("units", sa.String(4), nullable=False),
        sa.Column("start_s", sa.Float),
        sa.Column("split_10yd", sa.Float),
        sa.Column("split_20yd", sa.Float),
        sa.Column("split_40yd", sa.Float),
        sa.Column("mss", sa.Float),
        sa.Column("mac", sa.Float),
        sa.Column("f0_n_kg", sa.Float),
        sa.Column("v0", sa.Float),
        sa.Column("pmax_w_kg", sa.Float),
        sa.Column("notes", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_run_athlete_id", "run", ["athlete_id"])
    op.create_index("ix_run_session_id", "run", ["session_id"])
    op.create_index("ix_run_clip_sha256", "run", ["clip_sha256"])
    op.create_table(
        "correction",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("run.id", ondelete="CASCADE"), nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("frames", sa.Integer, nullable=False),
        sa.Column("time_s", sa.Float, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("run_id", "event", name="uq_correction_run_event"),
    )
    op.create_index("ix_correction_run_id", "correction", ["run_id"])


def downgrade() -> None:
    op.drop_table("correction")
    op.drop_table("run")
    op.drop_table("clip")
    op.drop_table("session")
    op.drop_table("athlete")
