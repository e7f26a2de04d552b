"""The rules of a node, and the offline default buyer (deterministic, explainable, legal)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from tests.agents.views import OFFERS, view

from volition.agents import (
    Buy,
    FollowUp,
    KnownInfo,
    NodeView,
    OfferView,
    OfflineBuyer,
    violations,
)


def test_legal_decisions_have_no_violations() -> None:
    assert violations(view(), Buy(("o1", "o2"))) == []
    assert violations(view(), Buy(())) == []
    assert violations(view(), FollowUp("Is o1 right?", 200, ("o1",))) == []


def test_every_broken_rule_is_named() -> None:
    assert violations(view(), Buy(("o1", "o9"))) == [
        "not offers of this node: o9 (the offers: o1, o2, o3)"
    ]
    assert violations(view(), Buy(("o1", "o1"))) == ["offer ids listed twice: o1"]
    assert violations(view(remaining_budget=500), Buy(("o1", "o3"))) == [
        "the offers cost 550 cents in all but only 500 remain"
    ]
    deep = violations(view(depth=1), FollowUp("q", 10, ("o1",)))
    assert deep == ["no follow-up beyond depth 1 (this node is at 1)"]
    assert violations(view(follow_ups_left=0), FollowUp("q", 10, ("o1",))) == [
        "no follow-ups left at this node (breadth limit reached)"
    ]
    assert set(violations(view(), FollowUp(" ", 0, ()))) == {
        "a follow-up needs a non-empty query",
        "a follow-up needs a budget of at least 1 cent",
        "a follow-up must name the offers of this node it is about",
    }
    assert violations(view(), FollowUp("q", 5000, ("o7",))) == [
        "a follow-up budget of 5000 cents exceeds the 1000 that remain",
        "a follow-up can only be about offers of this node: o7",
    ]


def test_offline_buyer_buys_relevant_offers_and_skips_irrelevant_ones() -> None:
    reply = OfflineBuyer().decide(view(max_depth=0))
    assert reply.error is None and isinstance(reply.decision, Buy)
    assert "o2" not in reply.decision.offer_ids  # football is irrelevant to Paris rain
    assert reply.decision.offer_ids[0] in {"o1", "o3"}
    assert "relevance" in reply.decision.reason


def test_offline_buyer_discounts_redundant_offers() -> None:
    twin = OfferView(
        "o4", "dave", "Rainfall forecast for Paris", "Rain in Paris tomorrow: 80%", 300
    )
    reply = OfflineBuyer().decide(view(max_depth=0, offers=(OFFERS[0], twin)))
    assert isinstance(reply.decision, Buy)
    assert len(reply.decision.offer_ids) == 1  # the same text twice is worth it once


def test_offline_buyer_checks_an_expensive_offer_first_then_heeds_the_answer() -> None:
    buyer = OfflineBuyer()
    first = buyer.decide(view())
    assert isinstance(first.decision, FollowUp)
    target = first.decision.about[0]
    assert violations(view(), first.decision) == []
    refuted = KnownInfo(
        "k1", (target,), first.decision.query, "Fact check", "This forecast is false.", 50
    )
    after = buyer.decide(view(known=(refuted,), remaining_budget=950, follow_ups_left=0))
    assert isinstance(after.decision, Buy)
    assert target not in after.decision.offer_ids


def test_offline_buyer_is_deterministic() -> None:
    assert OfflineBuyer().decide(view()) == OfflineBuyer().decide(view())


def test_offline_buyer_handles_nodes_without_offers_or_words() -> None:
    assert OfflineBuyer().decide(view(offers=())).decision == Buy((), "no offers to consider")
    blank = (OfferView("o1", "x", "", "", 1),)
    reply = OfflineBuyer().decide(view(offers=blank, query_chain=("?",)))
    assert reply.decision is not None and reply.decision.offer_ids == ()


words = st.sampled_from(
    ["rain", "paris", "tomorrow", "sun", "football", "score", "market", "price", "forecast"]
)
texts = st.lists(words, min_size=0, max_size=6).map(" ".join)


@st.composite
def views(draw: st.DrawFn) -> NodeView:
    n = draw(st.integers(0, 5))
    offers = tuple(
        OfferView(f"o{i}", f"s{i}", draw(texts), draw(texts), draw(st.integers(0, 800)))
        for i in range(n)
    )
    max_depth = draw(st.integers(0, 2))
    return NodeView(
        context_id="c",
        query_chain=tuple(draw(st.lists(texts, min_size=1, max_size=3))),
        offers=offers,
        remaining_budget=draw(st.integers(0, 1500)),
        depth=draw(st.integers(0, max_depth)),
        max_depth=max_depth,
        follow_ups_left=draw(st.integers(0, 2)),
    )


@given(views())
def test_offline_buyer_never_breaks_the_rules(node: NodeView) -> None:
    reply = OfflineBuyer().decide(node)
    assert reply.decision is not None
    assert violations(node, reply.decision) == []
