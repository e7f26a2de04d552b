"""Purchases: a buyer pays a seller for an offer, exactly once."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

__all__ = ["Mechanism", "Purchase"]


class Mechanism(enum.StrEnum):
    """How the purchase was decided."""

    NAIVE = "naive"  # blind purchase on the preview alone: the naive market
    INSPECTION = "inspection"  # decided by an inspector that read the private info


@dataclass(frozen=True, slots=True)
class Purchase:
    """The record that ``buyer_id`` paid ``price`` to ``seller_id`` for ``offer_id``."""

    id: str
    offer_id: str
    context_id: str
    buyer_id: str
    seller_id: str
    price: int
    mechanism: Mechanism
    entry_id: str | None  # None for a free offer: no money moved
    created_at: datetime
