"""Properties on random small worlds: the tables agree with ``strategic_seller`` and keep
their accounts (docs/theory.md §3)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from volition.core import MatrixDecision, ProbabilitySpace, Problem
from volition.core import World as CoreWorld
from volition.experiments import World, build_game, parse_regime, subgame_perfect
from volition.mechanisms import StrategicSeller, strategic_seller


@st.composite
def worlds(draw: st.DrawFn) -> World:
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = 8
    space = ProbabilitySpace.from_weights(n, rng.random(n) + 0.05)
    facts = {"A": rng.integers(0, 2, n), "B": rng.integers(0, 2, n)}
    utility = np.round(rng.standard_normal((n, 3)), 2)
    problem = Problem(CoreWorld.build(space, facts), MatrixDecision(3, utility))
    return World("random", problem, ("A", "B"), effort_cost=0.0)


@settings(max_examples=40, deadline=None)
@given(worlds(), st.sampled_from(["naive", "inspection"]))
def test_property_the_best_response_is_paid_what_strategic_seller_is(
    world: World, regime: str
) -> None:
    game = build_game(world, parse_regime(regime))
    exact = subgame_perfect(game)
    out = strategic_seller(world.problem, StrategicSeller(world.knows), regime)  # type: ignore[arg-type]
    assert exact.expected_reward[0] == pytest.approx(out.expected_payment, abs=1e-9)
    assert exact.expected_true_value == pytest.approx(out.expected_net, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(worlds(), st.sampled_from(["naive", "inspection", "oversight", "oversight:2"]))
def test_property_the_accounts_balance(world: World, regime: str) -> None:
    """The buyer's net value plus what it paid is its gain; surplus is the gain (no effort,
    free offers); the oversight rewards telescope to the gain in expectation; an IP buyer
    pays nothing for the empty message."""
    game = build_game(world, parse_regime(regime))
    support = world.problem.prior > 0
    if not regime.startswith("oversight"):
        np.testing.assert_allclose(
            (game.true_value + game.revenue)[:, support], game.gain[:, support], atol=1e-12
        )
    np.testing.assert_allclose(game.surplus[:, support], game.gain[:, support], atol=1e-12)
    if regime.startswith("oversight"):  # the rewards telescope (docs/theory.md §4), in expectation
        np.testing.assert_allclose(game.revenue @ game.prior, game.gain @ game.prior, atol=1e-9)
    if regime == "inspection":
        assert np.all(game.revenue[0] == 0)  # the empty message is never paid
        assert np.all(game.revenue >= 0)
