"""Pay-on-resolution offers: a share of the realised marginal value, held in escrow.

docs/theory.md §5, Pay-on-resolution offers (after §4, the marginal value mechanism): once a
forecast question resolves, the purchase step n that bought an offer has a **realised marginal
value** v = S(x_n, o) - S(x_{n-1}, o) (``forecasts.realised_values``). A seller may ask,
instead of or on top of its price, a share of it: ``EscrowTerms(rate, cap)``.

*(choice)* **From score units to cents.** A question declares its ``max_escrow`` M (cents),
the largest cap it accepts per offer, and M is also its **stake**: the buyer's utility is
U(x) = M · S(x, o) cents, so one unit of score (a nat, under the log rule) is worth M cents to
it and a step's realised marginal value in cents is M · v. With this scale a full-rate offer
is paid exactly what its step was worth to the buyer, and no offer can be owed more than one
unit of score (cap <= M). Under the log rule, moving a fair binary forecast to certainty of
the true outcome is worth M · ln 2.

**Settlement.** At purchase the whole cap moves from the context's reservation to the
account ``escrow:<purchase id>`` (``hold_escrow``: the purchase must fit price + cap in what
the budget has left). When the question resolves, in the resolution's transaction, the
seller is paid ``payment(terms, v, M) = floor(clamp(rate · M · v, 0, cap))`` and the buyer
gets the rest back (``settle``); an annulled question, or a purchase that is no step of the
path (bought blind, outside the forecast), pays nothing and refunds the whole cap. Every
offer bought in one step shares that step's value (each is paid on the whole of it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from volition.bazaar.domain.checks import check_cents
from volition.bazaar.domain.contexts import DecisionContext
from volition.bazaar.domain.escrow_records import Escrow, EscrowTerms, Settlement
from volition.bazaar.domain.forecasts import ForecastQuestion, OfferScore
from volition.bazaar.domain.ids import new_id
from volition.bazaar.domain.ledger import (
    AccountKind,
    EntryKind,
    JournalEntry,
    cash,
    earnings,
    escrow,
    hold,
    transfer,
)
from volition.bazaar.domain.offers import InfoOffer
from volition.bazaar.domain.purchases import Purchase
from volition.bazaar.domain.store import UnitOfWork
from volition.bazaar.errors import InsufficientFunds
from volition.errors import InputError, PriceError

__all__ = [
    "RATE_PLACES",
    "audit_escrows",
    "cap_of",
    "check_accepted",
    "check_max_escrow",
    "check_terms",
    "escrow_hold",
    "hold_escrow",
    "payment",
    "priced",
    "settle",
]

RATE_PLACES = 6
"""A rate has at most this many decimal places (it is kept exactly, as a fraction)."""


def check_terms(rate: object, cap: object, max_cap: int) -> EscrowTerms:
    """``EscrowTerms`` from a rate in (0, 1] (a number or a decimal string, at most
    ``RATE_PLACES`` decimals) and a cap of whole cents in [1, max_cap]; else a ``PriceError``
    saying which is wrong."""
    if isinstance(rate, bool) or not isinstance(rate, int | float | str | Decimal | Fraction):
        raise PriceError(f"the rate must be a number in (0, 1], not {str(rate)[:40]!r}")
    exact = rate if isinstance(rate, Fraction) else _decimal(rate)
    if not 0 < exact <= 1:
        raise PriceError(
            f"the rate is the share of the realised value paid to you: a number in (0, 1], "
            f"not {str(rate)[:40]}"
        )
    if exact.denominator > 10**RATE_PLACES or (10**RATE_PLACES) % exact.denominator:
        raise PriceError(f"the rate has at most {RATE_PLACES} decimal places, not {rate}")
    if isinstance(cap, bool) or not isinstance(cap, int) or not 1 <= cap <= max_cap:
        raise PriceError(
            f"the cap is the most you can be paid at resolution: whole cents from 1 to "
            f"{max_cap}, not {str(cap)[:40]}"
        )
    return EscrowTerms(exact, cap)


def _decimal(rate: int | float | str | Decimal) -> Fraction:
    """``rate`` read as the decimal it is written as, exactly; only in (0, 1] ranges (an
    exponent such as 1e-999999999 is refused before it is expanded)."""
    try:
        number = Decimal(str(rate).strip())
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or not -40 <= number.adjusted() <= 3:
        if number.is_finite() and number.is_zero():
            return Fraction(0)
        raise PriceError(
            f"the rate is the share of the realised value paid to you: a number in (0, 1], "
            f"not {str(rate)[:40]}"
        )
    return Fraction(number)


def check_max_escrow(cents: object, max_cents: int) -> int:
    """A question's ``max_escrow`` (its stake, see the module) in [0, max_cents]; 0 (the
    default) refuses pay-on-resolution offers."""
    value = check_cents(cents, "the max escrow")
    if not 0 <= value <= max_cents:
        raise InputError(f"the max escrow must be between 0 and {max_cents} cents, not {value}")
    return value


def check_accepted(terms: EscrowTerms, context_id: str, question: ForecastQuestion | None) -> None:
    """Refuse ``terms`` on a context that is no forecast question (nothing would ever settle
    them) or whose ``max_escrow`` is below the cap (the buyer did not accept it)."""
    if question is None:
        raise PriceError(
            f"context {context_id} is not a forecast question: pay-on-resolution offers are "
            "settled when a question resolves; post a fixed price only"
        )
    if terms.cap > question.max_escrow:
        raise PriceError(
            f"context {context_id} accepts escrow caps up to {question.max_escrow} cents, not "
            f"{terms.cap}; lower the cap"
            + ("" if question.max_escrow else " (it takes no pay-on-resolution offers)")
        )


def cap_of(offer: InfoOffer) -> int:
    """What buying ``offer`` holds in escrow beside its price: its cap, or 0."""
    return offer.escrow.cap if offer.escrow is not None else 0


def payment(terms: EscrowTerms, value: float, stake: int) -> int:
    """floor(clamp(rate · stake · value, 0, cap)): the cents a seller is paid for a realised
    marginal value ``value`` (score units) on a question whose stake is ``stake`` cents per
    unit of score (see the module). Exact: the float value is read as the fraction it is."""
    if not math.isfinite(value):
        raise InputError(f"a realised value must be finite, not {value}")
    owed = terms.rate * stake * Fraction(value)
    return math.floor(min(Fraction(terms.cap), max(Fraction(0), owed)))


def escrow_hold(
    offer: InfoOffer, purchase: Purchase, context: DecisionContext, now: datetime
) -> tuple[JournalEntry, Escrow] | None:
    """What holding ``offer``'s cap for ``purchase`` writes, if it asks pay-on-resolution:
    the move of the cap from ``context``'s reservation to ``escrow:<purchase id>`` and the
    escrow's record (None for a plain offer). Reads nothing: the caller checked that the
    reservation holds price and cap (``step_purchases.purchase_needs``)."""
    if offer.escrow is None:
        return None
    entry = transfer(
        new_id("ent"),
        EntryKind.ESCROW_HOLD,
        hold(context.id),
        escrow(purchase.id),
        offer.escrow.cap,
        now,
        f"escrow of {offer.id}",
    )
    held = Escrow(
        purchase.id, offer.id, context.id, purchase.buyer_id, offer.seller_id, offer.escrow, now
    )
    return entry, held


def hold_escrow(
    uow: UnitOfWork,
    offer: InfoOffer,
    purchase: Purchase,
    context: DecisionContext,
    now: datetime,
) -> Escrow | None:
    """Hold ``offer``'s cap (if it asks pay-on-resolution) from ``context``'s reservation on
    ``escrow:<purchase id>``, in the purchase's unit of work; ``InsufficientFunds`` if the
    reservation does not hold it. A single purchase (``Bazaar._buy``) calls it after paying
    the price; a step's batch writes ``escrow_hold``'s moves with its own."""
    planned = escrow_hold(offer, purchase, context, now)
    if planned is None:
        return None
    entry, held = planned
    left = uow.ledger.balance(hold(context.id))
    if held.terms.cap > left:
        raise InsufficientFunds(
            f"offer {offer.id} holds a cap of {held.terms.cap} cents in escrow but context "
            f"{context.id} has only {left} cents of its budget left"
        )
    uow.ledger.record(entry)
    uow.escrows.add(held)
    return held


def settle(
    uow: UnitOfWork,
    context_id: str,
    values: Mapping[str, float] | None,
    stake: int,
    now: datetime,
) -> list[Escrow]:
    """Settle every escrow of ``context_id`` still held, in the resolution's unit of work:
    the seller is paid ``payment`` on its offer's realised value (``values``: offer id ->
    value; None: the question is annulled, everything is refunded), the buyer gets the rest.
    Return the escrows settled."""
    done: list[Escrow] = []
    for held in uow.escrows.for_context(context_id):
        if held.settlement is not None:
            continue
        value = None if values is None else values.get(held.offer_id)
        paid = 0 if value is None else payment(held.terms, value, stake)
        account = escrow(held.purchase_id)
        if paid > 0:
            uow.ledger.record(
                transfer(
                    new_id("ent"),
                    EntryKind.ESCROW_PAYMENT,
                    account,
                    earnings(held.seller_id),
                    paid,
                    now,
                    f"escrow of {held.offer_id} paid at resolution",
                )
            )
        if held.terms.cap - paid > 0:
            uow.ledger.record(
                transfer(
                    new_id("ent"),
                    EntryKind.ESCROW_REFUND,
                    account,
                    cash(held.buyer_id),
                    held.terms.cap - paid,
                    now,
                    f"escrow of {held.offer_id} refunded at resolution",
                )
            )
        settlement = Settlement(paid, held.terms.cap - paid, value, now)
        uow.escrows.settle(held.purchase_id, settlement)
        done.append(replace(held, settlement=settlement))
    return done


def priced(scores: Sequence[OfferScore], settled: Sequence[Escrow]) -> list[OfferScore]:
    """``scores`` with each offer's price raised by its escrow payment: what the buyer paid
    for it in all, which a track record's value per dollar divides by."""
    paid = {e.offer_id: e.settlement.payment for e in settled if e.settlement is not None}
    return [replace(s, price=s.price + paid.get(s.offer_id, 0)) for s in scores]


