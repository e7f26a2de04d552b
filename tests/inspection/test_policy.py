"""What a node knows of the purchases below it, by policy (docs/theory.md §5, Amnesia; §4, RIP).

Root -> child -> grandchild. The grandchild buys information about a child offer; the child
then buys (or not) that offer. A node always knows its own children's purchases; the
grandchild's reaches the root under ``all`` always, under ``with_parent`` only if the child
bought the offer it concerns. The domain enforces the same policy for the buyer: the root buys
nothing, so under ``with_parent`` nothing below it is readable, under ``all`` everything.
"""

from __future__ import annotations

import pytest

from tests.support.agents import Script
from tests.support.inspection import FUNDS, World
from volition.agents import Buy, Decision, FixedSeller, FollowUp, NodeView
from volition.bazaar.domain import audit
from volition.bazaar.inspection import Policy


@pytest.mark.parametrize("child_buys", [False, True])
@pytest.mark.parametrize("policy", list(Policy))
def test_the_root_knows_deeper_purchases_by_policy(
    world: World, policy: Policy, child_buys: bool
) -> None:
    world.bot(FixedSeller("a note", "some private note", 10))

    def child(view: NodeView) -> Decision:
        if not view.known:
            return FollowUp("Deeper?", 100, (view.offers[0].id,))
        return Buy((view.offers[0].id,) if child_buys else ())

    buyer = Script(
        iter(
            [
                lambda v: FollowUp("Is it true?", 500, (v.offers[0].id,)),
                child,
                lambda v: Buy((v.offers[0].id,)),  # grandchild
                child,
                lambda v: Buy(()),  # root, deciding again
            ]
        )
    )
    engine = world.engine(buyer, max_depth=2, min_offers=1, policy=policy)
    inspection = engine.start(world.buyer.id, world.post("Will it rain?", 1_000).id)
    engine.run_until_idle()

    root, middle, bottom = engine.nodes(world.buyer.id, inspection.id)
    assert (root.depth, middle.depth, bottom.depth) == (0, 1, 2) and len(bottom.bought) == 1
    root_view = buyer.views[-1]
    expected = set(middle.bought)
    if policy is Policy.ALL or child_buys:
        expected |= set(bottom.bought)
    assert {k.offer_id for k in root_view.known} == expected
    root_offer = root_view.offers[0].id
    assert all(k.about == (root_offer,) for k in root_view.known)  # anchored at the root
    assert all(k.private_info == "some private note" for k in root_view.known)
    # the domain enforces the same policy on the follow-up contexts the engine posted: under
    # `with_parent` nothing below the unbought root offer reaches the buyer; under `all` every
    # purchase does, read back through the buyer's own purchases
    for node in (middle, bottom):
        assert world.bazaar.context(world.buyer.id, node.context_id).reveal is policy
    below = (*middle.bought, *bottom.bought)
    readable = "some private note" if policy is Policy.ALL else None
    for offer_id in below:
        assert world.bazaar.offer(world.buyer.id, offer_id).private_info == readable
    read = {view.id: view.private_info for _, view in world.bazaar.purchases(world.buyer.id)}
    assert read == dict.fromkeys(below, readable)
    assert world.money() == FUNDS and audit(world.bazaar.store) == []
