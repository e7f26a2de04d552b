"""Pure, mixed and correlated equilibria: textbook answers and economic checks.

Every solver is checked by what makes an equilibrium one (regret <= tol; the incentive
constraints of a correlated equilibrium hold), and cross-checked with Gambit.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings

from tests.games.textbook import (
    BATTLE,
    DEGENERATE,
    PENNIES,
    PRISONERS,
    PUBLIC_GOOD,
    SHAPLEY,
    STAG_HUNT,
    TEXTBOOK,
    games,
)
from volition.errors import ComputationError, ShapeError
from volition.games import (
    MixedEquilibrium,
    NormalFormGame,
    correlated_equilibrium,
    incentive_gains,
    pure_nash_equilibria,
    vertex_enumeration,
)
from volition.games.gambit import gambit_mixed_equilibria, gambit_pure_equilibria

TOL = 1e-7


@pytest.mark.parametrize(
    ("game", "expected"),
    [
        (PRISONERS, [(1, 1)]),
        (BATTLE, [(0, 0), (1, 1)]),
        (STAG_HUNT, [(0, 0), (1, 1)]),
        (PENNIES, []),
        (SHAPLEY, []),
        (PUBLIC_GOOD, [(1, 1, 1)]),
    ],
    ids=lambda g: getattr(g, "title", ""),
)
def test_pure_equilibria_of_textbook_games(
    game: NormalFormGame, expected: list[tuple[int, ...]]
) -> None:
    assert pure_nash_equilibria(game) == expected


def test_pure_equilibria_are_checked_by_the_definition() -> None:
    game = NormalFormGame.from_cells(np.zeros((2, 3, 2)))  # all ties: every profile
    assert len(pure_nash_equilibria(game)) == 6


@settings(max_examples=60)
@given(games(strategies=(1, 4)))
def test_property_pure_equilibria_match_brute_force_and_gambit(game: NormalFormGame) -> None:
    found = pure_nash_equilibria(game)
    brute = []
    for profile in itertools.product(*(range(m) for m in game.shape)):
        sigmas = [np.eye(m)[a] for m, a in zip(game.shape, profile, strict=True)]
        if game.regrets(sigmas).max() <= 1e-9:
            brute.append(profile)
    assert found == brute
    assert found == gambit_pure_equilibria(game)
    # a pure equilibrium is a (point-mass) correlated equilibrium
    for profile in found:
        point = np.zeros(game.shape)
        point[profile] = 1.0
        assert incentive_gains(game, point).max() <= 1e-9


def _as_set(equilibria: list[MixedEquilibrium]) -> set[tuple[float, ...]]:
    return {tuple(np.round(np.concatenate(e.profile), 6)) for e in equilibria}


def _same(ours: list[MixedEquilibrium], theirs: list[MixedEquilibrium]) -> bool:
    """The same profiles (within 1e-6) on both sides, whatever the order."""
    a = np.array([np.concatenate(e.profile) for e in ours])
    b = np.array([np.concatenate(e.profile) for e in theirs])
    if a.shape != b.shape:
        return False
    close = np.abs(a[:, None, :] - b[None, :, :]).max(2) <= 1e-6
    return bool(close.any(0).all() and close.any(1).all())


@pytest.mark.parametrize("game", TEXTBOOK, ids=lambda g: g.title)
def test_vertex_enumeration_finds_gambits_extreme_equilibria(game: NormalFormGame) -> None:
    ours = vertex_enumeration(game)
    assert all(e.max_regret <= TOL for e in ours)
    assert _same(ours, gambit_mixed_equilibria(game, "enummixed"))


def test_textbook_mixed_equilibria() -> None:
    (pennies,) = vertex_enumeration(PENNIES)
    assert np.allclose(pennies.profile, [[0.5, 0.5], [0.5, 0.5]])
    (shapley,) = vertex_enumeration(SHAPLEY)
    assert np.allclose(shapley.profile, np.full((2, 3), 1 / 3))
    battle = _as_set(vertex_enumeration(BATTLE))
    assert (0.666667, 0.333333, 0.333333, 0.666667) in battle
    assert len(battle) == 3
    # von Stengel's degenerate game: three extreme equilibria, two sharing x = (1, 0, 0)
    assert len(vertex_enumeration(DEGENERATE)) == 3


@settings(max_examples=40)
@given(games(players=(2, 2), strategies=(1, 4)))
def test_property_vertex_enumeration_agrees_with_gambit(game: NormalFormGame) -> None:
    """Random games, degenerate ones included (small integer payoffs tie often)."""
    ours = vertex_enumeration(game)
    assert ours, "every finite game has an equilibrium"
    # pure equilibria are extreme points of the equilibrium set
    assert set(pure_nash_equilibria(game)) <= {e.pure_profile() for e in ours if e.is_pure}
    assert all(e.max_regret <= TOL * game.scale() for e in ours)
    assert _same(ours, gambit_mixed_equilibria(game, "enummixed"))


def test_vertex_enumeration_is_invariant_to_rescaling() -> None:
    rescaled = NormalFormGame(
        DEGENERATE.payoffs * np.array([1000.0, 0.001])[:, None, None] + 7,
        DEGENERATE.players,
        DEGENERATE.strategies,
    )
    assert _as_set(vertex_enumeration(rescaled)) == _as_set(vertex_enumeration(DEGENERATE))


def test_vertex_enumeration_refuses_what_it_cannot_do() -> None:
    with pytest.raises(ComputationError, match="two players"):
        vertex_enumeration(PUBLIC_GOOD)
    with pytest.raises(ComputationError, match="lcp"):
        vertex_enumeration(SHAPLEY, max_bases=10)


@pytest.mark.parametrize("method", ["logit", "gnm"])
def test_gambit_n_player_solvers_return_checked_equilibria(method: str) -> None:
    rng = np.random.default_rng(0)
    game = NormalFormGame.from_tables(list(rng.integers(0, 10, (3, 3, 3, 3))))
    found = gambit_mixed_equilibria(game, method)  # type: ignore[arg-type]
    assert found
    assert all(e.max_regret <= 1e-6 * game.scale() for e in found)
    (public,) = gambit_mixed_equilibria(PUBLIC_GOOD, "logit")
    assert public.pure_profile() == (1, 1, 1)
    assert public.is_pure


def test_gambit_logit_survives_a_wide_payoff_range() -> None:
    chicken = NormalFormGame.from_cells([[[0, 0], [-1, 1]], [[1, -1], [-10, -10]]])
    (eq,) = gambit_mixed_equilibria(chicken, "logit")
    assert eq.max_regret <= 1e-6 * chicken.scale()


def test_two_player_gambit_methods_refuse_three_players() -> None:
    with pytest.raises(ComputationError, match="two players"):
        gambit_mixed_equilibria(PUBLIC_GOOD, "lcp")


@pytest.mark.parametrize("game", [*TEXTBOOK, PUBLIC_GOOD], ids=lambda g: g.title)
@pytest.mark.parametrize("coarse", [False, True])
def test_correlated_equilibria_satisfy_their_incentive_constraints(
    game: NormalFormGame, coarse: bool
) -> None:
    ce = correlated_equilibrium(game, coarse=coarse)
    assert ce.distribution.shape == game.shape
    assert np.isclose(ce.distribution.sum(), 1.0)
    assert np.all(ce.distribution >= 0)
    assert incentive_gains(game, ce.distribution, coarse).max() <= TOL * game.scale()


def test_chicken_correlated_equilibrium_beats_every_nash_equilibrium() -> None:
    """Aumann's example: a mediator lifts welfare above every Nash equilibrium's."""
    chicken = NormalFormGame.from_cells([[[6, 6], [2, 7]], [[7, 2], [0, 0]]])
    ce = correlated_equilibrium(chicken)
    nash = [e.payoffs.sum() for e in vertex_enumeration(chicken)]
    assert ce.welfare > max(nash) + 0.5
    assert np.isclose(ce.welfare, 10.5)  # 1/2 (6, 6) + 1/4 (2, 7) + 1/4 (7, 2), by hand
    cce = correlated_equilibrium(chicken, coarse=True)
    assert cce.welfare >= ce.welfare - TOL


def test_prisoners_dilemma_has_only_the_dominant_equilibrium() -> None:
    ce = correlated_equilibrium(PRISONERS)
    assert np.allclose(ce.distribution, [[0, 0], [0, 1]])


def test_welfare_weights_are_validated() -> None:
    with pytest.raises(ShapeError, match="one number per player"):
        correlated_equilibrium(PRISONERS, weights=[1.0])


@settings(max_examples=40)
@given(games(strategies=(1, 3)))
def test_property_correlated_welfare_bounds_nash_welfare(game: NormalFormGame) -> None:
    """Nash equilibria are correlated, which are coarse correlated: welfare can only rise."""
    ce = correlated_equilibrium(game)
    cce = correlated_equilibrium(game, coarse=True)
    tol = TOL * game.scale() * game.n_players
    assert incentive_gains(game, ce.distribution).max() <= TOL * game.scale()
    assert incentive_gains(game, cce.distribution, coarse=True).max() <= TOL * game.scale()
    assert cce.welfare >= ce.welfare - tol
    for profile in pure_nash_equilibria(game):
        assert (
            ce.welfare
            >= game.payoff_vectors()[np.ravel_multi_index(profile, game.shape)].sum() - tol
        )
    # a correlated equilibrium is a coarse one
    assert incentive_gains(game, ce.distribution, coarse=True).max() <= TOL * game.scale()
    if game.n_players == 2:  # and mixed Nash equilibria are correlated ones too
        for eq in vertex_enumeration(game):
            assert ce.welfare >= eq.payoffs.sum() - tol
