"""Hypothesis stateful tests: random sequences of operations never break the books.

After every step: all postings sum to zero, cash in equals credits, no balance goes negative,
no context spends more than its budget, every purchase paid its seller exactly once, a failed
operation changed nothing, and private info is readable exactly by those the rules allow.
"""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from tests.support.databases import SQL_KINDS, StoreFactory
from tests.support.machines import PlatformMachine, run_on_sql
from volition.bazaar.domain import ContextSpec, audit
from volition.bazaar.domain.ledger import FUNDING, EntryKind, cash
from volition.errors import VolitionError

N_USERS = 4
GRANT = 1_000


class BazaarMachine(PlatformMachine):
    """Drives one bazaar with random operations by a few users who are buyers and sellers."""

    n_users = N_USERS
    grant = GRANT

    def __init__(self) -> None:
        super().__init__()
        self.operator = self.root
        self.contexts: list[str] = []
        self.offers: list[str] = []
        self.bought: dict[str, int] = {}  # offer id -> price, as the model expects

    def snapshot(self) -> tuple[object, ...]:
        with self.store.begin(write=False) as uow:
            return (
                uow.ledger.balances(),
                sorted(p.id for p in uow.purchases.all()),
                [(c.id, c.status) for c in uow.contexts.find(limit=10**9)],
            )

    @rule(user=st.integers(0, N_USERS - 1), cents=st.integers(-5, 1_000))
    def credit(self, user: int, cents: int) -> None:
        result = self.attempt(
            lambda: self.bazaar.credit(self.operator.id, self.users[user].id, cents)
        )
        if result is not None:
            self.credited += cents

    @rule(user=st.integers(0, N_USERS - 1), cents=st.integers(1, 100))
    def non_operator_credit_is_refused(self, user: int, cents: int) -> None:
        u = self.users[user].id
        assert self.attempt(lambda: self.bazaar.credit(u, u, cents)) is None

    @rule(
        user=st.integers(0, N_USERS - 1),
        budget=st.integers(-10, 400),
        expires=st.none() | st.integers(1, 100),
        parent=st.none() | st.integers(0, 50),
    )
    def post_context(self, user: int, budget: int, expires: int | None, parent: int | None) -> None:
        expires_at = None
        if expires is not None:
            from datetime import timedelta

            expires_at = self.clock.now + timedelta(seconds=expires)
        parents: tuple[str, ...] = ()
        if parent is not None and self.offers:
            parents = (self.offers[parent % len(self.offers)],)
        spec = ContextSpec("q", budget=budget, expires_at=expires_at, parent_offer_ids=parents)
        ctx = self.attempt(lambda: self.bazaar.post_context(self.users[user].id, spec))
        if ctx is not None:
            self.contexts.append(ctx.id)  # type: ignore[attr-defined]

    @precondition(lambda self: self.offers)
    @rule(off=st.integers(0, 50), budget=st.integers(0, 200), price=st.integers(0, 100))
    def follow_up(self, off: int, budget: int, price: int) -> None:
        """The buyer asks about one of their offers; the offer's seller answers."""
        offer_id = self.offers[off % len(self.offers)]
        with self.store.begin(write=False) as uow:
            offer = uow.offers.get(offer_id)
            assert offer is not None
            parent = uow.contexts.get(offer.context_id)
            assert parent is not None
        spec = ContextSpec("about it", budget=budget, parent_offer_ids=(offer_id,))
        child = self.attempt(lambda: self.bazaar.post_context(parent.buyer_id, spec))
        if child is None:
            return
        child_id = child.id  # type: ignore[attr-defined]
        self.contexts.append(child_id)
        answer = self.attempt(
            lambda: self.bazaar.post_offer(
                offer.seller_id, child_id, preview="p", private_info="deep", price=price
            )
        )
        if answer is not None:
            self.offers.append(answer.id)  # type: ignore[attr-defined]

    @precondition(lambda self: self.contexts)
    @rule(user=st.integers(0, N_USERS - 1), ctx=st.integers(0, 50), price=st.integers(-2, 300))
    def post_offer(self, user: int, ctx: int, price: int) -> None:
        context_id = self.contexts[ctx % len(self.contexts)]
        offer = self.attempt(
            lambda: self.bazaar.post_offer(
                self.users[user].id,
                context_id,
                preview="p",
                private_info=f"secret {ctx}",
                price=price,
            )
        )
        if offer is not None:
            self.offers.append(offer.id)  # type: ignore[attr-defined]

    @precondition(lambda self: self.offers)
    @rule(
        user=st.none() | st.integers(0, N_USERS - 1),
        off=st.integers(0, 50),
        key=st.none() | st.sampled_from("ab"),
    )
    def buy(self, user: int | None, off: int, key: str | None) -> None:
        """A random user (None: the context's own buyer) buys a random offer blind."""
        offer_id = self.offers[off % len(self.offers)]
        with self.store.begin(write=False) as uow:
            offer = uow.offers.get(offer_id)
            assert offer is not None
            context = uow.contexts.get(offer.context_id)
            assert context is not None
        uid = context.buyer_id if user is None else self.users[user].id
        purchase = self.attempt(lambda: self.bazaar.buy_blind(uid, offer_id, idempotency_key=key))
        if purchase is not None:
            price = purchase.price  # type: ignore[attr-defined]
            if purchase.offer_id in self.bought:  # type: ignore[attr-defined]
                assert key is not None, "an offer was bought twice"
            self.bought[purchase.offer_id] = price  # type: ignore[attr-defined]

    @precondition(lambda self: self.offers)
    @rule(user=st.integers(0, N_USERS - 1), off=st.integers(0, 50), inspect=st.booleans())
    def withdraw_or_inspect(self, user: int, off: int, inspect: bool) -> None:
        offer_id = self.offers[off % len(self.offers)]
        uid = self.users[user].id
        if inspect:
            self.attempt(lambda: self.bazaar.mark_inspected(uid, offer_id))
        else:
            self.attempt(lambda: self.bazaar.withdraw_offer(uid, offer_id))

    @precondition(lambda self: self.contexts)
    @rule(user=st.integers(0, N_USERS - 1), ctx=st.integers(0, 50), decide=st.booleans())
    def close(self, user: int, ctx: int, decide: bool) -> None:
        context_id = self.contexts[ctx % len(self.contexts)]
        uid = self.users[user].id
        if decide:
            self.attempt(lambda: self.bazaar.decide_context(uid, context_id))
        else:
            self.attempt(lambda: self.bazaar.cancel_context(uid, context_id))

    @rule(user=st.integers(0, N_USERS - 1), cents=st.integers(-5, 300))
    def cash_out(self, user: int, cents: int) -> None:
        self.attempt(lambda: self.bazaar.cash_out(self.users[user].id, cents))

    @rule(seconds=st.integers(1, 60))
    def time_passes(self, seconds: int) -> None:
        self.clock.advance(seconds)
        self.bazaar.expire_due()

    @invariant()
    def books_are_sound(self) -> None:
        assert audit(self.store) == []
        with self.store.begin(write=False) as uow:
            assert -uow.ledger.balance(FUNDING) == self.credited
            for account, amount in uow.ledger.balances().items():
                assert uow.ledger.balance(account) == amount
            purchases = uow.purchases.all()
        assert {p.offer_id: p.price for p in purchases} == self.bought
        for u in self.users:
            sold = sum(p.price for p in purchases if p.seller_id == u.id)
            with self.store.begin(write=False) as uow:
                cashed = sum(
                    e.amount_for([cash(u.id)])
                    for e in uow.ledger.entries()
                    if e.kind is EntryKind.CASH_OUT
                )
            assert self.bazaar.balances(u.id).earnings == sold - cashed

    @invariant()
    def private_info_reaches_only_the_allowed(self) -> None:
        viewers = [None, self.operator.id, *(u.id for u in self.users)]
        for offer_id in self.offers:
            with self.store.begin(write=False) as uow:
                offer = uow.offers.get(offer_id)
                assert offer is not None
                context = uow.contexts.get(offer.context_id)
                assert context is not None
            for viewer in viewers:
                try:
                    view = self.bazaar.offer(viewer, offer_id)
                except VolitionError:
                    assert context.is_child, "a public offer was hidden"
                    continue
                if view.private_info is None:
                    continue
                is_seller = viewer == offer.seller_id
                bought_by_viewer = viewer == context.buyer_id and self.buyer_may_read(offer_id)
                assert is_seller or bought_by_viewer, "private info reached a non-buyer"

    def buyer_may_read(self, offer_id: str) -> bool:
        """The model of amnesia: bought, and below a bought (readable) parent offer, if any."""
        if offer_id not in self.bought:
            return False
        with self.store.begin(write=False) as uow:
            offer = uow.offers.get(offer_id)
            assert offer is not None
            context = uow.contexts.get(offer.context_id)
            assert context is not None
        if not context.is_child:
            return True
        return any(self.buyer_may_read(p) for p in context.parent_offer_ids)


TestMemoryBazaar = BazaarMachine.TestCase
TestMemoryBazaar.settings = settings(max_examples=80, stateful_step_count=40, deadline=None)


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
def test_property_sql_stores_keep_the_books(store_factory: StoreFactory) -> None:
    """The same machine on SQLite and PostgreSQL, fewer examples (each one is a fresh database)."""
    run_on_sql(BazaarMachine, store_factory, examples=10, steps=20)
