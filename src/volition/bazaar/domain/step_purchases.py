"""All the purchases of an inspection step, checked and paid in one batch (issue 15).

An inspection node that decides to buy buys its chosen offers and closes its context in the
same unit of work. Bought one at a time, each purchase read its idempotency key, its offer
(twice), whether it was bought already and the reservation's balance, then wrote its journal
entry, postings, purchase and key: nine statements a purchase. Here the context's offers,
its purchases, the reservation's balance and the keys are read once, every check of
``Bazaar.buy_inspected`` is made for each offer in the order given, and what they do is
written in one statement per table: three statements for any number of purchases, besides
the close.

The checks are those of a single purchase, in its order: a key used before answers with its
first purchase (and is refused if it was used for another request); the offer must be one of
the context's, not bought yet, not withdrawn, and inspected; the context active and not past
its expiry; the price within what the reservation still holds once the purchases before it
are paid. The first offer refused stops the batch: the offers before it stay bought (as they
would have been one at a time), the refusal is returned, and nothing of it was written.

Each purchase's money moves in one place, ``purchase_entries``, and what it needs of the
reservation in one other, ``purchase_needs``: its price and, for a pay-on-resolution offer,
the cap it holds in escrow until the question resolves (``escrow.escrow_hold``: the hold's
move joins the batch's entries and its record the batch's escrows).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from volition.bazaar.domain import escrow
from volition.bazaar.domain.contexts import DecisionContext
from volition.bazaar.domain.escrow_records import Escrow
from volition.bazaar.domain.ids import new_id
from volition.bazaar.domain.ledger import EntryKind, JournalEntry, earnings, hold, transfer
from volition.bazaar.domain.offers import InfoOffer, OfferStatus
from volition.bazaar.domain.purchases import Mechanism, Purchase
from volition.bazaar.domain.store import IdempotencyRecord, UnitOfWork
from volition.bazaar.errors import Conflict, InsufficientFunds, NotFound
from volition.errors import InputError, VolitionError

__all__ = ["OPERATION", "Batch", "plan_batch", "purchase_entries", "purchase_needs"]

OPERATION = "inspected"
"""The idempotency operation of a purchase by inspection (``Bazaar.buy_inspected``'s): a key
of a step bought one offer at a time is answered here, and the other way round."""


@dataclass(frozen=True, slots=True)
class Batch:
    """The purchases of a step, checked and ready to write (``write``), with what was read.

    ``bought``: the purchases of the offers asked for that are bought once it is written
    (new, or answered by their key), in the order asked; ``purchases``: every purchase of the
    context, the new ones included; ``offers``: the context's offers as read (locked);
    ``left``: what the reservation holds once the new purchases are paid; ``refused``: the
    first refusal, which stopped the batch (None: every offer is bought); ``entries``,
    ``new``, ``keys`` and ``escrows`` (the caps held for pay-on-resolution offers): what
    ``write`` stores."""

    bought: tuple[Purchase, ...]
    purchases: tuple[Purchase, ...]
    offers: tuple[InfoOffer, ...]
    left: int
    refused: VolitionError | None
    entries: tuple[JournalEntry, ...]
    new: tuple[Purchase, ...]
    keys: tuple[IdempotencyRecord, ...]
    escrows: tuple[Escrow, ...] = ()

    def write(self, uow: UnitOfWork, entries: Sequence[JournalEntry] | None = None) -> None:
        """Store the batch: one statement for the journal entries (``entries``, if given: the
        batch's with others of the same unit, the context's close), one for their postings,
        one for the purchases, one for the keys, and one per escrow held (rare)."""
        uow.ledger.record_many(self.entries if entries is None else entries)
        uow.purchases.add_many(self.new)
        uow.idempotency.add_many(self.keys)
        for held in self.escrows:
            uow.escrows.add(held)


def purchase_needs(offer: InfoOffer) -> int:
    """The cents a purchase of ``offer`` takes from its context's reservation: its price
    and the cap it holds in escrow (pay-on-resolution; 0 for a plain offer)."""
    return offer.price + escrow.cap_of(offer)


def purchase_entries(
    offer: InfoOffer, context: DecisionContext, now: datetime
) -> tuple[JournalEntry, ...]:
    """The money a purchase of ``offer`` moves: its price from the context's reservation to
    the seller's earnings (nothing for a free offer). The one place a purchase's money moves
    in a batch: together they take ``purchase_needs`` from the reservation."""
    if offer.price <= 0:
        return ()
    return (
        transfer(
            new_id("ent"),
            EntryKind.PURCHASE,
            hold(context.id),
            earnings(offer.seller_id),
            offer.price,
            now,
            f"purchase of {offer.id}",
        ),
    )


def plan_batch(
    uow: UnitOfWork,
    buyer_id: str,
    context: DecisionContext,
    offer_ids: Sequence[str],
    keys: Sequence[str],
    now: datetime,
    *,
    due: bool,
) -> Batch:
    """Check the purchase of ``offer_ids`` (each with its idempotency key in ``keys``) on
    ``context`` by inspection, for its buyer ``buyer_id`` whose row and the context's the
    caller holds locked; ``due``: the context is past its expiry. Reads in three statements,
    writes nothing: ``Batch.write`` stores it. See the module's docstring for the checks."""
    if len(keys) != len(offer_ids):
        raise InputError("give one idempotency key for each offer to buy")
    for key in keys:
        if not 1 <= len(key) <= 200:
            raise InputError("an idempotency key must be 1 to 200 characters long")
    offers, purchases = uow.offers.with_purchases([context.id], lock=True)
    left = uow.ledger.balance(hold(context.id))
    records = uow.idempotency.get_many(buyer_id, list(keys)) if offer_ids else {}
    by_id = {o.id: o for o in offers}
    bought_by_offer = {p.offer_id: p for p in purchases}
    by_purchase = {p.id: p for p in purchases}
    bought: list[Purchase] = []
    new: list[Purchase] = []
    entries: list[JournalEntry] = []
    remembered: list[IdempotencyRecord] = []
    escrows: list[Escrow] = []
    refused: VolitionError | None = None
    for offer_id, key in zip(offer_ids, keys, strict=True):
        try:
            record = records.get(key)
            if record is not None:  # the first result of this key, as ``_replay`` answers
                bought.append(_replayed(record, key, offer_id, by_purchase))
                continue
            offer = _buyable(by_id.get(offer_id), offer_id, context, bought_by_offer, due=due)
            needs = purchase_needs(offer)
            if needs > left:
                held = f" and holds {escrow.cap_of(offer)} in escrow" if offer.escrow else ""
                raise InsufficientFunds(
                    f"offer {offer.id} costs {offer.price} cents{held} but context "
                    f"{context.id} has only {left} cents of its budget left"
                )
        except VolitionError as exc:  # nothing of this offer was written: the batch stops
            refused = exc
            break
        moves = purchase_entries(offer, context, now)
        left -= needs
        entries.extend(moves)
        purchase = Purchase(
            new_id("pur"),
            offer.id,
            context.id,
            buyer_id,
            offer.seller_id,
            offer.price,
            Mechanism.INSPECTION,
            moves[0].id if moves else None,
            now,
        )
        planned = escrow.escrow_hold(offer, purchase, context, now)
        if planned is not None:  # the cap held beside the price, until resolution
            entries.append(planned[0])
            escrows.append(planned[1])
        bought_by_offer[offer.id] = purchase
        new.append(purchase)
        bought.append(purchase)
        remembered.append(
            IdempotencyRecord(buyer_id, key, OPERATION, _digest(offer.id), purchase.id, now)
        )
    return Batch(
        tuple(bought),
        (*purchases, *new),
        tuple(offers),
        left,
        refused,
        tuple(entries),
        tuple(new),
        tuple(remembered),
        tuple(escrows),
    )


def _replayed(
    record: IdempotencyRecord, key: str, offer_id: str, by_purchase: dict[str, Purchase]
) -> Purchase:
    """The purchase an earlier call with ``key`` made; ``Conflict`` for another request."""
    first = by_purchase.get(record.result_id)
    if record.operation != OPERATION or record.request_hash != _digest(offer_id) or not first:
        raise Conflict(
            f"idempotency key {key!r} was already used for a different request "
            f"(a {record.operation}); use a fresh key for each new request"
        )
    return first


def _buyable(
    offer: InfoOffer | None,
    offer_id: str,
    context: DecisionContext,
    bought: dict[str, Purchase],
    *,
    due: bool,
) -> InfoOffer:
    """``offer`` if it may be bought by inspection now; else the refusal ``buy_inspected``
    gives, in its order."""
    if offer is None:  # not an offer of this context (the batch buys on one context)
        raise NotFound(f"there is no offer {offer_id} on context {context.id}")
    if offer.id in bought:
        raise Conflict(f"offer {offer.id} is already bought; it is paid only once")
    if offer.status is OfferStatus.WITHDRAWN:
        raise Conflict(f"offer {offer.id} was withdrawn by its seller")
    if not offer.inspected:
        raise Conflict(
            f"offer {offer.id} has not been inspected; mark it inspected before buying "
            "it by inspection, or buy it blind"
        )
    if not context.is_active:
        raise Conflict(f"context {context.id} is {context.status.value}; it takes no more")
    if due:
        raise Conflict(f"context {context.id} expired at {context.expires_at}")
    return offer


def _digest(request: str) -> str:
    return hashlib.sha256(request.encode()).hexdigest()
