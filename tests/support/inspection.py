"""A small world for the inspection tests: a bazaar, its people, bots and an engine."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tests.support.people import CHEAP_HASHER, PASSWORD, FakeClock
from volition.agents import (
    BuyerAgent,
    ContextView,
    FixedSeller,
    SellerAgent,
    SellerReply,
    Usage,
)
from volition.bazaar.domain import Bazaar, BazaarSettings, ContextSpec, DecisionContext, Store
from volition.bazaar.domain.ledger import FUNDING
from volition.bazaar.domain.users import User
from volition.bazaar.inspection import (
    Bot,
    InspectionEngine,
    InspectionLimits,
    InspectionRepository,
    MemoryInspectionRepository,
)
from volition.bazaar.storage import SqlInspectionRepository, SqlStore

FUNDS = 10_000


@dataclass(frozen=True)
class FollowUpsOnly:
    """A bot seller that answers only follow-up contexts (a fact-checker)."""

    inner: FixedSeller
    name: str = "fact-checker"

    def respond(self, view: ContextView) -> SellerReply:
        if not view.about_previews:
            return SellerReply(None, Usage())
        return self.inner.respond(view)


@dataclass
class World:
    """An operator, a funded buyer, and bot sellers registered on demand."""

    bazaar: Bazaar
    clock: FakeClock
    operator: User
    buyer: User
    bots: list[Bot] = field(default_factory=list)
    _names: itertools.count[int] = field(default_factory=itertools.count)

    def bot(self, agent: SellerAgent) -> Bot:
        user = self.bazaar.register(f"bot{next(self._names)}", PASSWORD, buyer=False, seller=True)
        bot = Bot(user.id, agent)
        self.bots.append(bot)
        return bot

    def seller(self) -> User:
        return self.bazaar.register(f"human{next(self._names)}", PASSWORD, seller=True)

    def post(self, query: str, budget: int) -> DecisionContext:
        return self.bazaar.post_context(self.buyer.id, ContextSpec(query, budget))

    def repository(self) -> InspectionRepository:
        """Where this world keeps inspections: in its SQL database, or in memory."""
        store = self.bazaar.store
        if isinstance(store, SqlStore):
            return SqlInspectionRepository(store)
        return MemoryInspectionRepository()

    def engine(
        self,
        buyer: BuyerAgent,
        *,
        gather_timeout_s: float = 300,
        repository: InspectionRepository | None = None,
        **limits: Any,
    ) -> InspectionEngine:
        timeout = timedelta(seconds=gather_timeout_s)
        return InspectionEngine(
            self.bazaar,
            buyer,
            bots=tuple(self.bots),
            repository=repository or self.repository(),
            limits=InspectionLimits(gather_timeout=timeout, **limits),
        )

    def money(self) -> int:
        """All money outside the funding source: it must stay what the operator credited."""
        with self.bazaar.store.begin(write=False) as uow:
            balances = uow.ledger.balances()
        return sum(v for a, v in balances.items() if a != FUNDING)


def make_world(store: Store, clock: FakeClock | None = None) -> World:
    clock = clock or FakeClock()
    bazaar = Bazaar(store, hasher=CHEAP_HASHER, settings=BazaarSettings(), clock=clock)
    operator = bazaar.bootstrap_operator("root", PASSWORD)
    buyer = bazaar.register("alice", PASSWORD, buyer=True)
    bazaar.credit(operator.id, buyer.id, FUNDS)
    return World(bazaar, clock, operator, buyer)
