"""Pay-on-resolution rules (``domain.escrow``, docs/theory.md §5): the settlement formula as a
hypothesis property, settlement through a store, the terms' validation, and an audit that
catches escrows settled wrongly or never."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.escrow import FUNDS, HOUR, escrow_world
from volition.bazaar.domain import MemoryStore, audit
from volition.bazaar.domain.escrow import check_terms, payment
from volition.bazaar.domain.escrow_records import EscrowTerms
from volition.bazaar.domain.forecasts import Resolution
from volition.bazaar.domain.ids import new_id
from volition.bazaar.domain.ledger import EntryKind, cash, escrow, transfer
from volition.errors import PriceError

RATES = st.integers(1, 10**6).map(lambda n: Fraction(n, 10**6))
VALUES = st.floats(-30, 30, allow_nan=False, allow_infinity=False)


@given(RATES, st.integers(1, 10**12), VALUES, st.integers(0, 10**12))
def test_a_payment_lies_between_nothing_and_the_cap(
    rate: Fraction, cap: int, value: float, stake: int
) -> None:
    paid = payment(EscrowTerms(rate, cap), value, stake)
    assert 0 <= paid <= cap
    assert paid + (cap - paid) == cap
    owed = rate * stake * Fraction(value)
    if 0 <= owed <= cap:
        assert paid == math.floor(owed)  # floor, exactly
    assert (paid == 0) if value <= 0 else (paid == min(cap, math.floor(owed)))


@settings(max_examples=30, deadline=None)
@given(RATES, st.integers(1, 500), st.floats(0.001, 0.999), st.sampled_from(["rain", "dry"]))
def test_a_resolution_pays_the_share_and_refunds_the_rest(
    rate: Fraction, cap: int, after: float, outcome: str
) -> None:
    world = escrow_world(MemoryStore())
    cid = world.question(budget=1_000, max_escrow=500)
    offer = world.offer(cid, 10, rate, cap)
    world.bazaar.buy_blind(world.alice.id, offer.id)
    world.step(cid, "node", (after, 1 - after), offer.id)
    assert audit(world.bazaar.store) == []
    world.clock.advance(HOUR)
    world.forecasts.resolve(world.root.id, cid, outcome)
    p = after if outcome == "rain" else 1 - after
    value = math.log(max(p, 1e-6)) - math.log(0.5)
    expected = math.floor(min(cap, max(0, rate * 500 * Fraction(value))))
    assert world.bazaar.balances(world.carol).earnings == 10 + expected
    assert world.bazaar.balances(world.alice).cash == FUNDS - 10 - expected
    with world.bazaar.store.begin(write=False) as uow:
        (held,) = uow.escrows.for_context(cid)
        assert uow.ledger.balance(escrow(held.purchase_id)) == 0
    assert held.settlement is not None
    assert (held.settlement.payment, held.settlement.refund) == (expected, cap - expected)
    assert audit(world.bazaar.store) == []


@pytest.mark.parametrize(
    ("rate", "cap", "word"),
    [
        (0, 1, "rate"),
        (Fraction(3, 2), 1, "rate"),
        (Fraction(1, 3), 1, "decimal places"),
        ("1e-7", 1, "decimal places"),
        ("1e-999999999", 1, "rate"),
        ("2e999999999", 1, "rate"),
        ("-0.5", 1, "rate"),
        ("nan", 1, "rate"),
        ("inf", 1, "rate"),
        ("half", 1, "rate"),
        (True, 1, "rate"),
        (None, 1, "rate"),
        ("0.5", 0, "cap"),
        ("0.5", 101, "cap"),
        ("0.5", 2.0, "cap"),
        ("0.5", False, "cap"),
    ],
)
def test_bad_terms_say_what_is_wrong(rate: object, cap: object, word: str) -> None:
    with pytest.raises(PriceError, match=word):
        check_terms(rate, cap, 100)


def test_good_terms_are_kept_exactly() -> None:
    assert check_terms(0.1, 5, 100) == EscrowTerms(Fraction(1, 10), 5)
    assert check_terms("0.000001", 100, 100).rate == Fraction(1, 10**6)
    assert check_terms(1, 1, 100).rate == 1


def test_the_audit_catches_an_escrow_paid_twice_or_left_open() -> None:
    world = escrow_world(MemoryStore())
    cid = world.question(budget=1_000, max_escrow=500)
    offer = world.offer(cid, 0, Fraction(1), 100)
    purchase = world.bazaar.buy_blind(world.alice.id, offer.id)
    store = world.bazaar.store
    with store.begin() as uow:  # money leaves an open escrow: the audit sees it
        uow.ledger.record(
            transfer(
                new_id("ent"),
                EntryKind.ESCROW_REFUND,
                escrow(purchase.id),
                cash(world.alice.id),
                40,
                world.clock(),
            )
        )
    assert any("open escrow" in p for p in audit(store))

    other = escrow_world(MemoryStore())
    cid = other.question(budget=1_000, max_escrow=500)
    bought = other.bazaar.buy_blind(other.alice.id, other.offer(cid, 0, Fraction(1), 100).id)
    other.clock.advance(HOUR)
    question = other.forecasts.repository.get(cid)
    assert question is not None
    resolution = Resolution("rain", False, other.root.id, other.clock())
    assert other.forecasts.repository.resolve(cid, resolution, [], 0)  # no settlement
    problems = audit(other.bazaar.store)
    assert problems == [f"escrow {bought.id} is still held though its question resolved"]


def test_a_refused_purchase_holds_nothing() -> None:
    world = escrow_world(MemoryStore())
    cid = world.question(budget=100, max_escrow=500)
    offer = world.offer(cid, 60, Fraction(1, 2), 41)
    before = world.bazaar.balances(world.alice)
    with pytest.raises(Exception, match="holds 41 in escrow"):
        world.bazaar.buy_blind(world.alice.id, offer.id)
    assert world.bazaar.balances(world.alice) == before
    with world.bazaar.store.begin(write=False) as uow:
        assert uow.escrows.all() == [] and uow.purchases.all() == []
    assert audit(world.bazaar.store) == []


def test_a_steps_batch_holds_the_cap_as_a_single_purchase_does() -> None:
    """An inspection step buys through ``buy_and_close`` (``step_purchases``): its batch holds
    each pay-on-resolution offer's cap beside the price, refuses one whose price and cap do
    not fit, and an annulment gives the cap back."""
    world = escrow_world(MemoryStore())
    cid = world.question(budget=100, max_escrow=500)
    fits = world.offer(cid, 10, Fraction(1, 2), 40)
    too_much = world.offer(cid, 10, Fraction(1, 2), 41)  # 10 + 40 + 10 + 41 > 100
    world.bazaar.mark_context_inspected(world.alice.id, cid)
    batch, closed = world.bazaar.buy_and_close(
        world.alice.id, cid, [fits.id, too_much.id], idempotency_keys=["k1", "k2"]
    )
    assert closed is not None and [p.offer_id for p in batch.bought] == [fits.id]
    assert batch.refused is not None and "holds 41 in escrow" in str(batch.refused)
    with world.bazaar.store.begin(write=False) as uow:
        (held,) = uow.escrows.for_context(cid)
        assert held.offer_id == fits.id and held.terms.cap == 40
        assert uow.ledger.balance(escrow(held.purchase_id)) == 40
    assert world.bazaar.balances(world.alice).cash == FUNDS - 10 - 40
    assert audit(world.bazaar.store) == []
    world.clock.advance(HOUR)
    world.forecasts.resolve(world.root.id, cid, None, annulled=True)
    assert world.bazaar.balances(world.alice).cash == FUNDS - 10
    assert audit(world.bazaar.store) == []
