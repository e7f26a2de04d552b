"""Alembic environment: run on the connection ``volition.bazaar.storage.migrate`` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from volition.bazaar.storage.models import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run the bazaar migrations through volition.bazaar.storage.migrate")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
