"""The lease rule of ``volition.bazaar.domain.leases`` in SQL, for any table with lease columns.

A table that shares work keeps a lease's end in a column (``lease_until``) and, where workers
are named, its holder in another (``lease_owner``). ``LeaseColumns`` gives the conditions and
values that claim, renew and end a lease in one statement, so that the database applies the
same rule as the memory repositories: free when not held or run out, renewed or ended only by
its holder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, or_

__all__ = ["LeaseColumns"]


@dataclass(frozen=True)
class LeaseColumns:
    """The lease columns of ``table``: ``until`` (its end) and ``holder`` (None: unnamed)."""

    table: Table
    until: str = "lease_until"
    holder: str | None = None

    def free(self, now: datetime) -> ColumnElement[bool]:
        """Rows whose lease may be claimed at ``now`` (``leases.is_free``)."""
        until = self.table.c[self.until]
        return or_(until.is_(None), until <= now)

    def run_out(self, now: datetime) -> ColumnElement[bool]:
        """Rows whose lease was held and has run out at ``now`` (``leases.run_out``)."""
        return self.table.c[self.until] <= now  # NULL: never held, not run out

    def held_by(self, worker: str) -> ColumnElement[bool]:
        """Rows whose lease ``worker`` holds (``leases.holds``): only these it renews or ends."""
        assert self.holder is not None, "a lease without a holder column names nobody"
        return self.table.c[self.holder] == worker

    def taken(self, worker: str | None, until: datetime | None) -> dict[str, Any]:
        """The values of a lease claimed or renewed by ``worker`` until ``until``; with
        ``None`` and ``None``, of a lease ended."""
        values: dict[str, Any] = {self.until: until}
        if self.holder is not None:
            values[self.holder] = worker
        return values

    def ended(self) -> dict[str, Any]:
        """The values of a lease nobody holds."""
        return self.taken(None, None)
