"""A world: a finite probability space with named random variables (docs/theory.md §3)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from volition.core.partition import Partition, RandomVariable
from volition.core.space import ProbabilitySpace
from volition.errors import ShapeError, UnknownNameError

__all__ = ["World"]


@dataclass(frozen=True, eq=False)
class World:
    """A probability space and the information sources (variables) defined on it."""

    space: ProbabilitySpace
    variables: Mapping[str, RandomVariable]

    @classmethod
    def build(
        cls, space: ProbabilitySpace, variables: Mapping[str, ArrayLike] | None = None
    ) -> World:
        """A world from a space and ``{name: values over the states}``."""
        checked: dict[str, RandomVariable] = {}
        for name, values in (variables or {}).items():
            var = RandomVariable(name, values)
            if var.values.shape[0] != space.size:
                raise ShapeError(
                    f"variable {name!r} has {var.values.shape[0]} values but there are "
                    f"{space.size} states; give one value per state"
                )
            checked[name] = var
        return cls(space, checked)

    @property
    def prior(self) -> NDArray[np.float64]:
        return self.space.prior

    def variable(self, name: str) -> RandomVariable:
        """A variable by name; ``UnknownNameError`` lists the known ones."""
        try:
            return self.variables[name]
        except KeyError:
            known = ", ".join(self.variables) or "none"
            raise UnknownNameError(
                f"unknown variable {name!r}; the variables are {known}"
            ) from None

    def event(self, values: Mapping[str, Any]) -> NDArray[np.bool_]:
        """The event {variables take these values}, e.g. ``{"I1": 1, "I2": 0}``."""
        mask = np.ones(self.space.size, dtype=bool)
        for name, value in values.items():
            mask &= self.variable(name).values == value
        return mask

    def posterior(self, values: Mapping[str, Any]) -> NDArray[np.float64]:
        """P(. | variables take these values): conditioning on a cell of their partition."""
        return self.space.condition(self.event(values))

    def partition(self, names: Iterable[str] | str = ()) -> Partition:
        """The join of the partitions of the named variables (no names: the trivial one).

        The name ``state`` (when no variable is called so) stands for full information.
        """
        names = [names] if isinstance(names, str) else list(names)
        parts = [self._partition_of(name) for name in names]
        return reduce(Partition.join, parts, Partition.trivial(self.space.size))

    def _partition_of(self, name: str) -> Partition:
        if name == "state" and name not in self.variables:
            return Partition.discrete(self.space.states)
        return self.variable(name).partition
