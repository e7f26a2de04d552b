"""The payoff tensor: construction, validation, expected payoffs and regrets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from tests.games.textbook import PENNIES, PRISONERS, PUBLIC_GOOD, games
from volition.errors import ProbabilityError, ShapeError, UnknownNameError
from volition.games import NormalFormGame


def test_cells_and_tables_give_the_same_tensor() -> None:
    tables = NormalFormGame.from_tables([[[3, 0], [5, 1]], [[3, 5], [0, 1]]])
    assert np.array_equal(tables.payoffs, PRISONERS.payoffs)
    assert PRISONERS.shape == (2, 2)
    assert PRISONERS.n_profiles == 4
    assert PRISONERS.players == ("1", "2")
    assert PRISONERS.strategies == (("1", "2"), ("1", "2"))


def test_payoff_vectors_follow_c_order() -> None:
    vectors = PUBLIC_GOOD.payoff_vectors()
    for k in range(PUBLIC_GOOD.n_profiles):
        profile = PUBLIC_GOOD.profile(k)
        assert np.array_equal(vectors[k], PUBLIC_GOOD.payoffs[(slice(None), *profile)])
    assert PUBLIC_GOOD.profile_labels((0, 1, 1)) == ("C", "N", "N")


def test_the_tensor_is_read_only() -> None:
    with pytest.raises(ValueError):
        PRISONERS.payoffs[0, 0, 0] = 9


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: NormalFormGame.from_tables([[1, 2], [[1, 2]]]), "dimensions"),
        (lambda: NormalFormGame.from_tables([[[1, 2]], [[1, 2, 3]]]), "shape"),
        (lambda: NormalFormGame.from_cells([[1, 2, 3], [1, 2, 3]]), "one payoff per player"),
        (lambda: NormalFormGame.from_cells([[[1, 2]]], players=["a"]), "1 player names"),
        (lambda: NormalFormGame.from_cells([[[1, np.nan]]]), "finite"),
        (lambda: NormalFormGame.from_cells([[[1, 1]]], players=["a", "a"]), "repeat"),
        (
            lambda: NormalFormGame.from_cells([[[1, 1], [2, 2]]], strategies=[["x"], ["y"]]),
            "strategy names",
        ),
    ],
)
def test_bad_games_are_refused_with_a_clear_message(build: object, words: str) -> None:
    with pytest.raises(ShapeError, match=words):
        build()  # type: ignore[operator]


def test_mixed_profiles_are_validated() -> None:
    with pytest.raises(ProbabilityError, match="negative"):
        PENNIES.expected_payoffs([[1.5, -0.5], [0.5, 0.5]])
    with pytest.raises(ProbabilityError, match="sums to"):
        PENNIES.expected_payoffs([[0.2, 0.2], [0.5, 0.5]])
    with pytest.raises(ShapeError):
        PENNIES.expected_payoffs([[1.0], [0.5, 0.5]])
    with pytest.raises(UnknownNameError, match="players are"):
        PENNIES.player_index("nobody")


def test_matching_pennies_uniform_play_has_no_regret() -> None:
    half = [0.5, 0.5]
    assert np.allclose(PENNIES.expected_payoffs([half, half]), [0, 0])
    assert np.allclose(PENNIES.regrets([half, half]), [0, 0])
    assert np.allclose(PENNIES.regrets([[1, 0], half]), [0, 1])


@settings(max_examples=40)
@given(games())
def test_property_expected_payoffs_match_brute_force(game: NormalFormGame) -> None:
    rng = np.random.default_rng(0)
    sigmas = [rng.dirichlet(np.ones(m)) for m in game.shape]
    joint = sigmas[0]
    for s in sigmas[1:]:
        joint = np.multiply.outer(joint, s)
    brute = np.array([(game.payoffs[i] * joint).sum() for i in range(game.n_players)])
    assert np.allclose(game.expected_payoffs(sigmas), brute)
    # regret is the best pure deviation's gain, never negative
    assert np.all(game.regrets(sigmas) >= -1e-9)
