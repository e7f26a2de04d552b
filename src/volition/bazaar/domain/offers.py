"""Information offers: a public preview, private info and a price (docs/theory.md §5)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from volition.bazaar.domain.escrow_records import EscrowTerms

__all__ = ["InfoOffer", "OfferStatus", "OfferView"]


class OfferStatus(enum.StrEnum):
    """An offer is active until its seller withdraws it."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class InfoOffer:
    """A seller's offer on one context. Its content never changes once posted.

    ``inspected`` is set once an inspector has read the private info; from then on (or once
    bought) the offer cannot be withdrawn. ``quotable``: whether an inspector in doubt about
    it may quote it to fact-checkers (the sellers asked in a follow-up about it); when False,
    they are shown a notice instead of the follow-up's query (``follow_ups``). ``bid``: the
    cents it pays to be read, held from its seller's cash since posting (``attention``).
    ``escrow``: pay-on-resolution terms, a share of the realised value held in escrow from the
    buyer's budget at purchase up to a cap (``domain.escrow``); None: the price alone.
    """

    id: str
    context_id: str
    seller_id: str
    preview: str
    private_info: str
    price: int
    created_at: datetime
    status: OfferStatus = OfferStatus.ACTIVE
    inspected: bool = False
    quotable: bool = True
    bid: int = 0
    escrow: EscrowTerms | None = None


@dataclass(frozen=True, slots=True)
class OfferView:
    """An offer as one viewer may see it: ``private_info`` is None unless they may read it."""

    id: str
    context_id: str
    seller_id: str
    preview: str
    price: int
    created_at: datetime
    status: OfferStatus
    purchased: bool
    private_info: str | None
    quotable: bool = True
    bid: int = 0
    escrow: EscrowTerms | None = None
