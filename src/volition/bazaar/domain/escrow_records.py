"""Pay-on-resolution records: an offer's escrow terms, a purchase's escrow and its settlement.

The rules (validation, the hold, the settlement, the audit) are ``domain.escrow``'s; this
module only names the records and where they are kept, so that offers and stores can refer to
them without depending on the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Protocol

__all__ = ["Escrow", "EscrowRepository", "EscrowTerms", "Settlement"]


@dataclass(frozen=True, slots=True)
class EscrowTerms:
    """What a seller asks on top of (or instead of) its price: ``rate``, the share of the
    realised marginal value it is paid at resolution, and ``cap``, the most it can be paid
    (cents), held from the buyer's budget at purchase (``escrow.check_terms`` validates)."""

    rate: Fraction
    cap: int


@dataclass(frozen=True, slots=True)
class Settlement:
    """How an escrow settled: ``payment`` cents to the seller, ``refund`` to the buyer.

    ``value``: the realised marginal value (score units) it was paid on; None when the
    question was annulled or the offer's purchase is no step of the forecast's path."""

    payment: int
    refund: int
    value: float | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Escrow:
    """The cap of one pay-on-resolution purchase, held on ledger account ``escrow:<purchase
    id>`` from its context's reservation until the question resolves (``settlement``)."""

    purchase_id: str
    offer_id: str
    context_id: str
    buyer_id: str
    seller_id: str
    terms: EscrowTerms
    held_at: datetime
    settlement: Settlement | None = None


class EscrowRepository(Protocol):
    """Where escrows are kept: a table of the bazaar's unit of work (SQL or memory)."""

    def add(self, escrow: Escrow) -> None: ...

    def for_context(self, context_id: str) -> list[Escrow]:
        """The escrows of a context's purchases, oldest first."""
        ...

    def settle(self, purchase_id: str, settlement: Settlement) -> None: ...

    def all(self) -> list[Escrow]: ...
