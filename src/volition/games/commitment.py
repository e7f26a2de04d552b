"""Commitment: the outcome when one player can credibly commit first (docs/theory.md §2).

A *leader* announces a strategy it is bound to play; the follower best-responds. With a
pure commitment the leader picks its best pure strategy given the follower's best
response; with a mixed commitment it picks the best probability mix, by the Stackelberg
linear programmes of Conitzer and Sandholm (2006): for each follower response j,
max_x x . A[:, j] s.t. x . B[:, j] >= x . B[:, j'] for all j', x in the simplex.
*(choice)* The follower breaks ties in the leader's favour (strong Stackelberg equilibrium),
the standard convention that makes the optimum attained.

The value of commitment is the payoff gain over the subgame-perfect outcome; it is a
Pareto improvement when no player loses and one gains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog

from volition.errors import ComputationError, InputError
from volition.games.game import NormalFormGame

__all__ = ["CommitmentOutcome", "commitment_outcome"]


@dataclass(frozen=True, eq=False)
class CommitmentOutcome:
    """The leader's committed strategy, the follower's response and the payoffs."""

    leader: int
    leader_strategy: NDArray[np.float64]
    follower_response: int
    payoffs: NDArray[np.float64]
    mixed: bool
    method: str
    exact: bool


def commitment_outcome(game: NormalFormGame, leader: int, mixed: bool = False) -> CommitmentOutcome:
    """The (strong) Stackelberg outcome of a two-player game with ``leader`` committing."""
    if game.n_players != 2:
        raise InputError(f"commitment is computed for two players; this game has {game.n_players}")
    if leader not in (0, 1):
        raise InputError(f"the leader must be player 0 or 1, got {leader}")
    # rows: the leader's strategies; columns: the follower's
    a = game.payoffs[leader] if leader == 0 else game.payoffs[leader].T
    b = game.payoffs[1 - leader] if leader == 0 else game.payoffs[1 - leader].T
    if mixed:
        x, j = _mixed(a, b)
        method, exact = "stackelberg-lp-highs", False
    else:
        x, j = _pure(a, b)
        method, exact = "enumeration", True
    profile = (x, np.eye(b.shape[1])[j]) if leader == 0 else (np.eye(b.shape[1])[j], x)
    payoffs = game.expected_payoffs(profile)
    # the LP's mixtures carry float noise: payoffs within 1e-12 of the range of 0 are 0
    payoffs[np.abs(payoffs) < 1e-12 * game.scale()] = 0.0
    return CommitmentOutcome(leader, x, j, payoffs, mixed, method, exact)


def _pure(a: NDArray[np.float64], b: NDArray[np.float64]) -> tuple[NDArray[np.float64], int]:
    best: tuple[float, int, int] | None = None
    tol = 1e-12 * max(1.0, float(np.abs(b).max()))
    for i in range(a.shape[0]):
        responses = np.flatnonzero(b[i] >= b[i].max() - tol)
        j = int(responses[np.argmax(a[i, responses])])  # ties go the leader's way
        if best is None or a[i, j] > best[0]:
            best = (float(a[i, j]), i, j)
    assert best is not None
    return np.eye(a.shape[0])[best[1]], best[2]


def _mixed(a: NDArray[np.float64], b: NDArray[np.float64]) -> tuple[NDArray[np.float64], int]:
    m, n = a.shape
    best: tuple[float, NDArray[np.float64], int] | None = None
    for j in range(n):
        others = [k for k in range(n) if k != j]
        a_ub = (b[:, others] - b[:, [j]]).T if others else None
        res = linprog(
            c=-a[:, j],
            A_ub=a_ub,
            b_ub=np.zeros(len(others)) if others else None,
            A_eq=np.ones((1, m)),
            b_eq=[1.0],
            bounds=(0, None),
            method="highs",
        )
        if res.status == 2:
            continue  # j is never a best response
        if res.status != 0:
            raise ComputationError(f"the Stackelberg LP for response {j} failed: {res.message}")
        x = np.clip(np.asarray(res.x), 0.0, None)
        x /= x.sum()
        value = float(x @ a[:, j])
        if best is None or value > best[0] + 1e-12:
            best = (value, x, j)
    assert best is not None  # some response is always a best response
    return best[1], best[2]
