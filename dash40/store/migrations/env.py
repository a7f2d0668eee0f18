"""Alembic environment: the engine comes from the caller (``dash40.store.api.migrate``)."""

from alembic import context

from dash40.store.models import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - dash40 always passes its connection
    raise RuntimeError("dash40 migrations run through dash40.store.open_store().")
context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
