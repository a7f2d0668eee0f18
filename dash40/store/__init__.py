"""Storage: athletes, sessions and runs in a real database (SQLAlchemy 2, Alembic migrations).

Embedded default: a SQLite file ``dash40.sqlite`` in the data folder (``DASH40_DATA_DIR`` or
``./data``), WAL mode, foreign keys on. ``DASH40_DATABASE_URL`` points it at PostgreSQL for a team
sharing one database. Clips are stored once, by content hash, under ``<data>/clips/``.

    store = open_store()                      # migrates to the latest schema
    a = store.add_athlete("Jordan Miles", position="WR", body_mass_kg=88, height_m=1.85)
    s = store.add_session(date(2026, 11, 24), place="Indoor turf")
    run_id = store.save_run(a, s, "rep.mp4", calibration, result)   # one transaction
"""

from .api import Store, data_dir, open_store

__all__ = ["Store", "data_dir", "open_store"]
