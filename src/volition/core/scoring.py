"""Forecasts of an event under a proper scoring rule (docs/theory.md §3, continuous actions).

The action is a forecast x in [0, 1] of an event E; the utility is the score S(x, E). For
a proper rule the best forecast under a posterior is the posterior probability of E, so the
decision has a closed-form best response. With the log score, the ex-post value of moving the
belief from q0 to q is KL(q || q0).

Rules, as utilities (higher is better):

- ``log``: S(x, 1) = log x, S(x, 0) = log(1 - x);
- ``brier``: S(x, o) = -(x - o)^2 (the quadratic rule on the binary outcome);
- ``spherical``: S(x, o) = x_o / sqrt(x^2 + (1 - x)^2), x_1 = x, x_0 = 1 - x.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from volition.core.decision import Actions, DecisionProblem
from volition.errors import ShapeError

__all__ = [
    "ForecastDecision",
    "ScoringRule",
    "categorical_score",
    "distribution_problems",
]


class ScoringRule(StrEnum):
    """The proper scoring rules a forecast can be scored by."""

    LOG = "log"
    BRIER = "brier"
    SPHERICAL = "spherical"

    def scores(self, x: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(S(x, 1), S(x, 0)) elementwise."""
        x = np.asarray(x, dtype=np.float64)
        if self is ScoringRule.LOG:
            with np.errstate(divide="ignore"):
                return np.log(x), np.log1p(-x)
        if self is ScoringRule.BRIER:
            return -((1.0 - x) ** 2), -(x**2)
        norm = np.sqrt(x**2 + (1.0 - x) ** 2)
        return x / norm, (1.0 - x) / norm


class ForecastDecision(DecisionProblem):
    """Forecast an event E under a proper scoring rule; the best forecast is P(E | info)."""

    def __init__(self, event: ArrayLike, rule: ScoringRule | str = ScoringRule.LOG) -> None:
        e = np.asarray(event)
        if e.ndim != 1 or e.size == 0:
            raise ShapeError("a forecast event must be a list of 0/1, one per state")
        if e.dtype != np.bool_:
            if not np.isin(e, (0, 1)).all():
                bad = int(np.flatnonzero(~np.isin(e, (0, 1)))[0])
                raise ShapeError(
                    f"forecast.event[{bad}] = {e[bad].item()!r}; the event must be 0 or 1"
                )
            e = e.astype(bool)
        try:
            self.rule = ScoringRule(rule)
        except ValueError:
            names = ", ".join(r.value for r in ScoringRule)
            raise ShapeError(f"unknown scoring rule {rule!r}; use one of {names}") from None
        self.event: NDArray[np.bool_] = e
        feats = np.ones((e.size, 2), dtype=np.float64)
        feats[:, 1] = e
        feats.setflags(write=False)
        self._features = feats

    @property
    def features(self) -> NDArray[np.float64]:
        return self._features

    def best_actions(self, stats: NDArray[np.float64]) -> Actions:
        mass, hit = stats[:, 0], stats[:, 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            q = np.where(mass > 0, hit / np.where(mass > 0, mass, 1.0), np.nan)
        return np.clip(q, 0.0, 1.0)

    def expected_utility(self, stats: NDArray[np.float64], actions: Actions) -> NDArray[np.float64]:
        hit = stats[:, 1]
        miss = np.maximum(stats[:, 0] - hit, 0.0)
        s1, s0 = self.rule.scores(np.asarray(actions, dtype=np.float64))
        # 0 * log 0 = 0: an outcome of zero weight contributes nothing, whatever its score.
        with np.errstate(invalid="ignore"):
            return np.where(hit > 0, hit * s1, 0.0) + np.where(miss > 0, miss * s0, 0.0)

    def utility(self, states: NDArray[np.intp], actions: Actions) -> NDArray[np.float64]:
        s1, s0 = self.rule.scores(np.asarray(actions, dtype=np.float64))
        return np.where(self.event[states], s1, s0)

    def describe(self, action: Any) -> float:
        return float(action)


def distribution_problems(probabilities: object, n_outcomes: int, tol: float = 1e-6) -> list[str]:
    """Why ``probabilities`` is not a distribution over ``n_outcomes`` outcomes (empty: it is).

    A distribution has one finite, non-negative number per outcome, summing to 1 within
    ``tol``."""
    if not isinstance(probabilities, tuple | list):
        return [f"a forecast must be a list of {n_outcomes} probabilities, one per outcome"]
    if len(probabilities) != n_outcomes:
        return [
            f"a forecast needs {n_outcomes} probabilities, one per outcome, "
            f"not {len(probabilities)}"
        ]
    bad = [
        i
        for i, p in enumerate(probabilities)
        if isinstance(p, bool) or not isinstance(p, int | float) or not np.isfinite(p) or p < 0
    ]
    if bad:
        return [f"forecast[{bad[0]}] = {probabilities[bad[0]]!r}: probabilities are numbers >= 0"]
    total = float(sum(probabilities))
    if abs(total - 1.0) > tol:
        return [f"the forecast's probabilities sum to {total:.6g}, not 1"]
    return []


def categorical_score(rule: ScoringRule | str, probabilities: ArrayLike, outcome: int) -> float:
    """S(p, o) of a forecast ``p`` over k outcomes when outcome ``o`` happens (a utility).

    - ``log``: log p_o (-inf when p_o = 0);
    - ``brier``: -1/2 sum_j (p_j - [j = o])^2, half the usual quadratic rule so that on two
      outcomes it equals the binary ``brier`` above, -(x - o)^2 with x = p_0;
    - ``spherical``: p_o / ||p||_2, on two outcomes the binary ``spherical``.

    All three are strictly proper: the expected score under beliefs q is maximised at p = q.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 1 or p.size < 2 or not 0 <= outcome < p.size:
        raise ShapeError(f"a forecast over >= 2 outcomes and an outcome index below {p.size}")
    rule = ScoringRule(rule)
    if rule is ScoringRule.LOG:
        with np.errstate(divide="ignore"):
            return float(np.log(p[outcome]))
    if rule is ScoringRule.BRIER:
        hit = np.zeros_like(p)
        hit[outcome] = 1.0
        return float(-0.5 * np.sum((p - hit) ** 2))
    return float(p[outcome] / np.sqrt(np.sum(p**2)))
