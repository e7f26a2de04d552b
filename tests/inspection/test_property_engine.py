"""Properties: whatever a random agent answers, the engine keeps the money and the rules.

Money is conserved and the ledger sums to zero, no context spends beyond its budget, only
offers the agent saw at the node are bought (by inspection, each paid once), follow-ups stay
within depth and breadth, agent calls are bounded, and every inspection ends.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.support.inspection import FUNDS, make_world
from volition.agents import Buy, BuyerReply, Decision, FixedSeller, FollowUp, NodeView, Usage
from volition.bazaar.domain import Mechanism, MemoryStore, audit
from volition.bazaar.inspection import InspectionStatus, NodeState, Verdict

BOGUS = "off_not_an_offer_here"


@dataclass
class RandomBuyer:
    """Answers anything: malformed, illegal or legal decisions, drawn by hypothesis."""

    data: st.DataObject
    name: str = "random"

    def decide(self, view: NodeView) -> BuyerReply:
        draw = self.data.draw
        # ids are random, so draw from offers in an order that does not depend on them
        own = [o.id for o in sorted(view.offers, key=lambda o: o.preview)]
        ids = (
            draw(st.lists(st.sampled_from(own), min_size=1, max_size=3, unique=True)) if own else []
        )
        if draw(st.sampled_from([False, False, True])):  # now and then, an id not of this node
            strays = [o.id for o in sorted(view.ancestor_offers, key=lambda o: o.preview)]
            strays.append(BOGUS)
            ids.append(draw(st.sampled_from(strays)))
        kinds = ["none", "buy", "follow_up", "follow_up", "follow_up"]
        kind = draw(st.sampled_from(kinds if view.can_follow_up else ["none", *kinds[:3]]))
        decision: Decision | None
        if kind == "none":
            decision = None
        elif kind == "buy":
            decision = Buy(tuple(ids))
        else:
            left = view.remaining_budget
            budget = draw(st.one_of(st.integers(1, max(1, left)), st.integers(-5, left + 50)))
            query = draw(st.sampled_from(["Is it true?"] * 4 + ["", "  "]))
            decision = FollowUp(query, budget, tuple(ids))
        return BuyerReply(decision, Usage(prompt_tokens=1), None if decision else "garbled")


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    prices=st.lists(st.integers(0, 300), max_size=4),
    budget=st.integers(0, 1_500),
    max_depth=st.sampled_from([0, 1, 1, 2]),
    max_follow_ups=st.sampled_from([0, 1, 1, 2]),
    max_retries=st.integers(0, 2),
    min_offers=st.integers(0, 3),
)
def test_property_whatever_the_agent_answers_the_engine_keeps_money_and_rules(
    data: st.DataObject,
    prices: list[int],
    budget: int,
    max_depth: int,
    max_follow_ups: int,
    max_retries: int,
    min_offers: int,
) -> None:
    world = make_world(MemoryStore())
    for i, price in enumerate(prices):
        world.bot(FixedSeller(f"preview {i}", f"private {i}", price))
    context = world.post("Will it rain in Paris tomorrow?", budget)
    engine = world.engine(
        RandomBuyer(data),
        max_depth=max_depth,
        max_follow_ups=max_follow_ups,
        max_retries=max_retries,
        min_offers=min_offers,
        gather_timeout_s=60,
    )
    inspection = engine.start(world.buyer.id, context.id)
    for _ in range(2 + 2 * max_depth * max_follow_ups):  # each wait ends by its deadline
        engine.run_until_idle()
        world.clock.advance(60)
        engine.tick()
    engine.run_until_idle()

    assert engine.inspection(inspection.id).status is InspectionStatus.DONE
    assert audit(world.bazaar.store) == []
    assert world.money() == FUNDS
    balances = world.bazaar.balances(world.buyer.id)
    earned = sum(world.bazaar.balances(b.user_id).earnings for b in world.bots)
    assert balances.reserved == 0 and balances.cash + earned == FUNDS

    nodes = engine.nodes(world.buyer.id, inspection.id)
    event(f"nodes: {len(nodes)}")
    event(f"purchases: {min(len(world.bazaar.purchases(world.buyer.id)), 2)}")
    by_context = {n.context_id: n for n in nodes}
    calls = engine.audit_trail(world.operator.id, inspection.id)
    per_node = Counter(c.node_id for c in calls)
    for node in nodes:
        assert node.state is NodeState.DONE
        assert node.depth <= max_depth
        assert node.follow_ups <= max_follow_ups
        assert len(engine.repository.children(node.id)) <= node.follow_ups
        assert per_node[node.id] <= (max_follow_ups + 1) * (max_retries + 1)
    for purchase, _ in world.bazaar.purchases(world.buyer.id):
        assert purchase.mechanism is Mechanism.INSPECTION
        node = by_context[purchase.context_id]  # only contexts of the inspection are paid from
        assert any(
            c.node_id == node.id
            and c.verdict is Verdict.ACCEPTED
            and c.action == "buy"
            and purchase.offer_id in c.decided_ids
            and purchase.offer_id in c.seen_offer_ids
            for c in calls
        )
