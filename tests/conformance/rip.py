"""The platform run as RIP (a helper of the conformance tests): one inspection with Bayesian
agents per state, checked against what ``volition.mechanisms`` computes."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from tests.support.inspection import World, make_world
from volition.agents.bayesian import BayesianBuyer, BayesianSeller, parse_revelation
from volition.bazaar.domain import MemoryStore, Store
from volition.bazaar.inspection import (
    Bot,
    InspectionEngine,
    InspectionLimits,
    Policy,
    SellerPool,
)
from volition.mechanisms import Market, Recursive, Scenario

CENTS = 100


def run_platform(
    market: Market, depth: int, scenario: Scenario, state: int, store: Store
) -> tuple[list[set[str]], object, int]:
    """One inspection in ``state``: offer ids bought per level, the final action, cents paid."""
    world = make_world(store)
    for level in range(depth):
        for offer in market.menu(scenario, level):
            world.bot(BayesianSeller(offer, level, market.problem, state, CENTS))
    return inspect(world, market, depth, scenario, tuple(world.bots))


def inspect(
    world: World,
    market: Market,
    depth: int,
    scenario: Scenario,
    sellers: tuple[Bot, ...] | SellerPool,
) -> tuple[list[set[str]], object, int]:
    """The Bayesian buyer's inspection with ``sellers`` on ``world``; what ``run_platform``
    returns."""
    buyer = BayesianBuyer(market, depth, scenario, CENTS)
    total = sum(round(o.price * CENTS) for lvl in market.levels for o in lvl)
    context = world.post("decide", budget=total * (depth + 1) + 10)
    engine = InspectionEngine(
        world.bazaar,
        buyer,
        bots=sellers,
        repository=world.repository(),
        limits=InspectionLimits(
            gather_timeout=timedelta(0),
            max_depth=depth - 1,
            max_follow_ups=1,
            min_offers=0,
            policy=Policy.ALL,
        ),
    )
    engine.start(world.buyer.id, context.id)
    engine.run_until_idle()
    bought: list[set[str]] = [set() for _ in range(depth)]
    infos, paid = [], 0
    # Read what was bought as the buyer may see it: under policy `all` the domain lets the
    # buyer read every purchase, at every level, whatever was bought above it.
    for purchase, offer in world.bazaar.purchases(world.buyer.id):
        assert offer.private_info is not None, f"the buyer cannot read {offer.id}"
        revelation = parse_revelation(offer.private_info)
        assert revelation is not None
        level = next(k for k in range(depth) if revelation.offer_id in _ids(market, k, scenario))
        bought[level].add(revelation.offer_id)
        infos.append(offer.private_info)
        paid += purchase.price
    return bought, buyer.final_action(infos), paid


def _ids(market: Market, level: int, scenario: Scenario) -> set[str]:
    return {o.id for o in market.menu(scenario, level)}


def assert_conforms(market: Market, depth: int, store_factory=MemoryStore, run=run_platform) -> int:
    """Check every scenario and state; return how many purchases the platform made.

    ``run`` is one platform run (``run_platform``'s signature): with in-memory bots, or
    stored ones.
    """
    result = Recursive(depth).evaluate(market)
    problem = market.problem
    expected = 0.0
    purchases = 0
    for outcome in result.outcomes:
        plan, scenario = outcome.plan, outcome.scenario
        for state in np.flatnonzero(problem.prior > 0):
            bought, action, paid = run(market, depth, scenario, int(state), store_factory())
            for level in range(depth):
                mask = int(plan.masks[level][state])
                menu = market.menu(scenario, level)
                assert bought[level] == {o.id for k, o in enumerate(menu) if mask >> k & 1}, (
                    f"{scenario.name}, state {problem.space.states[state]}, level {level}"
                )
            purchases += sum(len(b) for b in bought)
            assert action == problem.describe(plan.actions[state])
            assert paid == round(plan.paid[state] * CENTS)
            states, actions = np.array([state]), np.array([plan.actions[state]])
            utility = float(problem.decision.utility(states, actions)[0])
            expected += scenario.probability * problem.prior[state] * (utility - paid / CENTS)
    assert expected == pytest.approx(result.expected_utility, abs=1e-9)
    return purchases
