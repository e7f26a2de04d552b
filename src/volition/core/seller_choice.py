"""The ex-ante value of information when the buyer does not know which I the seller reveals.

docs/theory.md §3, eqs. (3)-(4): the seller beta chooses I among options I_1..I_J; the buyer has a
prior over that choice, P[X_beta = I_j]. The paper's value is

    V(X_beta) = E_{I ~ X_beta} E_{i ~ I} [V(I | I = i)]                       (3)-(4)

which is exact when the choice is independent of the state. When the choice depends on the
state (the seller picks what to reveal knowing omega), the choice itself is informative.
*(choice: offer both)* :func:`seller_choice_value` reports

- ``stated``: eqs. (3)-(4) as written, with P[X_beta = I_j] the marginal choice probability;
- ``naive``: what a buyer who conditions only on I_j = i (as if the choice were uninformative)
  gains on average: the expectation of the true value U1(I_j) over the state and the choice;
- ``bayesian``: the ex-ante value for a buyer who conditions on the whole message (which
  I_j, and its value), a Lindley value on the extended space Omega x {1..J}.

When the choice is independent of the state the three coincide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from volition.core.decision import DecisionProblem
from volition.core.grouping import grouped_sums
from volition.core.partition import Partition
from volition.core.space import PRIOR_ATOL
from volition.core.voi import check_price, information_value
from volition.errors import ProbabilityError, ShapeError

__all__ = ["SellerChoiceValue", "seller_choice_value"]


@dataclass(frozen=True, eq=False)
class SellerChoiceValue:
    """Values of buying beta's information without knowing which option it will reveal."""

    options: tuple[Partition, ...]
    choice_probabilities: NDArray[np.float64]
    state_dependent: bool
    price: float
    stated: float
    naive: float
    bayesian: float


def seller_choice_value(
    decision: DecisionProblem,
    prior: NDArray[np.float64],
    options: Sequence[Partition],
    choice: ArrayLike,
    price: float = 0.0,
) -> SellerChoiceValue:
    """Eqs. (3)-(4) and the exact Bayesian value, for a prior over the seller's choice.

    ``choice`` is either a vector of J probabilities (the choice independent of the state)
    or an (n_states x J) matrix whose row s is P[X_beta = I_j | omega = s].
    """
    p = check_price(price)
    if not options:
        raise ShapeError("give at least one option the seller may reveal")
    n, n_options = prior.shape[0], len(options)
    policy = _policy_matrix(choice, n, n_options)
    state_dependent = not np.allclose(policy, policy[0], atol=0.0, rtol=0.0)
    marginal = prior @ policy

    values = [information_value(decision, prior, part, 0.0) for part in options]
    stated = float(sum(m * v.ex_ante for m, v in zip(marginal, values, strict=True))) - p

    naive = 0.0
    for j, (part, value) in enumerate(zip(options, values, strict=True)):
        stats = grouped_sums(part.cells, prior * policy[:, j], decision.features, part.n_cells)
        x0 = np.full(part.n_cells, value.no_info_action)
        gain = decision.expected_utility(stats, value.actions) - decision.expected_utility(
            stats, x0
        )
        naive += float(gain.sum())

    offsets = np.cumsum([0] + [part.n_cells for part in options])
    ext_cells = np.concatenate([part.cells + offsets[j] for j, part in enumerate(options)])
    ext_weights = (prior[:, None] * policy).T.ravel()
    ext_features = np.tile(decision.features, (n_options, 1))
    stats = grouped_sums(ext_cells, ext_weights, ext_features, int(offsets[-1]))
    x0_all = np.full(stats.shape[0], values[0].no_info_action)
    best = decision.best_actions(stats)
    mass = np.bincount(ext_cells, weights=ext_weights, minlength=stats.shape[0])
    best = np.where(mass > 0, best, x0_all).astype(np.asarray(best).dtype)
    gain = decision.expected_utility(stats, best) - decision.expected_utility(stats, x0_all)
    bayesian = float(gain.sum())

    return SellerChoiceValue(
        options=tuple(options),
        choice_probabilities=marginal,
        state_dependent=state_dependent,
        price=p,
        stated=stated,
        naive=naive - p,
        bayesian=bayesian - p,
    )


def _policy_matrix(choice: ArrayLike, n_states: int, n_options: int) -> NDArray[np.float64]:
    q = np.asarray(choice, dtype=np.float64)
    if q.ndim == 1:
        q = np.broadcast_to(q, (n_states, q.shape[0]))
    if q.shape != (n_states, n_options):
        raise ShapeError(
            f"the seller's choice needs {n_options} probabilities (one per option), or a row "
            f"of them for each of the {n_states} states; got shape {q.shape}"
        )
    if not np.isfinite(q).all() or (q < 0).any():
        raise ProbabilityError("choice probabilities must be finite and >= 0")
    sums = q.sum(axis=1)
    if np.abs(sums - 1.0).max() > PRIOR_ATOL:
        row = int(np.argmax(np.abs(sums - 1.0)))
        raise ProbabilityError(f"choice probabilities in row {row} sum to {sums[row]:.12g}, not 1")
    return np.ascontiguousarray(q)
