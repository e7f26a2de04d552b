"""Exchange economies: equilibria and both welfare theorems as properties (docs/theory.md §2)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from volition.errors import InputError, ShapeError
from volition.games.economies import (
    CES,
    CobbDouglas,
    ExchangeEconomy,
    Externality,
    Linear,
    competitive_equilibrium,
    pareto_improvement,
    pigouvian_tax,
    second_welfare_theorem,
)


def two_by_two() -> ExchangeEconomy:
    return ExchangeEconomy.build(
        ["a", "b"], ["x", "y"], [CobbDouglas([0.3, 0.7]), CobbDouglas([0.6, 0.4])], [[1, 0], [0, 1]]
    )


def test_cobb_douglas_equilibrium_matches_the_closed_form() -> None:
    """a sells x and buys y: p_x = 0.6 p_y / (1 - ... ); by hand p_x / p_y = 0.6 / 0.7."""
    eq = competitive_equilibrium(two_by_two())
    assert eq.converged and eq.method == "root"
    assert eq.prices[0] / eq.prices[1] == pytest.approx(0.6 / 0.7)
    np.testing.assert_allclose(eq.allocation, [[0.3, 0.6], [0.7, 0.4]], atol=1e-9)
    np.testing.assert_allclose(eq.allocation.sum(axis=0), [1, 1])


def test_the_endowment_and_an_equal_split_are_not_pareto_optimal() -> None:
    economy = two_by_two()
    assert not pareto_improvement(economy, economy.endowments).pareto_optimal
    split = pareto_improvement(economy, [[0.5, 0.5], [0.5, 0.5]])
    assert not split.pareto_optimal and split.gain > 0.05
    better = economy.utility_of(split.improvement)
    assert np.all(better >= economy.utility_of(np.full((2, 2), 0.5)) - 1e-9)


utilities = st.one_of(
    st.lists(st.floats(0.2, 3), min_size=3, max_size=3).map(CobbDouglas),
    st.tuples(st.lists(st.floats(0.2, 3), min_size=3, max_size=3), st.floats(0.1, 0.8)).map(
        lambda a: CES(a[0], a[1])
    ),
)


@st.composite
def economies(draw: st.DrawFn, allow_linear: bool = True) -> ExchangeEconomy:
    n = draw(st.integers(2, 3))
    kinds = utilities
    if allow_linear:
        linear = st.lists(st.floats(0.2, 3), min_size=3, max_size=3).map(Linear)
        kinds = st.one_of(utilities, linear)
    us = [draw(kinds) for _ in range(n)]
    omega = draw(
        st.lists(st.lists(st.floats(0.1, 3), min_size=3, max_size=3), min_size=n, max_size=n)
    )
    return ExchangeEconomy.build([f"a{i}" for i in range(n)], ["x", "y", "z"], us, omega)


@settings(max_examples=20)
@given(economies())
def test_first_welfare_theorem_equilibria_are_pareto_optimal(economy: ExchangeEconomy) -> None:
    eq = competitive_equilibrium(economy)
    assert eq.converged, (eq.excess_demand, eq.optimality_gap)
    np.testing.assert_allclose(eq.allocation.sum(axis=0), economy.supply, rtol=1e-6)
    assert np.all(eq.allocation @ eq.prices <= eq.incomes * (1 + 1e-6))  # budgets hold
    assert pareto_improvement(economy, eq.allocation).gain <= 1e-5


@settings(max_examples=20)
@given(economies(allow_linear=False), st.lists(st.floats(0.2, 5), min_size=3, max_size=3))
def test_second_welfare_theorem_transfers_reproduce_the_optimum(economy, shares) -> None:
    shares = shares[: economy.n_agents]
    second = second_welfare_theorem(economy, shares=shares)
    assert second.reproduces
    assert second.transfers.sum() == pytest.approx(0.0, abs=1e-9)
    assert pareto_improvement(economy, second.allocation).gain <= 1e-5
    # endowments moved by the transfers: the market reaches the chosen optimum by itself
    moved = ExchangeEconomy.build(
        economy.agents, economy.goods, economy.utilities, second.allocation
    )
    eq = competitive_equilibrium(moved)
    assert eq.converged
    np.testing.assert_allclose(eq.allocation, second.allocation, atol=1e-4)
    np.testing.assert_allclose(eq.prices, second.prices, rtol=1e-4)


def test_second_theorem_from_a_given_allocation_and_its_refusal() -> None:
    economy = two_by_two()
    eq = competitive_equilibrium(economy)
    second = second_welfare_theorem(economy, allocation=eq.allocation)
    np.testing.assert_allclose(second.prices, eq.prices, rtol=1e-6)
    np.testing.assert_allclose(second.transfers, 0.0, atol=1e-9)  # already an equilibrium
    with pytest.raises(InputError, match="not Pareto-optimal"):
        second_welfare_theorem(economy, allocation=[[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(InputError, match="shares"):
        second_welfare_theorem(economy)


def test_linear_utilities_use_proportional_response() -> None:
    economy = ExchangeEconomy.build(
        ["a", "b"], ["x", "y"], [Linear([2, 1]), Linear([1, 3])], [[1, 0], [0, 1]]
    )
    eq = competitive_equilibrium(economy)
    assert eq.method == "proportional-response" and eq.converged
    ratio = eq.prices[0] / eq.prices[1]
    assert 1 / 3 - 1e-6 <= ratio <= 2 + 1e-6  # each keeps the good it likes best
    with pytest.raises(InputError, match="proportional-response"):
        competitive_equilibrium(economy, method="root")


def test_an_externality_breaks_the_first_theorem_and_a_pigouvian_tax_restores_it() -> None:
    economy = ExchangeEconomy.build(
        ["alice", "bob"],
        ["coal", "bread"],
        [CobbDouglas([0.5, 0.5]), CobbDouglas([0.5, 0.5])],
        [[1, 1], [1, 1]],
        Externality(source=0, good=0, harmed=1, damage=0.2),
    )
    result = pigouvian_tax(economy)
    assert not result.untaxed_test.pareto_optimal
    assert result.taxed_test.pareto_optimal
    assert result.taxed.allocation[0, 0] < result.untaxed.allocation[0, 0]  # less coal burnt
    # the rate is the marginal damage in money: tau p_coal = damage / lambda_bob
    bob = result.taxed.allocation[1]
    lam = economy.utilities[1].gradient(bob)[1] / result.taxed.prices[1]
    assert result.rate * result.taxed.prices[0] == pytest.approx(0.2 / lam, rel=1e-8)


def test_bad_economies_are_refused() -> None:
    with pytest.raises(ShapeError, match="2 utilities for 3 agents"):
        ExchangeEconomy.build(["a", "b", "c"], ["x"], [Linear([1]), Linear([1])], [[1], [1], [1]])
    with pytest.raises(InputError, match="nobody is endowed with good 'y'"):
        ExchangeEconomy.build(["a"], ["x", "y"], [Linear([1, 1])], [[1, 0]])
    with pytest.raises(InputError, match="rho < 1"):
        CES([1, 1], 1.5)
    with pytest.raises(InputError, match="no externality"):
        pigouvian_tax(two_by_two())
