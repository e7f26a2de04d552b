"""Linear (Negishi) and geometric (Little) welfare, maximisers and supporting weights.

docs/theory.md §1:
- W_lambda(u) = sum_i lambda_i u_i with lambda >= 0, sum lambda = 1; a maximiser over C with
  all lambda_i > 0 is strongly Pareto-optimal, and every Pareto optimum of C maximises some
  W_lambda (a supporting hyperplane), found here by a linear programme;
- G_p(u) = prod_i (u_i - d_i)^{p_i} over a disagreement point d; a Pareto optimum u* > d with
  supporting normal lambda maximises G_p for p_i proportional to lambda_i (u*_i - d_i).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linprog, minimize

from volition.errors import ComputationError, InputError, ShapeError
from volition.games.game import NormalFormGame
from volition.games.pareto import LP_RTOL, ParetoFrontier

__all__ = [
    "POSITIVE_WEIGHT",
    "GeometricWeights",
    "SupportingWeights",
    "WelfareMaximum",
    "geometric_maximum",
    "geometric_weights",
    "geometric_welfare",
    "linear_maximum",
    "linear_welfare",
    "normalised_weights",
    "payoff_vector",
    "security_levels",
    "supporting_weights",
]


def normalised_weights(weights: ArrayLike, n: int) -> NDArray[np.float64]:
    """Validate welfare weights (n non-negative numbers, not all 0) and scale them to sum 1."""
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (n,):
        raise ShapeError(f"welfare weights need one number per player ({n}), got {w.size}")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise InputError(f"welfare weights must be non-negative and not all zero, got {w.tolist()}")
    return np.asarray(w / w.sum(), dtype=np.float64)


def payoff_vector(values: ArrayLike, n: int, what: str) -> NDArray[np.float64]:
    """Validate a vector with one finite number per player."""
    v = np.asarray(values, dtype=np.float64)
    if v.shape != (n,) or not np.all(np.isfinite(v)):
        raise ShapeError(f"{what} needs {n} finite numbers (one per player), got {v.tolist()}")
    return v


def linear_welfare(payoffs: ArrayLike, weights: ArrayLike) -> float:
    """W_lambda(u) = sum_i lambda_i u_i (weights used as given)."""
    return float(np.asarray(payoffs, dtype=np.float64) @ np.asarray(weights, dtype=np.float64))


def geometric_welfare(payoffs: ArrayLike, weights: ArrayLike, disagreement: ArrayLike) -> float:
    """G_p(u) = prod_i (u_i - d_i)^{p_i}; 0 when some u_i <= d_i with p_i > 0."""
    gains = np.asarray(payoffs, dtype=np.float64) - np.asarray(disagreement, dtype=np.float64)
    p = np.asarray(weights, dtype=np.float64)
    if np.any((gains <= 0) & (p > 0)):
        return 0.0
    return float(np.prod(np.where(p > 0, np.clip(gains, 1e-300, None), 1.0) ** p))


@dataclass(frozen=True, eq=False)
class WelfareMaximum:
    """The maximum of a welfare function over C and a payoff vector attaining it."""

    value: float
    payoffs: NDArray[np.float64]
    weights: NDArray[np.float64]
    profiles: tuple[tuple[int, ...], ...]
    method: str
    exact: bool


def linear_maximum(game: NormalFormGame, weights: ArrayLike) -> WelfareMaximum:
    """max_C W_lambda, attained at a pure profile (a linear function's maximum over a hull)."""
    w = normalised_weights(weights, game.n_players)
    values = game.payoff_vectors() @ w
    best = float(values.max())
    where = np.flatnonzero(values >= best - 1e-12 * game.scale())
    profiles = tuple(game.profile(int(k)) for k in where)
    payoffs = game.payoff_vectors()[where[0]]
    return WelfareMaximum(best, payoffs, w, profiles, "enumeration", True)


def security_levels(game: NormalFormGame) -> NDArray[np.float64]:
    """Each player's pure maxmin payoff: the default disagreement point *(choice)*."""
    out = np.empty(game.n_players)
    for i in range(game.n_players):
        u = np.moveaxis(game.payoffs[i], i, 0).reshape(game.shape[i], -1)
        out[i] = float(u.min(1).max())
    return out


def geometric_maximum(
    game: NormalFormGame, weights: ArrayLike, disagreement: ArrayLike
) -> WelfareMaximum:
    """max_C G_p: maximise sum_i p_i log(u_i - d_i) over mixtures of the frontier points.

    A concave programme solved with SLSQP over the simplex of strong skyline points
    (``exact=False``); it needs some point of C strictly above d where p > 0.
    """
    p = normalised_weights(weights, game.n_players)
    d = payoff_vector(disagreement, game.n_players, "the disagreement point")
    pts = ParetoFrontier.of(game).points
    active = p > 0
    k = len(pts)
    scale = game.scale()

    def objective(q: NDArray[np.float64]) -> float:
        gains = (q @ pts - d)[active]
        if np.any(gains <= 0):
            return 1e6 * float(np.sum(np.clip(-gains, 0, None)) + 1.0)
        return -float(p[active] @ np.log(gains / scale))

    best: object = None
    for start in (np.full(k, 1.0 / k), *np.eye(k)[: min(k, 20)]):
        res = minimize(
            objective,
            start,
            method="SLSQP",
            bounds=[(0.0, 1.0)] * k,
            constraints=[{"type": "eq", "fun": lambda q: float(q.sum() - 1.0)}],
            options={"ftol": 1e-12, "maxiter": 500},
        )
        if best is None or res.fun < best.fun:  # type: ignore[attr-defined]
            best = res
    q = np.clip(best.x, 0.0, None)  # type: ignore[attr-defined]
    u = (q / q.sum()) @ pts
    if np.any((u - d)[active] <= 0):
        raise ComputationError(
            "no coordinated outcome is strictly better than the disagreement point for every "
            "player with positive weight; geometric welfare is 0 everywhere"
        )
    return WelfareMaximum(geometric_welfare(u, p, d), u, p, (), "slsqp", False)


POSITIVE_WEIGHT = 1e-5
"""When some supporting weight must be 0, LP weights up to this size are set to 0."""


@dataclass(frozen=True, eq=False)
class SupportingWeights:
    """Weights lambda >= 0, sum 1, with lambda . u* >= lambda . v for every v in C.

    ``weights`` is None when no such weights exist (then u* is not even weakly Pareto-optimal
    in C); ``positive`` says whether all weights are strictly positive (the most balanced
    choice: the LP maximises the smallest weight, ``min_weight``). ``reason`` explains.
    """

    weights: NDArray[np.float64] | None
    positive: bool
    min_weight: float
    reason: str
    method: str = "linprog-highs"


def supporting_weights(frontier: ParetoFrontier, payoffs: ArrayLike) -> SupportingWeights:
    """The linear welfare weights that make ``payoffs`` a maximiser over C, if any exist.

    LP: maximise m s.t. lambda_i >= m, (v_k - u*) . lambda <= 0 for every strong skyline
    point v_k, sum lambda = 1, lambda >= 0. Dominated points need no constraint: for
    lambda >= 0 their welfare is at most that of a skyline point dominating them.

    The LP is feasible exactly when no coordinated outcome is strictly better for everyone
    (by LP duality its slack matches the uniform-gain test of :class:`ParetoFrontier`).
    Whether the weights can all be positive is decided by the total-gain test instead: on a
    polytope, the strongly Pareto-optimal points are exactly those with a strictly
    positive supporting normal, and a tolerance on weights near 0 would be unreliable.
    """
    u = np.asarray(payoffs, dtype=np.float64)
    pts = frontier.points
    n = frontier.game.n_players
    scale = frontier.game.scale()
    # variables: lambda (n), m; maximise m. Payoffs in units of the game's range, so the
    # slack LP_RTOL (and HiGHS's own tolerance) is relative.
    a_ub = np.vstack(
        [
            np.hstack([(pts - u) / scale, np.zeros((len(pts), 1))]),
            np.hstack([-np.eye(n), np.ones((n, 1))]),
        ]
    )
    b_ub = np.concatenate([np.full(len(pts), LP_RTOL), np.zeros(n)])
    res = linprog(
        c=np.concatenate([np.zeros(n), [-1.0]]),
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=np.concatenate([np.ones(n), [0.0]])[None, :],
        b_eq=[1.0],
        bounds=[(0, None)] * (n + 1),
        method="highs",
    )
    if res.status == 2:
        return SupportingWeights(
            None,
            False,
            0.0,
            "no weights: some coordinated outcome is better for every player with any "
            "weight, so no welfare function (even with zero weights) is maximised here",
        )
    if res.status != 0:
        raise ComputationError(f"the supporting-weights LP failed: {res.message}")
    lam = np.clip(res.x[:n], 0.0, None)
    lam /= lam.sum()
    m = float(res.x[n])
    if frontier.test(u, check_feasible=False).coordinated_pareto:
        return SupportingWeights(
            lam, True, max(m, 0.0), "strictly positive weights support this outcome"
        )
    # some weight must be 0; the LP's tolerance lets it come out at about LP_RTOL / gap
    snapped = np.where(lam <= max(POSITIVE_WEIGHT, m + 1e-12), 0.0, lam)
    if snapped.sum() > 0:
        lam = snapped / snapped.sum()
    return SupportingWeights(
        lam,
        False,
        0.0,
        "only weights with some zero entries support this outcome: it is weakly but not "
        "strongly Pareto-optimal, or optimal only for a welfare that ignores some players",
    )


@dataclass(frozen=True, eq=False)
class GeometricWeights:
    """p_i proportional to lambda_i (u*_i - d_i), or None with the ``reason`` why not."""

    weights: NDArray[np.float64] | None
    disagreement: NDArray[np.float64]
    reason: str


def geometric_weights(
    payoffs: ArrayLike, linear: ArrayLike, disagreement: ArrayLike
) -> GeometricWeights:
    """Little's geometric weights from supporting linear weights (docs/theory.md §1)."""
    u = np.asarray(payoffs, dtype=np.float64)
    lam = np.asarray(linear, dtype=np.float64)
    d = np.asarray(disagreement, dtype=np.float64)
    gains = u - d
    if np.any(gains <= 0):
        worse = [int(i) for i in np.flatnonzero(gains <= 0)]
        return GeometricWeights(
            None,
            d,
            f"the outcome is not above the disagreement point for player(s) {worse}; "
            "geometric welfare needs u* > d",
        )
    raw = lam * gains
    return GeometricWeights(raw / raw.sum(), d, "p_i proportional to lambda_i (u*_i - d_i)")
