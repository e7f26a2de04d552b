"""Escrows in SQL: the ``EscrowRepository`` of a ``SqlUnitOfWork`` (migration 0013).

Its calls run in the unit of work's transaction: an escrow is held with the purchase that
pays its price, and settled with the resolution that scores it. ``settle`` changes only a
row still held (``settled_at IS NULL``), so an escrow settles once. Rows and records meet
through ``row_maps.ESCROW``.
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, insert, select, update

from volition.bazaar.domain.escrow_records import Escrow, Settlement
from volition.bazaar.errors import Conflict
from volition.bazaar.storage.models_escrow import EscrowRow
from volition.bazaar.storage.row_maps import ESCROW, SETTLEMENT

__all__ = ["SqlEscrows"]

ESCROWS: Table = EscrowRow.__table__  # type: ignore[assignment]
_ORDER = (ESCROWS.c.held_at, ESCROWS.c.purchase_id)


class SqlEscrows:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, escrow: Escrow) -> None:
        self.conn.execute(insert(ESCROWS).values(ESCROW.values(escrow)))

    def for_context(self, context_id: str) -> list[Escrow]:
        rows = self.conn.execute(
            select(ESCROWS).where(ESCROWS.c.context_id == context_id).order_by(*_ORDER)
        ).all()
        return ESCROW.records(rows)

    def settle(self, purchase_id: str, settlement: Settlement) -> None:
        changed = self.conn.execute(
            update(ESCROWS)
            .where(ESCROWS.c.purchase_id == purchase_id, ESCROWS.c.settled_at.is_(None))
            .values(SETTLEMENT.values(settlement))
        ).rowcount
        if changed != 1:
            raise Conflict(f"escrow {purchase_id} is not held; it settles once")

    def all(self) -> list[Escrow]:
        return ESCROW.records(self.conn.execute(select(ESCROWS).order_by(*_ORDER)).all())
