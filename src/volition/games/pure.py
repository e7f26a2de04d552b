"""All pure Nash equilibria, vectorised over the payoff tensor (docs/theory.md §1).

x* is a pure Nash equilibrium when no agent gains by deviating alone: for every player i,
U_i(x*) = max_{a} U_i(a, x*_{-i}). Each player's best-response mask is one ``max`` along
its own axis; the equilibria are the profiles where all masks are true.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from volition.games.game import NormalFormGame

__all__ = ["DEFAULT_RTOL", "best_response_mask", "pure_nash_equilibria", "pure_nash_mask"]

DEFAULT_RTOL = 1e-9
"""Payoff ties within this fraction of the game's payoff range count as best responses."""


def best_response_mask(
    game: NormalFormGame, player: int, rtol: float = DEFAULT_RTOL
) -> NDArray[np.bool_]:
    """True at the profiles where ``player``'s strategy is a best response to the others'."""
    u = game.payoffs[player]
    best = u.max(axis=player, keepdims=True)
    return np.asarray(u >= best - rtol * game.scale())


def pure_nash_mask(game: NormalFormGame, rtol: float = DEFAULT_RTOL) -> NDArray[np.bool_]:
    """True at every pure Nash equilibrium: the conjunction of the best-response masks."""
    mask = best_response_mask(game, 0, rtol)
    for i in range(1, game.n_players):
        mask &= best_response_mask(game, i, rtol)
    return mask


def pure_nash_equilibria(game: NormalFormGame, rtol: float = DEFAULT_RTOL) -> list[tuple[int, ...]]:
    """Every pure Nash equilibrium as a profile of strategy indices, in C order."""
    return [tuple(int(a) for a in idx) for idx in np.argwhere(pure_nash_mask(game, rtol))]
