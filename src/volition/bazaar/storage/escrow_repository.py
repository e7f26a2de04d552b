"""Escrows in SQL: the ``EscrowRepository`` of a ``SqlUnitOfWork`` (migration 0013).

Its calls run in the unit of work's transaction: an escrow is held with the purchase that
pays its price, and settled with the resolution that scores it. ``settle`` changes only a
row still held (``settled_at IS NULL``), so an escrow settles once.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update

from volition.bazaar.domain.escrow_records import Escrow, EscrowTerms, Settlement
from volition.bazaar.errors import Conflict
from volition.bazaar.storage.models_escrow import EscrowRow

__all__ = ["SqlEscrows", "rate_column", "rate_of"]

ESCROWS: Table = EscrowRow.__table__  # type: ignore[assignment]


def rate_column(rate: Fraction) -> str:
    """A rate as stored: the exact fraction ``p/q``."""
    return f"{rate.numerator}/{rate.denominator}"


def rate_of(stored: str) -> Fraction:
    """A stored rate read back exactly."""
    return Fraction(stored)


class SqlEscrows:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, escrow: Escrow) -> None:
        self.conn.execute(
            insert(ESCROWS).values(
                purchase_id=escrow.purchase_id,
                offer_id=escrow.offer_id,
                context_id=escrow.context_id,
                buyer_id=escrow.buyer_id,
                seller_id=escrow.seller_id,
                rate=rate_column(escrow.terms.rate),
                cap=escrow.terms.cap,
                held_at=escrow.held_at,
            )
        )

    def for_context(self, context_id: str) -> list[Escrow]:
        rows = self.conn.execute(
            select(ESCROWS)
            .where(ESCROWS.c.context_id == context_id)
            .order_by(ESCROWS.c.held_at, ESCROWS.c.purchase_id)
        ).all()
        return [_escrow(r._mapping) for r in rows]

    def settle(self, purchase_id: str, settlement: Settlement) -> None:
        changed = self.conn.execute(
            update(ESCROWS)
            .where(ESCROWS.c.purchase_id == purchase_id, ESCROWS.c.settled_at.is_(None))
            .values(
                payment=settlement.payment,
                refund=settlement.refund,
                value=settlement.value,
                settled_at=settlement.at,
            )
        ).rowcount
        if changed != 1:
            raise Conflict(f"escrow {purchase_id} is not held; it settles once")

    def all(self) -> list[Escrow]:
        rows = self.conn.execute(
            select(ESCROWS).order_by(ESCROWS.c.held_at, ESCROWS.c.purchase_id)
        ).all()
        return [_escrow(r._mapping) for r in rows]


def _escrow(v: Any) -> Escrow:
    settlement = None
    if v["settled_at"] is not None:
        settlement = Settlement(v["payment"], v["refund"], v["value"], v["settled_at"])
    return Escrow(
        v["purchase_id"],
        v["offer_id"],
        v["context_id"],
        v["buyer_id"],
        v["seller_id"],
        EscrowTerms(rate_of(v["rate"]), v["cap"]),
        v["held_at"],
        settlement,
    )
