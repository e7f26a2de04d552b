"""A regime run through the platform's own inspection engine (docs/design.md, "One mechanism,
two worlds"; docs/theory.md §4-5).

Each episode is one inspection on an in-memory bazaar: the buyer posts the world's decision
as a context, the informer posts its chosen message as an offer (a
:class:`~volition.agents.bayesian.BayesianSeller`, its private info the message's values in
the hidden state), the world's context sellers post their offers in the follow-up contexts,
and the engine runs a :class:`~volition.agents.bayesian.BayesianBuyer` that decides and buys.
Every reward is read from the ledger: the informer's change in wealth, and the buyer's.

Which regimes map onto the engine (:func:`engine_unsupported` says why the others do not):

- ``inspection`` (IP): RIP of depth 1, no follow-ups (``max_depth=0``);
- ``rip:k``: RIP of depth k, the world's context levels 1..k-1 sold in the follow-ups,
  amnesia policy ``all`` (the formal RIP of docs/theory.md §4).

The informer asks, for its message, the price the exact regime would pay it (the strategic
seller's ask: the buyer's willingness to pay, averaged over the informer's cell of K where
it is paid, less one unit of the smallest coin so that a buyer indifferent at that price
buys). The platform has posted prices where the exact regime pays after the fact: the
difference is what this path measures.

The bazaar is imported here, lazily by the runner: ``import volition.experiments`` needs
neither fastapi nor sqlalchemy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from functools import lru_cache
from typing import cast

import numpy as np
from numpy.typing import NDArray

from volition.agents import SellerAgent
from volition.agents.bayesian import BayesianBuyer, BayesianSeller, parse_revelation
from volition.bazaar.domain import Bazaar, BazaarSettings, ContextSpec, MemoryStore
from volition.bazaar.inspection import (
    Bot,
    InspectionEngine,
    InspectionLimits,
    MemoryInspectionRepository,
    Policy,
)
from volition.bazaar.security import Argon2Hasher
from volition.core import Problem
from volition.errors import InputError
from volition.experiments.game import TabularGame
from volition.experiments.regimes import Regime, World, build_game, engine_unsupported
from volition.mechanisms import Market, Offer, Scenario

__all__ = ["CENTS_PER_UNIT", "EngineMarket", "Outcome", "engine_game"]

CENTS_PER_UNIT = 1_000_000
"""Utility units to the ledger's integer cents: a micro-unit coin, so that prices of a few
hundredths (the fact-checking world's) keep six digits."""

_PASSWORD = "experiment informer"
_HASHER = Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1)  # nobody logs in here
_FUNDS = 10**11
RENEW_AFTER = 16
"""Episodes served by one in-memory bazaar before a fresh one is opened."""


@dataclass(frozen=True)
class Outcome:
    """One episode's result, in utility units: the informer's change in wealth, the buyer's
    (``-paid``), the gross gain of the final action (eq. 1, p = 0) and the names bought."""

    reward: float
    paid: float
    context_paid: float
    gain: float
    bought: frozenset[str]


