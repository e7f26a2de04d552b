"""Correlated and coarse correlated equilibria by linear programming (docs/theory.md §1).

"If the agents could coordinate": a mediator draws a joint profile x from a distribution
p over all profiles and tells each agent its own part.

- *correlated equilibrium* (Aumann): no agent gains by replacing a recommended a by any a',
  sum_{x_-i} p(a, x_-i) [U_i(a, x_-i) - U_i(a', x_-i)] >= 0 for all i, a, a';
- *coarse correlated equilibrium* (Hannan): no agent gains by ignoring the mediator
  altogether, sum_x p(x) [U_i(x) - U_i(a', x_-i)] >= 0 for all i, a'.

Among them, the one maximising the linear welfare sum_i lambda_i E_p[U_i] is found with
scipy's HiGHS (``linprog(method="highs")``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.optimize import linprog

from volition.errors import ComputationError, ShapeError
from volition.games.game import NormalFormGame

__all__ = ["CorrelatedEquilibrium", "correlated_equilibrium", "incentive_gains"]


@dataclass(frozen=True, eq=False)
class CorrelatedEquilibrium:
    """A (coarse) correlated equilibrium: the distribution over profiles and its value.

    ``distribution`` has the game's shape ``(m_1, ..., m_n)``; ``payoffs`` are the expected
    payoffs; ``welfare`` is sum_i weights_i payoffs_i for the ``weights`` maximised.
    """

    distribution: NDArray[np.float64]
    payoffs: NDArray[np.float64]
    weights: NDArray[np.float64]
    welfare: float
    coarse: bool
    method: str = "linprog-highs"
    exact: bool = False


def correlated_equilibrium(
    game: NormalFormGame, weights: ArrayLike | None = None, coarse: bool = False
) -> CorrelatedEquilibrium:
    """The (coarse) correlated equilibrium maximising ``weights`` . E[u] (default: utilitarian)."""
    w = _weights(game, weights)
    n_profiles = game.n_profiles
    rows = _coarse_rows(game) if coarse else _correlated_rows(game)
    vectors = game.payoff_vectors()
    res = linprog(
        c=-(vectors @ w),
        A_ub=-rows,  # each incentive constraint reads row . p >= 0
        b_ub=np.zeros(rows.shape[0]),
        A_eq=np.ones((1, n_profiles)),
        b_eq=[1.0],
        bounds=(0, None),
        method="highs",
    )
    if res.status != 0:  # pragma: no cover - a correlated equilibrium always exists
        raise ComputationError(f"the correlated-equilibrium LP failed: {res.message}")
    p = np.clip(np.asarray(res.x), 0.0, None)
    p /= p.sum()
    payoffs = p @ vectors
    dist = p.reshape(game.shape)
    dist.setflags(write=False)
    return CorrelatedEquilibrium(dist, payoffs, w, float(payoffs @ w), coarse)


def incentive_gains(
    game: NormalFormGame, distribution: ArrayLike, coarse: bool = False
) -> NDArray[np.float64]:
    """The largest gain any agent has from deviating: <= 0 (within tolerance) at an equilibrium.

    Computed directly from the definitions above, independently of the LP's matrices.
    """
    p = np.asarray(distribution, dtype=np.float64)
    if p.shape != game.shape:
        raise ShapeError(f"a distribution over profiles needs shape {game.shape}, got {p.shape}")
    gains = np.empty(game.n_players)
    for i in range(game.n_players):
        u = np.moveaxis(game.payoffs[i], i, 0).reshape(game.shape[i], -1)
        q = np.moveaxis(p, i, 0).reshape(game.shape[i], -1)
        if coarse:
            # deviating to a' against the others' recommended part
            gains[i] = float((u @ q.sum(0)).max() - (u * q).sum())
        else:
            # for each recommendation a: best a' against p(a, .) minus obeying
            gains[i] = float(((q @ u.T).max(1) - (q * u).sum(1)).max())
    return gains


def _correlated_rows(game: NormalFormGame) -> sparse.csr_matrix:
    flat = np.arange(game.n_profiles).reshape(game.shape)
    blocks = []
    for i, m in enumerate(game.shape):
        u = np.moveaxis(game.payoffs[i], i, 0).reshape(m, -1)
        cols = np.moveaxis(flat, i, 0).reshape(m, -1)
        for a in range(m):
            others = [b for b in range(m) if b != a]
            if not others:
                continue
            vals = u[a][None, :] - u[others]
            r = np.repeat(np.arange(len(others)), cols.shape[1])
            c = np.tile(cols[a], len(others))
            blocks.append(
                sparse.csr_matrix((vals.ravel(), (r, c)), shape=(len(others), game.n_profiles))
            )
    if not blocks:
        return sparse.csr_matrix((0, game.n_profiles))
    return sparse.vstack(blocks, format="csr")


def _coarse_rows(game: NormalFormGame) -> NDArray[np.float64]:
    rows = []
    for i, m in enumerate(game.shape):
        u = np.moveaxis(game.payoffs[i], i, 0)
        for a in range(m):
            deviation = np.broadcast_to(u[a][None], u.shape)
            rows.append(np.moveaxis(u - deviation, 0, i).ravel())
    return np.array(rows)


def _weights(
    game: NormalFormGame, weights: ArrayLike | Sequence[float] | None
) -> NDArray[np.float64]:
    if weights is None:
        return np.ones(game.n_players)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (game.n_players,):
        raise ShapeError(
            f"welfare weights need one number per player ({game.n_players}), got shape {w.shape}"
        )
    return w