def audit_escrows(
    entries: Sequence[JournalEntry],
    escrows: Sequence[Escrow],
    purchases: Mapping[str, Purchase],
    questions: Mapping[str, ForecastQuestion],
) -> list[str]:
    """What is wrong with the escrows in the books (``audit``): each is held once, its cap,
    from its purchase's context's reservation; it is settled once, exactly when its question
    is resolved, paying its seller ``payment`` of the value it settled on at the question's
    stake (nothing when annulled) and refunding its buyer the rest of the cap; an open escrow
    holds its cap, a settled one nothing. ``questions``: the questions of the escrows."""
    problems: list[str] = []
    moves: dict[str, list[JournalEntry]] = {}
    for e in entries:
        for owner in {p.account.owner for p in e.postings if p.account.kind is AccountKind.ESCROW}:
            moves.setdefault(owner, []).append(e)
    known = {e.purchase_id: e for e in escrows}
    problems += [f"escrow:{i} belongs to no escrow" for i in sorted(set(moves) - set(known))]
    for pid, held in known.items():
        account, found = escrow(pid), moves.get(pid, [])
        cap = held.terms.cap
        bought = purchases.get(pid)
        if bought is None or bought.offer_id != held.offer_id:
            problems.append(f"escrow {pid} belongs to no purchase of offer {held.offer_id}")
        holds = [e for e in found if e.kind is EntryKind.ESCROW_HOLD]
        if len(holds) != 1 or holds[0].amount_for([hold(held.context_id)]) != -cap:
            problems.append(f"escrow {pid} was not held once from its context's reservation")
        paid = [e for e in found if e.kind is EntryKind.ESCROW_PAYMENT]
        refunded = [e for e in found if e.kind is EntryKind.ESCROW_REFUND]
        balance = sum(e.amount_for([account]) for e in found)
        settlement, question = held.settlement, questions.get(held.context_id)
        resolution = None if question is None else question.resolution
        if resolution is not None and settlement is None:
            problems.append(f"escrow {pid} is still held though its question resolved")
        if settlement is None:
            if paid or refunded or balance != cap:
                problems.append(f"open escrow {pid} holds {balance}, not its cap {cap}")
            continue
        if question is None or resolution is None:
            problems.append(f"escrow {pid} settled before its question resolved")
        elif resolution.annulled and (settlement.payment, settlement.value) != (0, None):
            problems.append(f"escrow {pid} paid its seller on an annulled question")
        elif settlement.payment != (
            0
            if settlement.value is None
            else payment(held.terms, settlement.value, question.max_escrow)
        ):
            problems.append(f"escrow {pid} paid {settlement.payment}, not its share of its value")
        if not 0 <= settlement.payment <= cap or settlement.payment + settlement.refund != cap:
            problems.append(f"escrow {pid} settled {settlement} for a cap of {cap}")
        if len(paid) > 1 or len(refunded) > 1 or balance != 0:
            problems.append(f"escrow {pid} was not settled exactly once (it holds {balance})")
        to_seller = sum(e.amount_for([earnings(held.seller_id)]) for e in paid)
        to_buyer = sum(e.amount_for([cash(held.buyer_id)]) for e in refunded)
        if (to_seller, to_buyer) != (settlement.payment, settlement.refund):
            problems.append(f"escrow {pid} moved {to_seller} and {to_buyer}, not {settlement}")
    return problems
