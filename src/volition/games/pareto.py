"""Pareto optimality of pure profiles and of coordinated (correlated) play (docs/theory.md §1).

- The strongly / weakly Pareto-optimal pure profiles are the skylines of the payoff vectors
  {u(x)} (:mod:`volition.games.skyline`).
- With coordination the feasible payoffs are the convex hull C of {u(x)}. A payoff vector
  u* is tested against C by linear programmes over the strong skyline points only (every
  point of C is weakly dominated by a mixture of them, so nothing is lost):
  the largest total gain  max sum_i s_i  s.t. sum_k q_k v_k >= u* + s, s >= 0, q in the
  simplex (0 exactly when u* is strongly Pareto-optimal in C), and the largest *uniform*
  gain  max t  s.t. sum_k q_k v_k >= u* + t 1  (0 when u* is weakly Pareto-optimal in C, and
  negative when u* lies beyond the frontier).

*(choice)* ``distance_to_frontier`` is the uniform gain, clipped at 0: how much every
player could gain at once by coordinating. Tolerances are relative to the game's payoff range.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linprog

from volition.errors import ComputationError, ShapeError
from volition.games.game import NormalFormGame
from volition.games.skyline import skyline_mask

__all__ = ["LP_RTOL", "ParetoFrontier", "ParetoTest"]

LP_RTOL = 1e-7
"""Gains below this fraction of the payoff range are treated as zero (HiGHS's tolerances)."""


@dataclass(frozen=True, eq=False)
class ParetoTest:
    """How a payoff vector compares with the pure payoffs and with their convex hull C.

    ``strongly_pareto`` / ``weakly_pareto``: no pure profile dominates it (weakly /
    strictly in every coordinate). ``coordinated_pareto``: no point of C dominates it;
    ``coordinated_weakly_pareto``: no point of C is strictly better for everyone.
    ``feasible``: it lies in C (None when not checked). ``total_gain`` / ``uniform_gain``:
    the LP optima above;
    ``dominating_point``: a point of C that attains the total gain (None if not dominated).
    """

    payoffs: NDArray[np.float64]
    strongly_pareto: bool
    weakly_pareto: bool
    coordinated_pareto: bool
    coordinated_weakly_pareto: bool
    feasible: bool | None
    total_gain: float
    uniform_gain: float
    dominating_point: NDArray[np.float64] | None
    method: str = "skyline+linprog-highs"

    @property
    def distance_to_frontier(self) -> float:
        """The uniform gain available to all players by coordinating, at least 0."""
        return max(0.0, self.uniform_gain)


@dataclass(frozen=True, eq=False)
class ParetoFrontier:
    """The skylines of a game's pure payoffs, computed once, and tests against them.

    ``strong_mask`` / ``weak_mask`` have the game's shape and mark the strongly / weakly
    Pareto-optimal pure profiles (the weak one is computed on first use); ``points`` are
    the distinct strongly optimal payoff vectors.
    """

    game: NormalFormGame
    strong_mask: NDArray[np.bool_]
    points: NDArray[np.float64]

    @classmethod
    def of(cls, game: NormalFormGame) -> ParetoFrontier:
        """Compute the strong skyline of ``game`` (sort-filter-skyline, never all pairs)."""
        vectors = game.payoff_vectors()
        strong = skyline_mask(vectors)
        points = np.unique(vectors[strong], axis=0)
        return cls(game, strong.reshape(game.shape), points)

    @cached_property
    def weak_mask(self) -> NDArray[np.bool_]:
        """The weakly Pareto-optimal pure profiles, in the game's shape."""
        return skyline_mask(self.game.payoff_vectors(), weak=True).reshape(self.game.shape)

    def profiles(self, weak: bool = False) -> list[tuple[int, ...]]:
        """The strongly (or weakly) Pareto-optimal pure profiles, in C order."""
        mask = self.weak_mask if weak else self.strong_mask
        return [tuple(int(a) for a in idx) for idx in np.argwhere(mask)]

    def test(self, payoffs: ArrayLike, check_feasible: bool = True) -> ParetoTest:
        """Test any payoff vector against the pure payoffs and against their hull C.

        ``check_feasible=False`` skips the LP over all distinct payoff vectors that decides
        whether the vector lies in C (known for an equilibrium's payoffs; costly in a
        game with millions of profiles).
        """
        u = np.asarray(payoffs, dtype=np.float64)
        n = self.game.n_players
        if u.shape != (n,) or not np.all(np.isfinite(u)):
            raise ShapeError(f"a payoff vector needs {n} finite numbers, got {payoffs!r}")
        tol = LP_RTOL * self.game.scale()
        pts = self.points
        # a dominating pure point, if any, is dominated by (or is) a skyline point
        strong = not bool(np.any(np.all(pts >= u - tol, 1) & np.any(pts > u + tol, 1)))
        weak = not bool(np.any(np.all(pts > u + tol, 1)))
        total, point = self._total_gain(u)
        uniform = self._uniform_gain(u)
        return ParetoTest(
            payoffs=u,
            strongly_pareto=strong,
            weakly_pareto=weak,
            coordinated_pareto=total <= tol,
            coordinated_weakly_pareto=uniform <= tol,
            feasible=self._feasible(u, tol) if check_feasible else None,
            total_gain=max(0.0, total),
            uniform_gain=uniform if abs(uniform) > tol else 0.0,
            dominating_point=point if total > tol else None,
        )

    def _total_gain(self, u: NDArray[np.float64]) -> tuple[float, NDArray[np.float64] | None]:
        k, n = self.points.shape
        # variables: q (k), s (n); maximise sum s s.t. -V^T q + s <= -u
        res = linprog(
            c=np.concatenate([np.zeros(k), -np.ones(n)]),
            A_ub=np.hstack([-self.points.T, np.eye(n)]),
            b_ub=-u,
            A_eq=np.concatenate([np.ones(k), np.zeros(n)])[None, :],
            b_eq=[1.0],
            bounds=(0, None),
            method="highs",
        )
        if res.status == 2:  # infeasible: nothing in C even weakly dominates u
            return 0.0, None
        _check(res, "total-gain")
        return float(-res.fun), np.asarray(res.x[:k] @ self.points)

    def _uniform_gain(self, u: NDArray[np.float64]) -> float:
        k, n = self.points.shape
        res = linprog(
            c=np.concatenate([np.zeros(k), [-1.0]]),
            A_ub=np.hstack([-self.points.T, np.ones((n, 1))]),
            b_ub=-u,
            A_eq=np.concatenate([np.ones(k), [0.0]])[None, :],
            b_eq=[1.0],
            bounds=[(0, None)] * k + [(None, None)],
            method="highs",
        )
        _check(res, "uniform-gain")
        return float(-res.fun)

    def _feasible(self, u: NDArray[np.float64], tol: float) -> bool:
        vectors = np.unique(self.game.payoff_vectors(), axis=0)
        k, n = vectors.shape
        # minimise the L1 distance from u to C: sum (e+ + e-) with V^T q + e+ - e- = u
        res = linprog(
            c=np.concatenate([np.zeros(k), np.ones(2 * n)]),
            A_eq=np.vstack(
                [
                    np.hstack([vectors.T, np.eye(n), -np.eye(n)]),
                    np.concatenate([np.ones(k), np.zeros(2 * n)])[None, :],
                ]
            ),
            b_eq=np.concatenate([u, [1.0]]),
            bounds=(0, None),
            method="highs",
        )
        _check(res, "feasibility")
        return float(res.fun) <= tol


def _check(res: object, what: str) -> None:
    status = getattr(res, "status", 0)
    if status != 0:
        raise ComputationError(f"the {what} LP failed: {getattr(res, 'message', '')}")
