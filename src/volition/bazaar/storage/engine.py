"""Database URLs and engines: an SQLite file by default, PostgreSQL when configured.

``VOLITION_DATABASE_URL`` (or an explicit URL) selects the database; without it the platform
uses the SQLite file ``volition.db`` in the working directory. SQLite runs in WAL mode with
foreign keys on, and a writing unit of work starts with ``BEGIN IMMEDIATE`` so that writers
queue instead of failing; PostgreSQL uses psycopg 3.
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry

from volition.errors import InputError

__all__ = ["DEFAULT_URL", "ENV_VAR", "LOCK_TIMEOUT_MS", "POOL_SIZE", "database_url", "make_engine"]

ENV_VAR = "VOLITION_DATABASE_URL"
DEFAULT_URL = "sqlite:///volition.db"
# Connections kept open per process: as many as the API's request threads (``ApiSettings``),
# so that a busy server reuses its connections instead of opening and closing overflow ones
# (a new PostgreSQL connection forks a backend: milliseconds of CPU on a small machine).
POOL_SIZE = 20
# The longest a statement waits for a row lock on PostgreSQL before it fails (503, nothing
# changed): every lock of the bazaar is held for milliseconds, and a busy route's work runs on
# its process's event loop (``api.threads``), so a lock held elsewhere (a stuck session, a
# person's psql) must not stop a whole server process for long.
LOCK_TIMEOUT_MS = 10_000


def database_url(url: str | None = None) -> str:
    """The URL to use: ``url``, else ``$VOLITION_DATABASE_URL``, else the SQLite default."""
    chosen = url or os.environ.get(ENV_VAR) or DEFAULT_URL
    try:
        parsed = make_url(chosen)
    except Exception as exc:
        raise InputError(f"database URL is not valid: {exc}") from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite":
        return chosen
    raise InputError(
        f"database {backend!r} is not supported; use sqlite:///PATH or postgresql://..."
    )


def make_engine(
    url: str | None = None, *, pool_size: int = POOL_SIZE, lock_timeout_ms: int = LOCK_TIMEOUT_MS
) -> Engine:
    """An engine for ``url`` (see ``database_url``), set up for safe concurrent writes; on
    PostgreSQL a statement waits at most ``lock_timeout_ms`` for a lock."""
    resolved = database_url(url)
    if resolved.startswith("sqlite"):
        pool: dict[str, Any] = {}
        database = make_url(resolved).database or ":memory:"
        if database != ":memory:" and "mode=memory" not in resolved:
            pool = {"pool_size": pool_size, "max_overflow": pool_size}
        engine = create_engine(
            resolved, connect_args={"check_same_thread": False, "timeout": 30}, **pool
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(
        resolved,
        pool_size=pool_size,
        max_overflow=pool_size,
        connect_args={"options": f"-c lock_timeout={int(lock_timeout_ms)}"},
    )


def _sqlite_on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy's begin event, not the driver, open transactions.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 30000")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get("volition_sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")
