"""The attention auction: offers bid to be read (docs/theory.md §5, The attention auction).

A context declares its ``attention`` (how many of its offers its inspector reads; None:
unlimited) and its ``reading_cost`` (the minimum bid). An offer's ``bid`` is reserved from its
seller's cash when it is posted, on a ledger account of its own (``bid:<offer id>``), so it
cannot bounce. The inspector reads the highest bids first, the earliest posted first among
equal bids, never more offers than the attention, never one below the reading cost
(``to_read``); a read offer's bid is paid to the buyer's cash, once (``pay``); an unread one's
returns to its seller when it is withdrawn or its context closes (``release``). Without bids
(attention unlimited, reading cost 0) every active offer is read, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from volition.bazaar.domain.checks import check_cents
from volition.bazaar.domain.contexts import DecisionContext
from volition.bazaar.domain.ids import new_id
from volition.bazaar.domain.ledger import (
    Account,
    AccountKind,
    EntryKind,
    JournalEntry,
    bid_hold,
    cash,
    transfer,
)
from volition.bazaar.domain.offers import InfoOffer, OfferStatus
from volition.bazaar.domain.store import UnitOfWork
from volition.bazaar.errors import InsufficientFunds
from volition.errors import InputError, PriceError

__all__ = [
    "MAX_ATTENTION",
    "audit_bids",
    "check_attention",
    "check_bid",
    "check_reading_cost",
    "pay",
    "release",
    "release_unread",
    "reserve",
    "to_read",
]

MAX_ATTENTION = 1_000
"""The largest attention a context may declare (beyond it, say unlimited: None)."""


def check_attention(attention: object) -> int | None:
    """``attention`` as a number of offers in [1, MAX_ATTENTION], or None (unlimited)."""
    if attention is None:
        return None
    if isinstance(attention, bool) or not isinstance(attention, int):
        raise InputError(f"the attention must be a whole number of offers, not {attention!r}")
    if not 1 <= attention <= MAX_ATTENTION:
        raise InputError(
            f"the attention must be between 1 and {MAX_ATTENTION} offers, not {attention}; "
            "leave it out for unlimited attention"
        )
    return attention


def check_reading_cost(cents: object, max_cents: int) -> int:
    """``cents`` as a reading cost in [0, max_cents]."""
    value = check_cents(cents, "the reading cost")
    if not 0 <= value <= max_cents:
        raise InputError(f"the reading cost must be between 0 and {max_cents} cents, not {value}")
    return value


def check_bid(cents: object, max_cents: int, context: DecisionContext) -> int:
    """``cents`` as a bid in [context's reading cost, max_cents]; else a ``PriceError``."""
    if isinstance(cents, bool) or not isinstance(cents, int) or cents < 0:
        raise PriceError(f"a bid must be a whole number of cents >= 0, not {cents!r}")
    if cents > max_cents:
        raise PriceError(f"a bid cannot exceed {max_cents} cents, not {cents}")
    if cents < context.reading_cost:
        raise PriceError(
            f"context {context.id} reads only offers bidding at least its reading cost of "
            f"{context.reading_cost} cents; bid {context.reading_cost} or more, not {cents}"
        )
    return cents


def _read_order(offer: InfoOffer) -> tuple[int, datetime, str]:
    return (-offer.bid, offer.created_at, offer.id)


def to_read(offers: Iterable[InfoOffer], context: DecisionContext) -> list[InfoOffer]:
    """The unread offers of ``context`` its inspector reads now, in reading order.

    Active offers bidding at least the reading cost, highest bid first (earliest posted, then
    smallest id, among equal bids), as many as the attention leaves room for once the offers
    already read are counted. The one selection rule: the engine reads these and the domain
    refuses to mark any other offer inspected.
    """
    active = [o for o in offers if o.status is OfferStatus.ACTIVE]
    room = None
    if context.attention is not None:
        room = max(0, context.attention - sum(1 for o in active if o.inspected))
    eligible = [o for o in active if not o.inspected and o.bid >= context.reading_cost]
    return sorted(eligible, key=_read_order)[:room]


def reserve(uow: UnitOfWork, offer: InfoOffer, now: datetime) -> None:
    """Hold ``offer``'s bid from its seller's cash; ``InsufficientFunds`` if it is not there."""
    if offer.bid <= 0:
        return
    available = uow.ledger.balance(cash(offer.seller_id))
    if offer.bid > available:
        raise InsufficientFunds(
            f"a bid of {offer.bid} cents is more than your available cash ({available} cents); "
            "lower the bid or move earnings to cash"
        )
    uow.ledger.record(
        transfer(
            new_id("ent"),
            EntryKind.BID_RESERVE,
            cash(offer.seller_id),
            bid_hold(offer.id),
            offer.bid,
            now,
            f"bid of {offer.id}",
        )
    )


def pay(uow: UnitOfWork, offer: InfoOffer, context: DecisionContext, now: datetime) -> int:
    """Pay what ``offer``'s bid still holds to the buyer of ``context`` (it has been read);
    return the cents paid: 0 when it is paid already, so a repeated read pays nothing more.

    The memo names nothing: the buyer of a forgotten follow-up sees only an amount. An offer
    that bids nothing never held a bid: nothing is read."""
    if offer.bid <= 0:
        return 0
    memo = "a bid paid for reading an offer"
    return _empty_hold(uow, offer, EntryKind.BID_PAYMENT, cash(context.buyer_id), memo, now)


def release(uow: UnitOfWork, offer: InfoOffer, now: datetime, why: str) -> int:
    """Return what ``offer``'s bid still holds to its seller; return the cents returned."""
    memo = f"bid of {offer.id} {why}"[:200]
    return _empty_hold(uow, offer, EntryKind.BID_RELEASE, cash(offer.seller_id), memo, now)


def _empty_hold(
    uow: UnitOfWork, offer: InfoOffer, kind: EntryKind, to: Account, memo: str, now: datetime
) -> int:
    """Move all that ``offer``'s bid hold still has to ``to``; return the cents moved."""
    held = uow.ledger.balance(bid_hold(offer.id))
    if held <= 0:
        return 0
    uow.ledger.record(transfer(new_id("ent"), kind, bid_hold(offer.id), to, held, now, memo))
    return held


def release_unread(uow: UnitOfWork, offers: Sequence[InfoOffer], now: datetime, why: str) -> None:
    """Return the bids of the unread ``offers`` of a closing context to their sellers."""
    for offer in offers:
        if offer.bid > 0 and not offer.inspected:
            release(uow, offer, now, why)


def audit_bids(uow: UnitOfWork, entries: Sequence[JournalEntry]) -> list[str]:
    """What is wrong with the bids in the books (``audit``): each bid is held once from its
    seller's cash when posted, then paid to its context's buyer once if the offer was read, or
    returned to its seller once; what a bid account still holds is exactly the bid of an
    active, unread offer of an active context."""
    problems: list[str] = []
    moves: dict[str, list[JournalEntry]] = {}
    for e in entries:
        for p in e.postings:
            if p.account.kind is AccountKind.BID:
                moves.setdefault(p.account.owner, []).append(e)
    offers: dict[str, tuple[InfoOffer, DecisionContext]] = {}
    for context in uow.contexts.find(limit=10**9):
        offers.update((o.id, (o, context)) for o in uow.offers.for_context(context.id))
    problems += [f"bid:{i} belongs to no offer" for i in sorted(set(moves) - set(offers))]
    for offer_id, (offer, context) in offers.items():
        found = moves.get(offer_id, [])
        if offer.bid == 0:
            problems += [f"offer {offer_id} bids nothing; entry {e.id} moves a bid" for e in found]
            continue
        account = bid_hold(offer_id)
        reserved = [e for e in found if e.kind is EntryKind.BID_RESERVE]
        if len(reserved) != 1 or reserved[0].amount_for([cash(offer.seller_id)]) != -offer.bid:
            problems.append(f"the bid of offer {offer_id} was not held once from its seller")
        paid = [e for e in found if e.kind is EntryKind.BID_PAYMENT]
        returned = [e for e in found if e.kind is EntryKind.BID_RELEASE]
        if len(paid) + len(returned) > 1:
            problems.append(f"the bid of offer {offer_id} was paid or returned more than once")
        if paid and not offer.inspected:
            problems.append(f"offer {offer_id} was never read but its bid was paid")
        for e in paid:
            if e.amount_for([cash(context.buyer_id)]) != offer.bid:
                problems.append(f"the bid of offer {offer_id} was not paid to its buyer")
        for e in returned:
            if e.amount_for([cash(offer.seller_id)]) != offer.bid:
                problems.append(f"the bid of offer {offer_id} was not returned to its seller")
        if offer.inspected and not paid:
            problems.append(f"offer {offer_id} was read but its bid was not paid")
        held = sum(e.amount_for([account]) for e in found)
        unread = offer.status is OfferStatus.ACTIVE and not offer.inspected
        expected = offer.bid if unread and context.is_active else 0
        if held != expected:
            problems.append(f"{account.key} holds {held}, not {expected}")
    return problems
