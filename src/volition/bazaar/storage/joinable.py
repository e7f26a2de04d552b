"""Repositories beside the bazaar's tables that can join its unit of work (docs/design.md).

Each call of such a repository runs in a transaction of its own, unless the repository was
made ``within`` a bazaar's unit of work on the same database: then every call joins that
unit's transaction and is committed (or rolled back) with it, so that an inspection step's
decision, purchases and records commit together.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import ClassVar, Self

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from volition.bazaar.errors import Conflict, StorageError

__all__ = ["JoinableRepository"]


class JoinableRepository:
    """A SQL repository whose calls run alone or inside a bazaar's unit of work (``within``).

    ``conflict``: the message of the ``Conflict`` an integrity error becomes."""

    conflict: ClassVar[str] = "the change conflicts with stored data; read it again"

    def __init__(self, engine: Engine, *, conn: Connection | None = None) -> None:
        self.engine = engine
        self._conn = conn  # set: every call joins this connection's transaction

    def within(self, uow: object) -> Self:
        """This repository inside the bazaar's unit of work ``uow`` (a ``SqlStore``'s on the
        same database): its calls read and write in that transaction, committed with it."""
        conn = getattr(uow, "conn", None)
        if not isinstance(conn, Connection) or conn.engine is not self.engine:
            return self
        return type(self)(self.engine, conn=conn)

    @contextmanager
    def _begin(self, *, write: bool = True) -> Iterator[Connection]:
        if self._conn is not None:  # joined: the unit of work translates errors and commits
            yield self._conn
            return
        try:
            with self.engine.connect() as conn:
                mode = "IMMEDIATE" if write else "DEFERRED"
                conn = conn.execution_options(volition_sqlite_begin=mode)
                with conn.begin():
                    yield conn
        except IntegrityError as exc:
            raise Conflict(self.conflict) from exc
        except DBAPIError as exc:
            raise StorageError(f"the database failed: {type(exc.orig).__name__}") from exc
