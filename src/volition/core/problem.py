"""The front door of the kernel: a decision problem on a world with named information.

``Problem`` ties a :class:`World` (space, prior, variables) to a :class:`DecisionProblem`
and answers the questions of docs/theory.md §3 by variable names::

    problem.value(["I1"])                      # eq. (2) per cell, Lindley ex ante
    problem.true_value(["I1"], state="s3")      # eq. (1) at one state
    problem.value_knowing(["I1"], ["I1", "I2"]) # E[U1(I1) | I1, I2]
    problem.seller_choice([["I1"], ["I2"]], [0.5, 0.5])   # eqs. (3)-(4)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from volition.core.decision import DecisionProblem
from volition.core.partition import Partition
from volition.core.seller_choice import SellerChoiceValue, seller_choice_value
from volition.core.space import ProbabilitySpace
from volition.core.voi import (
    CellValues,
    InformationValue,
    information_value,
    true_value,
    value_knowing,
)
from volition.core.world import World
from volition.errors import ShapeError

__all__ = ["Info", "Problem"]

Info = Partition | str | Iterable[str]
"""Information, given as a partition, one variable name, or several (their join)."""


@dataclass(frozen=True, eq=False)
class Problem:
    """A decision problem (X, U) on a world (Omega, P, variables)."""

    world: World
    decision: DecisionProblem

    def __post_init__(self) -> None:
        if self.decision.n_states != self.world.space.size:
            raise ShapeError(
                f"the decision has {self.decision.n_states} rows of utility but the world has "
                f"{self.world.space.size} states; give one row per state"
            )

    @property
    def space(self) -> ProbabilitySpace:
        return self.world.space

    @property
    def prior(self) -> NDArray[np.float64]:
        return self.world.space.prior

    def partition(self, info: Info) -> Partition:
        """The partition of some information (names are joined)."""
        return info if isinstance(info, Partition) else self.world.partition(info)

    def describe(self, action: Any) -> Any:
        """An action code as people read it (a label, or a forecast)."""
        return self.decision.describe(action)

    def no_info(self) -> tuple[Any, float]:
        """x0 and E[U(x0)]: the best action without information, and its expected utility."""
        v = self.value(())
        return v.no_info_action, v.no_info_expected_utility

    def value(self, info: Info, price: float = 0.0) -> InformationValue:
        """Eq. (2) for every cell of I and Lindley's ex-ante value, net of the price."""
        return information_value(self.decision, self.prior, self.partition(info), price)

    def true_value(self, info: Info, price: float = 0.0, state: str | None = None) -> Any:
        """Eq. (1): U1(I) at every state (an array), or at one named state (a float)."""
        value = self.value(info, price)
        if state is None:
            return true_value(self.decision, value)
        index = np.array([self.space.index(state)])
        return float(true_value(self.decision, value, index)[0])

    def value_knowing(self, info: Info, knowing: Info, price: float = 0.0) -> CellValues:
        """E[U1(I) | K = k] for every cell of K."""
        value = self.value(info, price)
        return value_knowing(self.decision, self.prior, value, self.partition(knowing))

    def seller_choice(
        self, options: Sequence[Info], choice: ArrayLike, price: float = 0.0
    ) -> SellerChoiceValue:
        """Eqs. (3)-(4): the value of beta's information, its choice among ``options``."""
        parts = [self.partition(o) for o in options]
        return seller_choice_value(self.decision, self.prior, parts, choice, price)
