"""The value-of-information quantities of docs/theory.md §3, computed exactly and vectorised.

For a problem (Omega, P, X, U), information I (a partition) and a price p >= 0:

- x0 = argmax_x E[U(x)], the action without information;
- x_I(i) = argmax_x E[U(x) | I = i], the action after learning I = i;
- eq. (1), the true value, a random variable: U1(I)(w) = U(w, x_I) - U(w, x0) - p;
- eq. (2), the ex-post value: V(I | I=i) = max_x E[U(x) | I=i] - E[U(x0) | I=i] - p;
- Lindley's ex-ante value of the experiment: E_i[V(I | I=i)];
- the value a buyer would assign knowing a finer K: E[U1(I) | K=k].

All of them come from the per-cell statistics of one pass over U (``grouped_sums``).
*(choice)* In a cell of probability zero the posterior is undefined: the buyer keeps x0
there, and that cell's ex-post value is reported as NaN (no cell of probability zero is
ever listed by the CLI).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from volition.core.decision import Actions, DecisionProblem
from volition.core.grouping import cell_statistics, grouped_sums
from volition.core.partition import Partition, cross
from volition.errors import PriceError, ShapeError

__all__ = [
    "CellValues",
    "InformationValue",
    "check_price",
    "information_value",
    "true_value",
    "value_knowing",
]


@dataclass(frozen=True, eq=False)
class InformationValue:
    """The value of information I at price p: per cell (eq. 2) and ex ante (Lindley).

    ``actions[c]`` is x_I on cell c (an action code), ``ex_post[c]`` is V(I | I = c) and
    ``probabilities[c]`` is P(I = c). ``ex_ante`` is the Lindley value minus the price.
    """

    partition: Partition
    price: float
    probabilities: NDArray[np.float64]
    actions: Actions
    ex_post: NDArray[np.float64]
    ex_ante: float
    no_info_action: Any
    no_info_expected_utility: float


@dataclass(frozen=True, eq=False)
class CellValues:
    """A value for every cell of a partition, with the cells' probabilities."""

    partition: Partition
    probabilities: NDArray[np.float64]
    values: NDArray[np.float64]


def check_price(price: float) -> float:
    """A validated price: a finite number >= 0."""
    p = float(price)
    if not math.isfinite(p) or p < 0:
        raise PriceError(f"price must be a finite number >= 0, got {price!r}")
    return p


def information_value(
    decision: DecisionProblem,
    prior: NDArray[np.float64],
    info: Partition,
    price: float = 0.0,
) -> InformationValue:
    """Ex-post values V(I | I=i) for every cell (eq. 2) and the ex-ante (Lindley) value.

    One pass over U: the per-cell statistics give every cell's best action and value, and
    their sum gives the no-information action x0.
    """
    p = check_price(price)
    _check_sizes(decision, prior, info)
    stats, masses = cell_statistics(info.cells, prior, decision.features, info.n_cells)
    x0, eu0 = _no_info(decision, stats)
    actions = _actions_or_x0(decision.best_actions(stats), masses, x0)
    gain = decision.expected_utility(stats, actions) - decision.expected_utility(
        stats, np.full(info.n_cells, x0)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        ex_post = np.where(masses > 0, gain / np.where(masses > 0, masses, 1.0) - p, np.nan)
    return InformationValue(
        partition=info,
        price=p,
        probabilities=masses,
        actions=actions,
        ex_post=ex_post,
        ex_ante=float(gain.sum()) - p,
        no_info_action=x0,
        no_info_expected_utility=eu0,
    )


def true_value(
    decision: DecisionProblem, value: InformationValue, states: NDArray[np.intp] | None = None
) -> NDArray[np.float64]:
    """Eq. (1): U1(I)(w) = U(w, x_I) - U(w, x0) - p, at every state (or the given ones)."""
    idx = np.arange(value.partition.n_states) if states is None else np.asarray(states)
    chosen = np.asarray(value.actions)[value.partition.cells[idx]]
    baseline = np.full(idx.shape[0], value.no_info_action)
    gain = decision.utility(idx, chosen) - decision.utility(idx, baseline)
    return np.asarray(gain - value.price, dtype=np.float64)


def value_knowing(
    decision: DecisionProblem,
    prior: NDArray[np.float64],
    value: InformationValue,
    knowing: Partition,
) -> CellValues:
    """E[U1(I) | K = k] for every cell k of K: what I is worth to a buyer who knows K.

    With K finer than I this is the value the buyer would assign to I under more
    information (the fact-checking example: I1 alone, judged knowing (I1, I2)). Computed
    from one pass over the join of I and K, never from per-state utilities.
    """
    _check_sizes(decision, prior, knowing)
    joint, info_cell, know_cell = cross(value.partition, knowing)
    n_joint = info_cell.shape[0]
    stats = grouped_sums(joint, prior, decision.features, n_joint)
    chosen = np.asarray(value.actions)[info_cell]
    gain = decision.expected_utility(stats, chosen) - decision.expected_utility(
        stats, np.full(n_joint, value.no_info_action)
    )
    per_k = np.bincount(know_cell, weights=gain, minlength=knowing.n_cells)
    masses = knowing.masses(prior)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(masses > 0, per_k / np.where(masses > 0, masses, 1.0), np.nan)
    return CellValues(partition=knowing, probabilities=masses, values=values - value.price)


def _no_info(decision: DecisionProblem, stats: NDArray[np.float64]) -> tuple[Any, float]:
    total = stats.sum(axis=0, keepdims=True)
    x0 = decision.best_actions(total)[0]
    return x0, float(decision.expected_utility(total, np.array([x0]))[0])


def _actions_or_x0(actions: Actions, masses: NDArray[np.float64], x0: Any) -> Actions:
    return np.where(masses > 0, actions, x0).astype(np.asarray(actions).dtype)


def _check_sizes(decision: DecisionProblem, prior: NDArray[np.float64], part: Partition) -> None:
    if not (decision.n_states == prior.shape[0] == part.n_states):
        raise ShapeError(
            f"the decision ({decision.n_states} states), the prior ({prior.shape[0]}) and the "
            f"partition ({part.n_states}) must be on the same space"
        )
