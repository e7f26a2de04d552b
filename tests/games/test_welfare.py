"""Linear and geometric welfare: the theorems of docs/theory.md §1 as properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.games.textbook import BATTLE, PRISONERS, games
from volition.errors import ComputationError, InputError, ShapeError
from volition.games import (
    NormalFormGame,
    ParetoFrontier,
    geometric_maximum,
    geometric_weights,
    geometric_welfare,
    linear_maximum,
    linear_welfare,
    security_levels,
    supporting_weights,
)
from volition.games.welfare import normalised_weights

weights_st = st.lists(st.floats(0.05, 1.0), min_size=3, max_size=3)


def test_welfare_functions() -> None:
    assert linear_welfare([1, 2], [0.5, 0.5]) == 1.5
    assert geometric_welfare([5, 3], [0.5, 0.5], [1, -1]) == pytest.approx(4.0)
    assert geometric_welfare([0, 3], [0.5, 0.5], [1, -1]) == 0.0
    assert geometric_welfare([0, 3], [0.0, 1.0], [1, -1]) == pytest.approx(4.0)
    assert np.allclose(normalised_weights([1, 3], 2), [0.25, 0.75])
    with pytest.raises(ShapeError, match="one number per player"):
        normalised_weights([1.0], 2)
    for bad in ([-1.0, 2.0], [0.0, 0.0], [np.nan, 1.0]):
        with pytest.raises(InputError, match="non-negative"):
            normalised_weights(bad, 2)


def test_prisoners_dilemma_weights() -> None:
    frontier = ParetoFrontier.of(PRISONERS)
    nash = supporting_weights(frontier, [1, 1])
    assert nash.weights is None and not nash.positive
    assert "no weights" in nash.reason
    coop = supporting_weights(frontier, [3, 3])
    assert coop.positive and np.allclose(coop.weights, [0.5, 0.5])  # type: ignore[arg-type]
    # (5, 0) is supported by lambda with lambda_1 >= 0.6: the most balanced is (0.6, 0.4)
    sucker = supporting_weights(frontier, [5, 0])
    assert sucker.positive and np.allclose(sucker.weights, [0.6, 0.4], atol=1e-6)  # type: ignore[arg-type]
    assert security_levels(PRISONERS).tolist() == [1.0, 1.0]
    assert linear_maximum(PRISONERS, [1, 1]).profiles == ((0, 0),)
    assert linear_maximum(PRISONERS, [1, 0]).profiles == ((1, 0),)


def test_weakly_but_not_strongly_optimal_gets_zero_weights() -> None:
    game = NormalFormGame.from_cells([[[1, 1], [1, 0]], [[0, 0], [0, 0]]])
    frontier = ParetoFrontier.of(game)
    corner = supporting_weights(frontier, [1, 0])  # dominated by (1, 1), only weakly optimal
    assert corner.weights is not None and not corner.positive
    assert np.allclose(corner.weights, [1, 0])


def test_geometric_weights_from_linear_ones() -> None:
    found = geometric_weights([2, 1], [0.5, 0.5], [0, 0])
    assert np.allclose(found.weights, [2 / 3, 1 / 3])  # type: ignore[arg-type]
    none = geometric_weights([0, 1], [0.5, 0.5], [0, 0])
    assert none.weights is None and "not above the disagreement point" in none.reason
    nash = geometric_maximum(BATTLE, [2 / 3, 1 / 3], [0, 0])
    assert np.allclose(nash.payoffs, [2, 1], atol=1e-5)
    with pytest.raises(ComputationError, match="disagreement"):
        geometric_maximum(BATTLE, [0.5, 0.5], [5, 5])


@settings(max_examples=40)
@given(games(strategies=(1, 3)), weights_st)
def test_property_positive_weight_maximiser_is_strongly_pareto(
    game: NormalFormGame, weights: list[float]
) -> None:
    """A maximiser of W_lambda with all lambda_i > 0 is strongly Pareto-optimal (in C)."""
    best = linear_maximum(game, weights[: game.n_players])
    test = ParetoFrontier.of(game).test(best.payoffs)
    assert test.strongly_pareto and test.coordinated_pareto


@settings(max_examples=40)
@given(games(strategies=(1, 3)), weights_st, st.floats(0.0, 1.0))
def test_property_frontier_points_have_positive_supporting_weights(
    game: NormalFormGame, weights: list[float], mix: float
) -> None:
    """Every point of a face of the frontier exposed by lambda > 0 is supported; the LP
    finds strictly positive weights, and they make it a welfare maximiser over C."""
    lam = np.asarray(weights[: game.n_players])
    vectors = game.payoff_vectors()
    values = vectors @ lam
    face = vectors[values >= values.max() - 1e-9 * game.scale()]
    point = mix * face[0] + (1 - mix) * face[-1]
    frontier = ParetoFrontier.of(game)
    found = supporting_weights(frontier, point)
    assert found.positive and found.weights is not None
    assert (vectors @ found.weights).max() <= point @ found.weights + 1e-6 * game.scale()


@settings(max_examples=25)
@given(games(players=(2, 3), strategies=(1, 3)), weights_st)
def test_property_geometric_weights_reproduce_the_point(
    game: NormalFormGame, weights: list[float]
) -> None:
    """u* on the frontier, supporting lambda, p_i ~ lambda_i (u*_i - d_i): u* maximises G_p."""
    point = linear_maximum(game, weights[: game.n_players]).payoffs
    d = game.payoffs.reshape(game.n_players, -1).min(1) - 1.0
    linear = supporting_weights(ParetoFrontier.of(game), point)
    assume(linear.weights is not None and linear.positive)
    assert linear.weights is not None
    p = geometric_weights(point, linear.weights, d).weights
    assert p is not None and np.all(p > 0)
    best = geometric_maximum(game, p, d)
    assert np.allclose(best.payoffs, point, atol=1e-4 * game.scale())
    assert geometric_welfare(point, p, d) >= best.value - 1e-9
