"""``follow_ups.seen_at`` reads a tree in a fixed number of statements (issue 15) and finds
exactly what the walk it replaced found, on random trees of follow-ups (hypothesis): the
offers inspected on the chain of writers, and every offer bought below the highest of them.

The reference below is that walk, one context at a time, kept here as the specification."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.people import CHEAP_HASHER, PASSWORD
from volition.bazaar.domain import Bazaar, ContextSpec, DecisionContext, MemoryStore, Store
from volition.bazaar.domain.follow_ups import seen_at
from volition.bazaar.domain.offers import InfoOffer
from volition.bazaar.domain.settings import BazaarSettings
from volition.bazaar.domain.store import UnitOfWork
from volition.bazaar.storage import SqlStore


def walked(uow: UnitOfWork, context: DecisionContext) -> set[tuple[str, str]]:
    """The walk ``seen_at`` replaced (offer id, context id)."""
    seen: set[tuple[str, str]] = set()
    cursor: DecisionContext | None = context
    while cursor is not None:
        seen |= {(o.id, cursor.id) for o in uow.offers.for_context(cursor.id) if o.inspected}
        stack = uow.contexts.children(cursor.id)
        while stack:
            child = stack.pop()
            for purchase in uow.purchases.for_context(child.id):
                bought = uow.offers.get(purchase.offer_id)
                if bought is not None:
                    seen.add((bought.id, child.id))
            stack.extend(uow.contexts.children(child.id))
        if not cursor.by_inspector:
            break
        cursor = uow.contexts.get(cursor.parent_context_id or "")
    return seen


# a node: (offers: [(inspected, bought)], follow-ups: [(by_inspector, about offer index, node)])
offers = st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=3)
trees = st.recursive(
    st.tuples(offers, st.just(())),
    lambda kids: st.tuples(
        offers, st.lists(st.tuples(st.booleans(), st.integers(0, 2), kids), max_size=2)
    ),
    max_leaves=6,
)


def _build(bazaar: Bazaar, buyer: str, seller: str, tree: object) -> list[DecisionContext]:
    """Post the tree (each context's offers, inspected and bought as drawn, then its
    follow-ups); return every context posted."""
    posted: list[DecisionContext] = []

    def post(node: object, spec: ContextSpec) -> None:
        drawn, follow_ups = node  # type: ignore[misc]
        context = bazaar.post_context(buyer, spec)
        posted.append(context)
        made: list[InfoOffer] = []
        for i, (inspected, bought) in enumerate(drawn):
            offer = bazaar.post_offer(
                seller, context.id, preview=f"p{i}", private_info="s", price=1
            )
            made.append(offer)
            if inspected:
                bazaar.mark_inspected(buyer, offer.id)
            if bought:
                bazaar.buy_blind(buyer, offer.id)
        for by_inspector, about, child in follow_ups:
            parent_offer = made[about % len(made)]
            about_it = (parent_offer.id,)
            budget = spec.budget // 4  # two follow-ups and three purchases fit in any node
            post(
                child,
                ContextSpec(
                    "follow-up", budget, parent_offer_ids=about_it, by_inspector=by_inspector
                ),
            )

    post(tree, ContextSpec("Will it rain?", 2_000))
    return posted


@pytest.fixture(params=["memory", "sqlite"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _store(kind: str, sqlite_template: object, tmp_path_factory: pytest.TempPathFactory) -> Store:
    if kind == "memory":
        return MemoryStore()
    from tests.support.databases import sqlite_copy

    return sqlite_copy(sqlite_template, tmp_path_factory.mktemp("seen") / "b.db")  # type: ignore[arg-type]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tree=trees)
def test_seen_at_finds_what_the_walk_found(
    kind: str, sqlite_template: object, tmp_path_factory: pytest.TempPathFactory, tree: object
) -> None:
    store = _store(kind, sqlite_template, tmp_path_factory)
    try:
        bazaar = Bazaar(store, hasher=CHEAP_HASHER, settings=BazaarSettings(starting_grant=100_000))
        buyer = bazaar.register("ann", PASSWORD).id
        seller = bazaar.register("sol", PASSWORD, buyer=False, seller=True).id
        contexts = _build(bazaar, buyer, seller, tree)
        with store.begin(write=False) as uow:
            for context in contexts:
                found = {(o.id, c.id) for o, c in seen_at(uow, context)}
                assert found == walked(uow, context)
    finally:
        if isinstance(store, SqlStore):
            store.close()
