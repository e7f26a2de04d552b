"""Hypothesis: random bids, attention, readings, withdrawals and closings conserve money.

After every step the sum of all accounts and holds (bids held included) is what the operator
credited, the audit is clean, no context has read more offers than its attention or one below
its reading cost, and what a seller's bids hold is exactly the bids of its unread offers on
open contexts. A refused operation changes nothing (docs/theory.md §5, The attention auction).
"""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from tests.support.databases import SQL_KINDS, StoreFactory
from tests.support.machines import PlatformMachine, run_on_sql
from volition.bazaar.domain import ContextSpec, audit
from volition.bazaar.domain.attention import to_read
from volition.bazaar.domain.ledger import FUNDING

N_USERS = 3
GRANT = 200


class AuctionMachine(PlatformMachine):
    """A few users who are buyers and sellers, bidding for each other's attention."""

    n_users = N_USERS
    grant = GRANT

    def __init__(self) -> None:
        super().__init__()
        self.contexts: list[str] = []
        self.offers: list[str] = []

    def snapshot(self) -> tuple[object, ...]:
        with self.store.begin(write=False) as uow:
            contexts = uow.contexts.find(limit=10**9)
            offers = [o for c in contexts for o in uow.offers.for_context(c.id)]
            return (uow.ledger.balances(), contexts, offers)

    @rule(
        user=st.integers(0, N_USERS - 1),
        budget=st.integers(0, 150),
        attention=st.one_of(st.none(), st.integers(-1, 4)),
        reading_cost=st.integers(-1, 40),
    )
    def post_context(
        self, user: int, budget: int, attention: int | None, reading_cost: int
    ) -> None:
        spec = ContextSpec("what is true?", budget, attention=attention, reading_cost=reading_cost)
        found = self.attempt(lambda: self.bazaar.post_context(self.users[user].id, spec))
        if found is not None:
            self.contexts.append(found.id)  # type: ignore[attr-defined]

    @precondition(lambda self: self.contexts)
    @rule(
        user=st.integers(0, N_USERS - 1),
        context=st.integers(0, 100),
        bid=st.integers(-5, 250),
        price=st.integers(0, 60),
    )
    def post_offer(self, user: int, context: int, bid: int, price: int) -> None:
        context_id = self.contexts[context % len(self.contexts)]
        self.clock.advance(1)
        found = self.attempt(
            lambda: self.bazaar.post_offer(
                self.users[user].id,
                context_id,
                preview="a tip",
                private_info="the truth",
                price=price,
                bid=bid,
            )
        )
        if found is not None:
            self.offers.append(found.id)  # type: ignore[attr-defined]

    @precondition(lambda self: self.offers)
    @rule(user=st.integers(0, N_USERS - 1), offer=st.integers(0, 100))
    def withdraw(self, user: int, offer: int) -> None:
        offer_id = self.offers[offer % len(self.offers)]
        self.attempt(lambda: self.bazaar.withdraw_offer(self.users[user].id, offer_id))

    @precondition(lambda self: self.contexts)
    @rule(context=st.integers(0, 100), stray=st.integers(0, 100))
    def read(self, context: int, stray: int) -> None:
        """The inspector reads what attention allows; then tries one offer at random."""
        context_id = self.contexts[context % len(self.contexts)]
        with self.store.begin(write=False) as uow:
            found = uow.contexts.get(context_id)
            assert found is not None
            chosen = [o.id for o in to_read(uow.offers.for_context(context_id), found)]
        for offer_id in chosen:
            self.attempt(lambda i=offer_id: self.bazaar.mark_inspected(found.buyer_id, i))
        if self.offers:
            offer_id = self.offers[stray % len(self.offers)]
            self.attempt(lambda: self.bazaar.mark_inspected(found.buyer_id, offer_id))

    @precondition(lambda self: self.offers)
    @rule(offer=st.integers(0, 100))
    def buy(self, offer: int) -> None:
        offer_id = self.offers[offer % len(self.offers)]
        view = self.bazaar.offer(None, offer_id)
        context = self.bazaar.context(None, view.context_id)
        self.attempt(lambda: self.bazaar.buy_inspected(context.buyer_id, offer_id))

    @precondition(lambda self: self.contexts)
    @rule(context=st.integers(0, 100), cancel=st.booleans())
    def close(self, context: int, cancel: bool) -> None:
        context_id = self.contexts[context % len(self.contexts)]
        found = self.bazaar.context(None, context_id)
        close = self.bazaar.cancel_context if cancel else self.bazaar.decide_context
        self.attempt(lambda: close(found.buyer_id, context_id))

    @invariant()
    def money_is_conserved_and_the_books_are_clean(self) -> None:
        with self.store.begin(write=False) as uow:
            balances = uow.ledger.balances()
            contexts = uow.contexts.find(limit=10**9)
            offers = {c.id: uow.offers.for_context(c.id) for c in contexts}
        assert sum(v for a, v in balances.items() if a != FUNDING) == self.credited
        assert balances.get(FUNDING, 0) == -self.credited
        assert audit(self.store) == []
        for c in contexts:
            read = [o for o in offers[c.id] if o.inspected]
            assert c.attention is None or len(read) <= c.attention
            assert all(o.bid >= c.reading_cost for o in offers[c.id])


TestMemoryAuction = AuctionMachine.TestCase
TestMemoryAuction.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
def test_property_sql_stores_conserve_money_under_bids(store_factory: StoreFactory) -> None:
    """The same machine on SQLite and PostgreSQL, fewer examples (each a fresh database)."""
    run_on_sql(AuctionMachine, store_factory, examples=6, steps=15)
