"""All the purchases of a step and its close as one operation (``Bazaar.buy_and_close``).

On the memory store and SQLite: each offer is checked as ``buy_inspected`` checks it, in the
order given; the first refused stops the batch (the offers before it stay bought, nothing of
it is written) and is returned, not raised; a key used before answers with its first
purchase and pays nothing again; a context closed from outside is not closed twice; an active
follow-up below the context is closed first and its rest counted in what is released. The
money is conserved and the books stay clean in every case.
"""

from __future__ import annotations

from tests.support.inspection import FUNDS, World
from volition.bazaar.domain import ContextSpec, ContextStatus, audit
from volition.bazaar.errors import Conflict, InsufficientFunds


def _context_with_offers(world: World, budget: int, prices: list[int]) -> tuple[str, list[str]]:
    context = world.post("Will it rain?", budget)
    seller = world.seller()
    offers = [
        world.bazaar.post_offer(
            seller.id, context.id, preview=f"note {i}", private_info=f"info {i}", price=price
        ).id
        for i, price in enumerate(prices)
    ]
    world.bazaar.mark_context_inspected(world.buyer.id, context.id)
    return context.id, offers


def _keys(offers: list[str]) -> list[str]:
    return [f"step:buy:{o}" for o in offers]


def test_every_offer_is_bought_once_and_the_rest_released(world: World) -> None:
    context, offers = _context_with_offers(world, 500, [100, 0, 150])
    batch, closed = world.bazaar.buy_and_close(
        world.buyer.id, context, offers, idempotency_keys=_keys(offers)
    )
    assert batch.refused is None and [p.offer_id for p in batch.bought] == offers
    assert closed is not None and closed.status is ContextStatus.DECIDED
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS - 250
    assert world.money() == FUNDS and audit(world.bazaar.store) == []


def test_the_first_refusal_stops_the_batch_and_keeps_what_was_bought_before(
    world: World,
) -> None:
    context, offers = _context_with_offers(world, 300, [100, 250, 50])
    batch, closed = world.bazaar.buy_and_close(
        world.buyer.id, context, offers, idempotency_keys=_keys(offers)
    )
    assert isinstance(batch.refused, InsufficientFunds)
    assert [p.offer_id for p in batch.bought] == offers[:1]  # not the third, after the refusal
    assert closed is not None and closed.status is ContextStatus.DECIDED
    assert [p.offer_id for p, _ in world.bazaar.purchases(world.buyer.id)] == offers[:1]
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS - 100
    assert world.money() == FUNDS and audit(world.bazaar.store) == []


def test_a_key_used_before_answers_with_its_purchase_and_pays_nothing_again(
    world: World,
) -> None:
    context, offers = _context_with_offers(world, 500, [100, 150])
    first = world.bazaar.buy_inspected(world.buyer.id, offers[0], idempotency_key="k0")
    batch, _ = world.bazaar.buy_and_close(
        world.buyer.id, context, offers, idempotency_keys=["k0", "k1"]
    )
    assert batch.refused is None and batch.bought[0] == first
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS - 250
    context2, others = _context_with_offers(world, 500, [10])
    reused, _ = world.bazaar.buy_and_close(  # the same key for another offer: refused
        world.buyer.id, context2, others, idempotency_keys=["k0"]
    )
    assert isinstance(reused.refused, Conflict) and reused.bought == ()
    assert world.money() == FUNDS and audit(world.bazaar.store) == []


def test_a_context_closed_from_outside_is_neither_bought_on_nor_closed_again(
    world: World,
) -> None:
    context, offers = _context_with_offers(world, 500, [100])
    world.bazaar.cancel_context(world.buyer.id, context)
    batch, closed = world.bazaar.buy_and_close(
        world.buyer.id, context, offers, idempotency_keys=_keys(offers)
    )
    assert closed is None and isinstance(batch.refused, Conflict) and batch.bought == ()
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS
    assert world.money() == FUNDS and audit(world.bazaar.store) == []


def test_an_active_follow_up_is_closed_first_and_its_rest_released_with_the_parent(
    world: World,
) -> None:
    context, offers = _context_with_offers(world, 500, [100, 150])
    child = world.bazaar.post_context(
        world.buyer.id, ContextSpec("Is note 0 right?", 200, parent_offer_ids=(offers[0],))
    )
    batch, closed = world.bazaar.buy_and_close(
        world.buyer.id, context, offers[1:], idempotency_keys=_keys(offers[1:])
    )
    assert batch.refused is None and closed is not None
    assert world.bazaar.context(world.buyer.id, child.id).status is ContextStatus.DECIDED
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS - 150
    assert world.money() == FUNDS and audit(world.bazaar.store) == []
