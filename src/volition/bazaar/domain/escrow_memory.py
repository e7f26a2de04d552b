"""Escrows in memory: the ``EscrowRepository`` of a ``MemoryStore``'s unit of work.

Kept in one of the store's undo-logged tables, so that an escrow held by a purchase, or
settled by a resolution, is undone with the unit of work that failed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from volition.bazaar.domain.errors_util import duplicate
from volition.bazaar.domain.escrow_records import Escrow, Settlement
from volition.bazaar.errors import Conflict

__all__ = ["EscrowTable", "MemoryEscrows"]


class EscrowTable(Protocol):
    """The part of the memory store's table that escrows use."""

    rows: dict[str, Escrow]

    def get(self, key: str) -> Escrow | None: ...

    def put(self, key: str, value: Escrow) -> None: ...


class MemoryEscrows:
    """Escrows by purchase id, in a table of the memory store (its lock serialises units)."""

    def __init__(self, table: EscrowTable) -> None:
        self._t = table

    def add(self, escrow: Escrow) -> None:
        if self._t.get(escrow.purchase_id) is not None:
            raise duplicate("escrow", escrow.purchase_id)
        self._t.put(escrow.purchase_id, escrow)

    def for_context(self, context_id: str) -> list[Escrow]:
        found = [e for e in self._t.rows.values() if e.context_id == context_id]
        return sorted(found, key=lambda e: (e.held_at, e.purchase_id))

    def settle(self, purchase_id: str, settlement: Settlement) -> None:
        held = self._t.get(purchase_id)
        if held is None or held.settlement is not None:
            raise Conflict(f"escrow {purchase_id} is not held; it settles once")
        self._t.put(purchase_id, replace(held, settlement=settlement))

    def all(self) -> list[Escrow]:
        return sorted(self._t.rows.values(), key=lambda e: (e.held_at, e.purchase_id))
