"""Pareto skylines against the all-pairs definition, and the coordinated-frontier tests."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tests.games.textbook import BATTLE, PRISONERS, PUBLIC_GOOD, games
from volition.errors import ShapeError
from volition.games import NormalFormGame, ParetoFrontier, dominates, skyline_mask


def all_pairs(points: np.ndarray, weak: bool) -> np.ndarray:
    """The definition, O(N^2): no other point dominates (broadcast over all pairs)."""
    q, p = points[None, :, :], points[:, None, :]
    dominated = (q > p).all(2) if weak else (q >= p).all(2) & (q > p).any(2)
    return np.asarray(~dominated.any(1))


def test_dominates() -> None:
    assert dominates([1, 2], [1, 1]) and not dominates([1, 1], [1, 1])
    assert dominates([2, 2], [1, 1], strict=True) and not dominates([1, 2], [1, 1], strict=True)


point_sets = st.integers(1, 4).flatmap(
    lambda n: arrays(
        np.float64,
        st.tuples(st.integers(0, 700), st.just(n)),
        elements=st.integers(-4, 4).map(float) | st.floats(-1e3, 1e3, allow_nan=False),
    )
)


@settings(max_examples=80)
@given(point_sets, st.booleans())
def test_property_skyline_equals_the_all_pairs_definition(points: np.ndarray, weak: bool) -> None:
    """Many duplicates and ties (small integers) and blocks larger than one (N up to 700)."""
    assert np.array_equal(skyline_mask(points, weak=weak), all_pairs(points, weak))


def test_skyline_examples() -> None:
    pts = np.array([[1, 1], [2, 0], [0, 2], [1, 1], [0, 0], [2, 0], [1, 2]], dtype=float)
    assert skyline_mask(pts).tolist() == [False, True, False, False, False, True, True]
    # weakly optimal: nothing beats (1, 1) or (0, 2) in both coordinates at once
    assert skyline_mask(pts, weak=True).tolist() == [True, True, True, True, False, True, True]
    with pytest.raises(ShapeError):
        skyline_mask(np.zeros(3))
    assert skyline_mask(np.zeros((0, 2))).shape == (0,)


def test_prisoners_dilemma_frontier() -> None:
    frontier = ParetoFrontier.of(PRISONERS)
    assert frontier.profiles() == [(0, 0), (0, 1), (1, 0)]
    nash = frontier.test([1, 1])
    assert not (nash.strongly_pareto or nash.weakly_pareto or nash.coordinated_pareto)
    assert nash.feasible
    assert nash.total_gain == pytest.approx(4.0)  # to (3, 3)
    assert nash.uniform_gain == pytest.approx(2.0)
    assert np.allclose(nash.dominating_point, [3, 3])  # type: ignore[arg-type]
    cooperate = frontier.test([3, 3])
    assert cooperate.strongly_pareto and cooperate.coordinated_pareto
    assert cooperate.distance_to_frontier == 0.0


def test_pure_optimum_that_coordination_beats() -> None:
    """(1, 1) is Pareto-optimal among pure outcomes but a mixture of (2, 0) and (0, 2) ties
    it and a mixture of (3, 0), (0, 3) beats it: only coordination reveals the gap."""
    game = NormalFormGame.from_cells([[[3, 0], [1, 1]], [[0, 0], [0, 3]]])
    test = ParetoFrontier.of(game).test([1, 1])
    assert test.strongly_pareto and test.weakly_pareto
    assert not test.coordinated_pareto
    assert test.uniform_gain == pytest.approx(0.5)


def test_vectors_beyond_and_below_the_frontier() -> None:
    frontier = ParetoFrontier.of(BATTLE)
    beyond = frontier.test([3, 3])
    assert not beyond.feasible
    assert beyond.coordinated_pareto and beyond.strongly_pareto
    assert beyond.uniform_gain < 0
    assert beyond.distance_to_frontier == 0.0
    edge = frontier.test([1.5, 1.5])  # the midpoint of (2, 1) and (1, 2)
    assert edge.feasible and edge.coordinated_pareto and edge.strongly_pareto
    below = frontier.test([1.2, 1.2])  # no pure outcome beats it; a mixture does
    assert below.feasible and below.strongly_pareto and not below.coordinated_pareto
    assert below.uniform_gain == pytest.approx(0.3)
    with pytest.raises(ShapeError):
        frontier.test([1.0])


def test_three_player_frontier() -> None:
    frontier = ParetoFrontier.of(PUBLIC_GOOD)
    labels = [PUBLIC_GOOD.profile_labels(p) for p in frontier.profiles()]
    assert ("C", "C", "C") in labels and ("N", "N", "N") not in labels
    assert frontier.test([0, 0, 0]).distance_to_frontier == pytest.approx(1.0)


@settings(max_examples=40)
@given(games(strategies=(1, 4)))
def test_property_frontier_profiles_are_undominated(game: NormalFormGame) -> None:
    frontier = ParetoFrontier.of(game)
    vectors = game.payoff_vectors()
    assert np.array_equal(frontier.strong_mask.ravel(), all_pairs(vectors, weak=False))
    assert np.array_equal(frontier.weak_mask.ravel(), all_pairs(vectors, weak=True))
    # every pure payoff vector is feasible; a strongly optimal one is weakly optimal too
    for k in range(min(game.n_profiles, 5)):
        test = frontier.test(vectors[k])
        assert test.feasible
        assert test.uniform_gain >= -1e-9
        if test.coordinated_pareto:
            assert test.strongly_pareto


def test_zero_sum_games_are_all_pareto_optimal() -> None:
    """Nothing can be pruned: every distinct payoff vector lies on the line u_2 = -u_1."""
    rng = np.random.default_rng(3)
    u = rng.integers(-50, 50, (40, 40)).astype(float)
    game = NormalFormGame.from_tables([u, -u])
    assert ParetoFrontier.of(game).strong_mask.all()
    three = rng.random((3, 20))
    assert skyline_mask(np.c_[three.T, -three.sum(0)]).all()  # on a plane, also all optimal
