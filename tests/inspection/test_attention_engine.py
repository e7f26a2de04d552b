"""The inspection engine under the attention auction (docs/theory.md §5, The attention auction).

The inspector is shown only the offers the context's attention reads, the highest bids first;
their bids are paid to the buyer once, even when a step is repeated; the others are never
shown to it and their bids return to their sellers when the context closes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.support.inspection import FUNDS, World
from volition.agents import BuyerReply, NodeView, OfflineBuyer
from volition.bazaar.domain import ContextSpec, audit
from volition.bazaar.inspection import InspectionStatus


@dataclass
class Watching:
    """The offline buyer, remembering every offer it was shown (what the inspector read)."""

    seen: list[str] = field(default_factory=list)
    inner: OfflineBuyer = field(default_factory=OfflineBuyer)
    name: str = "offline"

    def decide(self, view: NodeView) -> BuyerReply:
        self.seen.extend(o.id for o in view.offers)
        return self.inner.decide(view)


def test_the_inspector_reads_only_the_highest_bids_and_they_are_paid(any_world: World) -> None:
    world = any_world
    bazaar = world.bazaar
    sellers = [world.seller() for _ in range(5)]
    for s in sellers:
        bazaar.credit(world.operator.id, s.id, 100)
    context = bazaar.post_context(
        world.buyer.id,
        ContextSpec("Will it rain in Paris tomorrow?", 1_000, attention=2, reading_cost=3),
    )
    bids = [3, 50, 7, 50, 20]
    offers = []
    for s, bid in zip(sellers, bids, strict=True):
        world.clock.advance(1)
        offers.append(
            bazaar.post_offer(
                s.id,
                context.id,
                preview=f"Paris rain forecast, bid {bid}",
                private_info="80% chance of rain in Paris tomorrow",
                price=100,
                bid=bid,
            ).id
        )
    money = world.money()
    agent = Watching()
    engine = world.engine(agent, max_depth=0, min_offers=5)
    inspection = engine.start(world.buyer.id, context.id)
    engine.run_until_idle()

    assert engine.inspection(inspection.id).status is InspectionStatus.DONE
    assert set(agent.seen) == {offers[1], offers[3]}  # the two bids of 50, nothing else
    bought = sum(p.price for p, _ in bazaar.purchases(world.buyer.id))
    assert bazaar.balances(world.buyer.id).cash == FUNDS - bought + 100
    for i, s in enumerate(sellers):
        paid = bids[i] if i in (1, 3) else 0
        earned = sum(p.price for p, _ in bazaar.purchases(world.buyer.id) if p.seller_id == s.id)
        assert bazaar.balances(s.id).cash == 100 - paid
        assert bazaar.balances(s.id).earnings == earned
    assert world.money() == money and audit(bazaar.store) == []


def test_without_bids_the_inspector_reads_every_offer(world: World) -> None:
    bazaar = world.bazaar
    context = world.post("Will it rain in Paris tomorrow?", 1_000)
    offers = [
        bazaar.post_offer(
            world.seller().id, context.id, preview=f"forecast {i}", private_info="rain", price=5
        ).id
        for i in range(4)
    ]
    agent = Watching()
    engine = world.engine(agent, max_depth=0, min_offers=4)
    engine.start(world.buyer.id, context.id)
    engine.run_until_idle()
    assert set(agent.seen) == set(offers)
    assert audit(bazaar.store) == []
