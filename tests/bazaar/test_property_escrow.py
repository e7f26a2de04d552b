"""Hypothesis: random questions, pay-on-resolution offers, purchases, forecast steps,
resolutions and annulments keep the books clean at every step (docs/theory.md §5,
Pay-on-resolution offers).

After every step money is conserved, the audit is clean (each escrow held once from its
context's budget, settled once when its question resolves, payment + refund = cap), no escrow
of a resolved question is still held, and a refused operation changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from tests.support.databases import SQL_KINDS, StoreFactory
from tests.support.machines import PlatformMachine, run_on_sql
from volition.bazaar.domain import ContextSpec, audit
from volition.bazaar.domain.escrow_records import EscrowTerms
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.domain.forecasts import ForecastSpec
from volition.bazaar.domain.ledger import FUNDING

N_USERS = 3
RATES = st.sampled_from([Fraction(1, 4), Fraction(1, 2), Fraction(1), Fraction(1, 10), Fraction(2)])
CAPS = st.one_of(st.integers(1, 100), st.integers(-5, 300))


class EscrowMachine(PlatformMachine):
    """A few users who are buyers and sellers, on questions that close and resolve."""

    n_users = N_USERS
    grant = 400

    def __init__(self) -> None:
        super().__init__()
        self.forecasts = Forecasts(self.bazaar)
        self.questions: list[str] = []
        self.offers: list[str] = []
        self.nodes = 0

    def snapshot(self) -> tuple[object, ...]:
        with self.store.begin(write=False) as uow:
            balances = uow.ledger.balances()
            escrows = uow.escrows.all()
            purchases = uow.purchases.all()
        questions = [self.forecasts.question(q) for q in self.questions]
        return (balances, escrows, purchases, questions)

    @rule(
        user=st.integers(0, N_USERS - 1),
        budget=st.integers(0, 400),
        stake=st.one_of(st.integers(50, 150), st.just(0)),
    )
    def ask(self, user: int, budget: int, stake: int) -> None:
        closes = self.clock() + timedelta(seconds=30)
        spec = ForecastSpec(("rain", "dry"), closes, max_escrow=stake)
        found = self.attempt(
            lambda: self.forecasts.post(self.users[user].id, ContextSpec("rain?", budget), spec)
        )
        if found is not None:
            self.questions.append(found[0].id)  # type: ignore[index]

    @precondition(lambda self: self.questions)
    @rule(
        user=st.integers(1, N_USERS - 1),
        question=st.integers(0, 100),
        price=st.integers(0, 40),
        rate=RATES,
        cap=CAPS,
    )
    def offer(self, user: int, question: int, price: int, rate: Fraction, cap: int) -> None:
        """Another user than its buyer offers on a question."""
        context_id = self.questions[question % len(self.questions)]
        buyer = self.bazaar.context(None, context_id).buyer_id
        mine = [u.id for u in self.users].index(buyer)
        seller = self.users[(mine + user) % N_USERS]
        found = self.attempt(
            lambda: self.bazaar.post_offer(
                seller.id,
                context_id,
                preview="a tip",
                private_info="the truth",
                price=price,
                pay_on_resolution=EscrowTerms(rate, cap),
            )
        )
        if found is not None:
            self.offers.append(found.id)  # type: ignore[attr-defined]

    @precondition(lambda self: self.offers)
    @rule(offer=st.integers(0, 100), p=st.floats(0.01, 0.99))
    def buy(self, offer: int, p: float) -> None:
        """The buyer buys (when the budget holds price + cap); its step joins the path."""
        offer_id = self.offers[offer % len(self.offers)]
        view = self.bazaar.offer(None, offer_id)
        context = self.bazaar.context(None, view.context_id)
        if self.attempt(lambda: self.bazaar.buy_blind(context.buyer_id, offer_id)) is not None:
            self.nodes += 1
            node = f"node{self.nodes}"
            self.forecasts.propose(context.id, node, (p, 1 - p))
            self.forecasts.confirm(node, (offer_id,))

    @rule(
        buyer=st.integers(0, N_USERS - 1),
        stake=st.integers(1, 150),
        price=st.integers(0, 30),
        rate=RATES,
        cap=st.integers(1, 150),
        p=st.floats(0.01, 0.99),
        outcome=st.sampled_from(["rain", "dry", None]),
    )
    def episode(
        self,
        buyer: int,
        stake: int,
        price: int,
        rate: Fraction,
        cap: int,
        p: float,
        outcome: str | None,
    ) -> None:
        """A whole question at once, amid the others: asked, offered on, bought, resolved."""
        asked, offered = len(self.questions), len(self.offers)
        self.ask(buyer, 200, stake)
        if len(self.questions) > asked:
            self.offer(1, asked, price, rate, cap)
        if len(self.offers) > offered:
            self.buy(offered, p)
        self.wait(31)
        if len(self.questions) > asked:
            self.resolve(asked, outcome)

    @rule(seconds=st.sampled_from([1, 10, 31]))
    def wait(self, seconds: int) -> None:
        self.clock.advance(seconds)

    @precondition(lambda self: self.questions)
    @rule(question=st.integers(0, 100), outcome=st.sampled_from(["rain", "dry", None]))
    def resolve(self, question: int, outcome: str | None) -> None:
        context_id = self.questions[question % len(self.questions)]
        self.attempt(
            lambda: self.forecasts.resolve(
                self.root.id, context_id, outcome, annulled=outcome is None
            )
        )

    @invariant()
    def money_is_conserved_and_the_books_are_clean(self) -> None:
        with self.store.begin(write=False) as uow:
            balances = uow.ledger.balances()
        assert sum(v for a, v in balances.items() if a != FUNDING) == self.credited
        assert audit(self.store) == []


TestMemoryEscrows = EscrowMachine.TestCase
TestMemoryEscrows.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
def test_property_sql_stores_keep_escrows_balanced(store_factory: StoreFactory) -> None:
    """The same machine on SQLite and PostgreSQL, fewer examples (each a fresh database)."""
    run_on_sql(EscrowMachine, store_factory, examples=6, steps=15)