class EngineMarket:
    """A world and a regime on one in-memory bazaar, episode after episode."""

    def __init__(self, world: World, regime: Regime, exact: TabularGame | None = None) -> None:
        why = engine_unsupported(regime)
        if why is not None:
            raise InputError(f"regime {regime.label} cannot run on the engine: {why}")
        if regime.kind == "rip" and regime.depth > 1 + len(world.context):
            build_game(world, regime)  # raises the exact path's message
        self.world, self.regime = world, regime
        self.depth = 1 if regime.kind == "inspection" else regime.depth
        self.exact = exact or build_game(world, regime)
        self.messages = world.messages()
        self.problem = world.problem
        self.levels = ((), *world.context[: self.depth - 1])  # level 0 is the message
        self.asks = self._asks()
        self._served = RENEW_AFTER
        self._buyers = lru_cache(maxsize=None)(self._buyer)

    def _open(self) -> None:
        """A fresh in-memory bazaar: its operator, a funded buyer, the informer and one
        seller per context offer (the in-memory ledger derives balances from every posting,
        so a long-lived one slows each episode down)."""
        self.bazaar = Bazaar(MemoryStore(), hasher=_HASHER, settings=BazaarSettings(max_depth=10))
        operator = self.bazaar.bootstrap_operator("operator", _PASSWORD)
        self.buyer = self.bazaar.register("buyer", _PASSWORD, buyer=True)
        self.bazaar.credit(operator.id, self.buyer.id, _FUNDS)
        self.informer = self.bazaar.register("informer", _PASSWORD, seller=True)
        self.context_sellers = [
            [
                self.bazaar.register(f"context{k}_{j}", _PASSWORD, seller=True)
                for j in range(len(lv))
            ]
            for k, lv in enumerate(self.levels[1:])
        ]
        self._served = 0

    def _asks(self) -> NDArray[np.int64]:
        """The informer's price in cents per (message, cell of K): the exact regime's
        payment averaged over the states of the cell where it pays, less one cent."""
        game, prior = self.exact, self.problem.prior
        cells = game.cells[0]
        asks = np.zeros((len(self.messages), game.n_cells), np.int64)
        for a in range(len(self.messages)):
            paid = game.revenue[a] > 0
            mass = np.bincount(cells, weights=prior * paid, minlength=game.n_cells)
            total = np.bincount(cells, weights=prior * game.revenue[a], minlength=game.n_cells)
            mean = np.where(mass > 0, total / np.where(mass > 0, mass, 1.0), 0.0)
            asks[a] = np.maximum(np.ceil(mean * CENTS_PER_UNIT).astype(np.int64) - 1, 0)
        return asks

    def _offer(self, action: int, cents: int) -> Offer:
        return Offer("message", "informer", self.messages[action], cents / CENTS_PER_UNIT, 0)

    def _buyer(self, action: int, cents: int) -> BayesianBuyer:
        market = Market.build(
            self.problem, [[self._offer(action, cents)], *self.world.context][: self.depth]
        )
        return BayesianBuyer(market, self.depth, Scenario(1.0), CENTS_PER_UNIT)

    def _bot(self, user_id: str, offer: Offer, level: int, state: int) -> Bot:
        """A bot that sells ``offer`` truthfully in ``state`` on contexts of its level."""
        agent = BayesianSeller(offer, level, self.problem, state, CENTS_PER_UNIT)
        return Bot(user_id, cast(SellerAgent, agent))

    def _wealth(self, user_id: str) -> int:
        b = self.bazaar.balances(user_id)
        return b.cash + b.reserved + b.earnings

    def episode(self, state: int, action: int) -> Outcome:
        """One inspection in ``state`` with the informer offering message ``action``."""
        if self._served >= RENEW_AFTER:
            self._open()
        self._served += 1
        cell = int(self.exact.cells[0, state])
        message = self.messages[action]
        cents = int(self.asks[action, cell]) if message else 0
        # a buyer who sees no offer buys nothing whatever its plan; any message's plan will do
        buyer = self._buyers(action if message else len(self.messages) - 1, cents)
        bots = (
            [self._bot(self.informer.id, self._offer(action, cents), 0, state)] if message else []
        )
        pairs = zip(self.levels[1:], self.context_sellers, strict=True)
        for level, (menu, users) in enumerate(pairs):
            bots += [self._bot(u.id, o, level + 1, state) for o, u in zip(menu, users, strict=True)]
        before = self._wealth(self.buyer.id), self._wealth(self.informer.id)
        seen = {p.id for p, _ in self.bazaar.purchases(self.buyer.id)}
        budget = cents + sum(round(o.price * CENTS_PER_UNIT) for lv in self.levels for o in lv)
        context = self.bazaar.post_context(
            self.buyer.id, ContextSpec("the experiment's decision", budget * (self.depth + 1) + 10)
        )
        engine = InspectionEngine(
            self.bazaar,
            buyer,
            bots=tuple(bots),
            repository=MemoryInspectionRepository(),
            limits=InspectionLimits(
                gather_timeout=timedelta(0),
                max_depth=self.depth - 1,
                max_follow_ups=1,
                min_offers=0,
                policy=Policy.ALL,
            ),
        )
        engine.start(self.buyer.id, context.id)
        engine.run_until_idle()
        after = self._wealth(self.buyer.id), self._wealth(self.informer.id)
        names: set[str] = set()
        values: dict[str, object] = {}
        context_paid = 0
        for purchase, view in self.bazaar.purchases(self.buyer.id):
            if purchase.id in seen:
                continue
            revelation = parse_revelation(view.private_info or "")
            if revelation is None:
                raise InputError(f"the buyer cannot read what it bought ({view.id})")
            names.update(revelation.values)
            values.update(revelation.values)
            if revelation.offer_id != "message":
                context_paid += purchase.price
        posterior = self.problem.world.posterior(values)
        act = self.problem.decision.best_action(posterior)  # an action (a forecast, an index)
        states = np.array([state])
        u = self.problem.decision.utility(states, np.array([act]))[0]
        u0 = self.problem.decision.utility(states, np.array([self.exact_x0]))[0]
        return Outcome(
            reward=(after[1] - before[1]) / CENTS_PER_UNIT,
            paid=(before[0] - after[0]) / CENTS_PER_UNIT,
            context_paid=context_paid / CENTS_PER_UNIT,
            gain=float(u - u0),
            bought=frozenset(names),
        )

    @property
    def exact_x0(self) -> object:
        """x0: the buyer's action on the prior."""
        return self.problem.no_info()[0]


def engine_game(world: World, regime: Regime) -> TabularGame:
    """The regime's game with every outcome measured on the platform: one inspection per
    (message, state of positive probability). The engine and its Bayesian agents are
    deterministic given the hidden state and the offer, so this table is every episode's
    outcome; learners then train on it as on the exact game."""
    exact = build_game(world, regime)
    market = EngineMarket(world, regime, exact)
    problem = world.problem
    n_msg, n = len(market.messages), problem.space.size
    reward, true_value, gain, ex_post, revenue, surplus = (np.zeros((n_msg, n)) for _ in range(6))
    effort = np.array([world.effort_cost * len(m) for m in market.messages])
    post = lru_cache(maxsize=None)(lambda names: _ex_post(problem, names))
    for a in range(n_msg):
        for s in np.flatnonzero(problem.prior > 0):
            out = market.episode(int(s), a)
            reward[a, s] = out.reward - effort[a]
            revenue[a, s] = out.reward
            gain[a, s] = out.gain
            true_value[a, s] = out.gain - out.paid
            ex_post[a, s] = post(out.bought)[s] - out.paid
            surplus[a, s] = out.gain - out.paid + out.reward - effort[a] + out.context_paid
    # the exact game's tables of outcomes, measured; what a message is (category) and what
    # the informers see stay those defined from the world (game.py)
    return replace(
        exact,
        reward=reward[:, None, :],
        true_value=true_value,
        gain=gain,
        ex_post=ex_post,
        revenue=revenue,
        surplus=surplus,
    )


def _ex_post(problem: Problem, names: frozenset[str]) -> NDArray[np.float64]:
    """V(I | I = i) at every state (eq. 2, p = 0) for the names bought."""
    value = problem.value(sorted(names))
    return np.nan_to_num(value.ex_post[value.partition.cells])
