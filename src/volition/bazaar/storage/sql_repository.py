"""The base of the SQL repositories of one unit of work (``SqlStore.begin``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import Connection

from volition.bazaar.storage.rows import RowMap

__all__ = ["SqlRepository"]

R = TypeVar("R")


class SqlRepository:
    """A repository on the connection of one transaction, reading rows into records."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # Rows this transaction holds locked (read with ``lock=True``), as last read or
        # written here: nobody else can change them before it ends, so reading them again
        # in the same unit of work (several operations joined in one: issue 15) needs no
        # statement.
        self._locked: dict[Any, Any] = {}

    def _record(
        self, rows: RowMap[R], stmt: Any, params: Mapping[str, Any] | None = None
    ) -> R | None:
        """The record of the first row ``stmt`` finds, if any."""
        row = self.conn.execute(stmt, params).first()
        return None if row is None else rows.record_of(row)

    def _records(
        self, rows: RowMap[R], stmt: Any, params: Mapping[str, Any] | None = None
    ) -> list[R]:
        """The records of every row ``stmt`` finds, in its order."""
        return rows.records(self.conn.execute(stmt, params))

    def _held(self, key: Any, rows: RowMap[R], stmt: Any, locked: Any, lock: bool) -> R | None:
        """The record ``key`` (``stmt``/``locked`` read it, with ``:id``), read once per
        transaction when locked: later reads get it as this transaction last had it."""
        if (held := self._locked.get(key)) is not None:
            return held  # type: ignore[no-any-return]
        record = self._record(rows, locked if lock else stmt, {"id": key})
        if lock and record is not None:
            self._locked[key] = record
        return record

    def holds(self, key: Any) -> bool:
        """Whether this transaction holds the row ``key`` locked (read with ``lock=True``)."""
        return key in self._locked

    def hold(self, key: Any, record: R) -> R:
        """Keep ``record`` (row ``key``), which the caller read locked in this transaction."""
        self._locked[key] = record
        return record

    def _keep(self, key: Any, record: Any) -> None:
        """Remember a written record if this transaction holds its row locked."""
        if key in self._locked:
            self._locked[key] = record
