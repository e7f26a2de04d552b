"""One mechanism, two worlds (docs/design.md): the platform's engine with Bayesian agents, policy
``all``, reproduces what ``volition.mechanisms`` computes for RIP: the same purchases at every
level, the same final action and the same expected utility, in every state of every scenario.

Each state of positive probability is one run of the real platform: a funded buyer posts a
context, one Bayesian bot seller per market offer posts its offer truthfully for that state,
the inspection engine runs the Bayesian buyer through the recursion (a follow-up context per
level), and the purchases are read back from the bazaar.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conformance.rip import assert_conforms
from volition.bazaar.domain import Store
from volition.core import MatrixDecision, ProbabilitySpace, Problem, World
from volition.mechanisms import Market, Offer
from volition.mechanisms.examples import fact_checking_market, legumes


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
    from tests.support.databases import empty_pg_store

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
