"""Whatever the buyer agent answers, the engine holds the rules, with bounded retries."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.agents import Script, script
from tests.support.inspection import FUNDS, World
from volition.agents import Buy, BuyerReply, Decision, FixedSeller, FollowUp, NodeView, Usage
from volition.bazaar.domain import audit
from volition.bazaar.inspection import Outcome, Verdict

QUERY = "Will it rain in Paris tomorrow?"


def _world_with_offers(world: World, *prices: int) -> str:
    for i, price in enumerate(prices):
        world.bot(FixedSeller(f"forecast {i}", f"rain chance {10 * i}%", price))
    return world.post(QUERY, 1_000).id


def _everything(view: NodeView) -> Decision:
    return Buy(tuple(o.id for o in view.offers))


def _unknown(view: NodeView) -> Decision:
    return Buy(("off_does_not_exist",))


def _deep_follow_up(view: NodeView) -> Decision:
    return FollowUp("Is it true?", 10, (view.offers[0].id,))


ILLEGAL = {
    "unknown ids": (_unknown, "not offers of this node: off_does_not_exist"),
    "over budget": (_everything, "the offers cost 1200 cents in all but only 1000 remain"),
    "follow-up past depth": (_deep_follow_up, "no follow-up beyond depth 0"),
    "follow-up over budget": (
        lambda v: FollowUp("Is it true?", 5_000, (v.offers[0].id,)),
        "a follow-up budget of 5000 cents exceeds the 1000 that remain",
    ),
    "follow-up about nothing": (lambda v: FollowUp("Is it true?", 5, ()), "must name the offers"),
    "duplicate ids": (
        lambda v: Buy((v.offers[0].id, v.offers[0].id)),
        "offer ids listed twice",
    ),
}


@pytest.mark.parametrize("case", list(ILLEGAL))
def test_an_illegal_answer_is_retried_with_the_reason_then_the_node_buys_nothing(
    mworld: World, case: str
) -> None:
    answer, reason = ILLEGAL[case]
    context_id = _world_with_offers(mworld, 700, 500)
    buyer = script(answer, answer, answer, answer)
    engine = mworld.engine(buyer, max_depth=0, min_offers=2, max_retries=2)
    inspection = engine.start(mworld.buyer.id, context_id)
    engine.run_until_idle()

    assert len(buyer.views) == 3  # one answer and two retries, no more
    assert buyer.views[0].feedback == ()
    assert any(reason in f for f in buyer.views[1].feedback)
    (root,) = engine.nodes(mworld.buyer.id, inspection.id)
    assert root.outcome is Outcome.GAVE_UP and root.bought == ()
    calls = engine.audit_trail(mworld.operator.id, inspection.id)
    assert [c.verdict for c in calls] == [Verdict.ILLEGAL] * 3
    assert [c.attempt for c in calls] == [0, 1, 2]
    assert mworld.bazaar.purchases(mworld.buyer.id) == []
    assert mworld.bazaar.balances(mworld.buyer.id).cash == FUNDS
    assert mworld.money() == FUNDS and audit(mworld.bazaar.store) == []


def test_a_legal_answer_after_a_rejected_one_is_carried_out(mworld: World) -> None:
    context_id = _world_with_offers(mworld, 700, 500)
    buyer = script(_everything, lambda v: Buy(tuple(o.id for o in v.offers if o.price == 500)))
    engine = mworld.engine(buyer, max_depth=0, min_offers=2)
    inspection = engine.start(mworld.buyer.id, context_id)
    engine.run_until_idle()
    (root,) = engine.nodes(mworld.buyer.id, inspection.id)
    cheaper = next(o.id for o in buyer.views[1].offers if o.price == 500)
    assert root.outcome is Outcome.BOUGHT and root.bought == (cheaper,)
    assert mworld.bazaar.balances(mworld.buyer.id).cash == FUNDS - 500
    calls = engine.audit_trail(mworld.operator.id, inspection.id)
    assert [c.verdict for c in calls] == [Verdict.ILLEGAL, Verdict.ACCEPTED]
    # the audit keeps what each call decided: every offer (over budget), then the cheaper one
    assert calls[0].decided_ids == tuple(o.id for o in buyer.views[0].offers)
    assert len(calls[0].decided_ids) == 2 and calls[1].decided_ids == (cheaper,)


MALFORMED: dict[str, Callable[[NodeView], object]] = {
    "no decision": lambda v: BuyerReply(None, Usage(), "the answer was not valid JSON"),
    "a bare string of ids": lambda v: Buy(v.offers[0].id),  # type: ignore[arg-type]
    "a fractional budget": lambda v: FollowUp("q", 1.5, (v.offers[0].id,)),  # type: ignore[arg-type]
    "a boolean budget": lambda v: FollowUp("q", True, (v.offers[0].id,)),
    "not a decision": lambda v: "buy everything",
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_answer_is_retried_and_bounded(mworld: World, case: str) -> None:
    context_id = _world_with_offers(mworld, 100)
    answer = MALFORMED[case]
    buyer = script(answer, answer)
    engine = mworld.engine(buyer, max_depth=1, min_offers=1, max_retries=1)
    inspection = engine.start(mworld.buyer.id, context_id)
    engine.run_until_idle()
    assert len(buyer.views) == 2 and buyer.views[1].feedback
    calls = engine.audit_trail(mworld.operator.id, inspection.id)
    assert [c.verdict for c in calls] == [Verdict.MALFORMED] * 2
    assert all(c.action is None and c.decided_ids == () for c in calls)
    assert mworld.bazaar.purchases(mworld.buyer.id) == []
    assert mworld.money() == FUNDS and audit(mworld.bazaar.store) == []


def test_an_agent_that_crashes_counts_as_malformed(mworld: World) -> None:
    def crash(view: NodeView) -> Decision:
        raise RuntimeError("model server on fire")

    context_id = _world_with_offers(mworld, 100)
    buyer = script(crash, _everything)
    engine = mworld.engine(buyer, max_depth=0, min_offers=1, max_retries=1)
    inspection = engine.start(mworld.buyer.id, context_id)
    engine.run_until_idle()
    assert buyer.views[1].feedback == ("the agent failed (RuntimeError)",)
    (root,) = engine.nodes(mworld.buyer.id, inspection.id)
    assert root.outcome is Outcome.BOUGHT and len(root.bought) == 1


def test_the_breadth_limit_caps_follow_ups_per_node(mworld: World) -> None:
    """An agent that always follows up gets max_follow_ups children, then must buy."""
    context_id = _world_with_offers(mworld, 100)
    follow = lambda v: FollowUp("more?", 10, (v.offers[0].id,)) if v.offers else Buy(())  # noqa: E731
    buyer = Script(iter([follow] * 20))
    engine = mworld.engine(buyer, max_depth=1, max_follow_ups=2, min_offers=0, max_retries=1)
    inspection = engine.start(mworld.buyer.id, context_id)
    engine.run_until_idle()
    nodes = engine.nodes(mworld.buyer.id, inspection.id)
    root = nodes[0]
    assert root.follow_ups == 2 and len(nodes) == 3
    assert root.outcome is Outcome.GAVE_UP  # the third follow-up was illegal, twice
    assert all(n.depth <= 1 for n in nodes)
    calls = [
        c for c in engine.audit_trail(mworld.operator.id, inspection.id) if c.node_id == root.id
    ]
    assert [c.verdict for c in calls] == [Verdict.ACCEPTED] * 2 + [Verdict.ILLEGAL] * 2
    assert mworld.money() == FUNDS and audit(mworld.bazaar.store) == []


def test_usage_is_audited_per_call_without_content(mworld: World) -> None:
    context_id = _world_with_offers(mworld, 100, 200)
    buyer = script(_unknown, _everything)
    engine = mworld.engine(buyer, max_depth=0, min_offers=2)
    inspection = engine.start(mworld.buyer.id, context_id)
    engine.run_until_idle()
    calls = engine.audit_trail(mworld.operator.id, inspection.id)
    assert [(c.prompt_tokens, c.completion_tokens) for c in calls] == [(10, 2), (10, 2)]
    assert sum(c.cost for c in calls) == pytest.approx(0.02)
    total = engine.usage(mworld.buyer.id, inspection.id)
    assert (total.prompt_tokens, total.completion_tokens, total.calls) == (20, 4, 2)
    assert total.cost == pytest.approx(0.02)
    assert calls[0].unknown_ids == 1 and calls[0].decided_ids == ()
    assert set(calls[1].decided_ids) == set(calls[1].seen_offer_ids)
    stored = repr(
        (
            engine.inspection(inspection.id),
            engine.nodes(mworld.buyer.id, inspection.id),
            calls,
        )
    )
    for view in buyer.views:
        for offer in view.offers:
            assert offer.preview not in stored and offer.private_info not in stored
    assert "off_does_not_exist" not in stored


def test_a_follow_up_node_cannot_buy_its_parents_offers(mworld: World) -> None:
    """The parent's offers are shown at the child (``ancestor_offers``) but are not its own."""
    context_id = _world_with_offers(mworld, 100)

    def at_child(view: NodeView) -> Decision:
        return Buy((view.ancestor_offers[0].id,))

    buyer = script(
        lambda v: FollowUp("Is it true?", 200, (v.offers[0].id,)),
        at_child,
        at_child,
        lambda v: Buy(()),
    )
    engine = mworld.engine(buyer, max_depth=1, min_offers=0, max_retries=1)
    inspection = engine.start(mworld.buyer.id, context_id)
    engine.run_until_idle()
    root, child = engine.nodes(mworld.buyer.id, inspection.id)
    assert child.outcome is Outcome.GAVE_UP and root.outcome is Outcome.BOUGHT
    assert "not offers of this node" in buyer.views[2].feedback[0]
    assert mworld.bazaar.purchases(mworld.buyer.id) == []
    assert mworld.money() == FUNDS and audit(mworld.bazaar.store) == []
