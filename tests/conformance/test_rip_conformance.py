"""One mechanism, two worlds (docs/design.md): the platform's engine with Bayesian agents, policy
``all``, reproduces what ``volition.mechanisms`` computes for RIP: the same purchases at every
level, the same final action and the same expected utility, in every state of every scenario.

Each state of positive probability is one run of the real platform: a funded buyer posts a
context, one Bayesian bot seller per market offer posts its offer truthfully for that state,
the inspection engine runs the Bayesian buyer through the recursion (a follow-up context per
level), and the purchases are read back from the bazaar.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.inspection import helpers
from tests.inspection.helpers import make_world
from volition.agents.bayesian import BayesianBuyer, BayesianSeller, parse_revelation
from volition.bazaar.domain import MemoryStore, Store
from volition.bazaar.inspection import (
    Bot,
    InspectionEngine,
    InspectionLimits,
    Policy,
    SellerPool,
)
from volition.core import MatrixDecision, ProbabilitySpace, Problem, World
from volition.mechanisms import Market, Offer, Recursive, Scenario
from volition.mechanisms.examples import fact_checking_market, legumes

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
    world: helpers.World,
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


def test_fact_checking_market_conforms() -> None:
    market = fact_checking_market()
    assert assert_conforms(market, len(market.levels)) > 0


def test_legumes_conform() -> None:
    market = legumes()
    assert assert_conforms(market, len(market.levels)) > 0


def test_conformance_on_sqlite(tmp_path) -> None:
    from volition.bazaar.storage import SqlStore

    counter = iter(range(1000))

    def sqlite_store() -> Store:
        return SqlStore.open(f"sqlite:///{tmp_path}/run{next(counter)}.db")

    market = fact_checking_market()
    assert_conforms(market, len(market.levels), sqlite_store)


def test_conformance_on_postgresql(conformance_pg_url: str) -> None:
    """The same on PostgreSQL, with the engine's state in the SQL inspection repository."""
    from tests.inspection.conftest import empty_pg_store

    opened: list[Store] = []

    def pg_store() -> Store:
        for old in opened:
            old.close()  # type: ignore[attr-defined]
        opened[:] = [empty_pg_store(conformance_pg_url)]
        return opened[0]

    market = fact_checking_market()
    assert assert_conforms(market, len(market.levels), pg_store) > 0
    for store in opened:
        store.close()  # type: ignore[attr-defined]


@st.composite
def small_markets(draw: st.DrawFn) -> Market:
    n = draw(st.integers(2, 4))
    weights = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    names = ["A", "B", "C"]
    variables = {v: draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)) for v in names}
    k = draw(st.integers(2, 3))
    utility = draw(
        st.lists(st.lists(st.integers(-3, 3), min_size=k, max_size=k), min_size=n, max_size=n)
    )
    problem = Problem(
        World.build(ProbabilitySpace.from_weights(n, weights), variables),
        MatrixDecision(k, utility),
    )
    prices = st.sampled_from([0.0, 0.01, 0.05, 0.2])
    level0 = [Offer(f"o{i}", f"s{i}", (names[i],), draw(prices), 0) for i in range(2)]
    level1 = [Offer("d0", "sd", (names[2],), draw(prices), 1)]
    return Market.build(problem, [level0, level1])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_markets())
def test_random_small_markets_conform(market: Market) -> None:
    assert_conforms(market, 2)
