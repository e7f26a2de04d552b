"""The two small domain additions the engine needs: ``buy_inspected`` and named child sellers."""

from __future__ import annotations

import pytest

from tests.support.inspection import FUNDS, World
from volition.bazaar.domain import ContextSpec, Mechanism, audit
from volition.bazaar.errors import Conflict, InsufficientFunds, NotFound


def _offer(world: World, price: int) -> tuple[str, str, str]:
    seller = world.seller()
    context = world.post("Will it rain?", 1_000)
    offer = world.bazaar.post_offer(
        seller.id, context.id, preview="forecast", private_info="yes", price=price
    )
    return seller.id, context.id, offer.id


def test_buy_inspected_needs_an_inspected_offer_and_pays_once(world: World) -> None:
    seller_id, _, offer_id = _offer(world, 300)
    with pytest.raises(Conflict, match="has not been inspected"):
        world.bazaar.buy_inspected(world.buyer.id, offer_id)
    world.bazaar.mark_inspected(world.buyer.id, offer_id)
    first = world.bazaar.buy_inspected(world.buyer.id, offer_id, idempotency_key="k1")
    again = world.bazaar.buy_inspected(world.buyer.id, offer_id, idempotency_key="k1")
    assert first == again and first.mechanism is Mechanism.INSPECTION
    with pytest.raises(Conflict, match="already bought"):
        world.bazaar.buy_inspected(world.buyer.id, offer_id)
    with pytest.raises(Conflict, match="already used for a different request"):
        world.bazaar.buy_blind(world.buyer.id, offer_id, idempotency_key="k1")
    assert world.bazaar.balances(seller_id).earnings == 300
    assert world.bazaar.offer(world.buyer.id, offer_id).private_info == "yes"
    assert audit(world.bazaar.store) == []


def test_buy_inspected_never_overspends_the_reservation(world: World) -> None:
    _, _, offer_id = _offer(world, 1_001)
    world.bazaar.mark_inspected(world.buyer.id, offer_id)
    with pytest.raises(InsufficientFunds, match="only 1000 cents of its budget left"):
        world.bazaar.buy_inspected(world.buyer.id, offer_id)
    assert world.bazaar.balances(world.buyer.id).reserved == 1_000
    assert world.money() == FUNDS


def test_buy_blind_is_still_the_naive_market(world: World) -> None:
    _, _, offer_id = _offer(world, 10)
    assert world.bazaar.buy_blind(world.buyer.id, offer_id).mechanism is Mechanism.NAIVE


def test_a_child_context_is_visible_to_the_sellers_it_names_and_no_other(world: World) -> None:
    parent_seller, _, offer_id = _offer(world, 10)
    named = world.seller()
    other = world.seller()
    child = world.bazaar.post_context(
        world.buyer.id,
        ContextSpec(
            "Is the forecast right?",
            100,
            named_sellers=(world.bazaar.user(named.id).name,),
            parent_offer_ids=(offer_id,),
        ),
    )
    assert world.bazaar.context(named.id, child.id).id == child.id
    assert world.bazaar.context(parent_seller, child.id).id == child.id
    world.bazaar.post_offer(named.id, child.id, preview="check", private_info="right", price=1)
    with pytest.raises(NotFound):
        world.bazaar.context(other.id, child.id)
    with pytest.raises(NotFound):
        world.bazaar.post_offer(other.id, child.id, preview="x", private_info="y", price=1)
    with pytest.raises(NotFound):
        world.bazaar.context(None, child.id)
    assert child.id not in {c.id for c in world.bazaar.contexts(named.id)}
