"""A world: a finite probability space with named random variables (docs/theory.md §3)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, reduce
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from volition.core.partition import Partition, RandomVariable
from volition.core.space import ProbabilitySpace
from volition.errors import ShapeError, UnknownNameError

__all__ = ["JOIN_CACHE_STATES", "World"]

JOIN_CACHE_STATES = 1 << 24
"""How many state entries (8 bytes each) the joins a world keeps may hold in all (128 MB)."""


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
        key = (names,) if isinstance(names, str) else tuple(names)
        parts = tuple(self._partition_of(name) for name in key)
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return self._trivial
        return self._joins.get(key, parts, lambda: reduce(Partition.join, parts, self._trivial))

    def _partition_of(self, name: str) -> Partition:
        if name == "state" and name not in self.variables:
            return self._discrete
        return self.variable(name).partition

    # Derived partitions, computed on first use and kept: the space and the variables are
    # immutable (read-only arrays), so they cannot go stale.

    @cached_property
    def _trivial(self) -> Partition:
        return Partition.trivial(self.space.size)

    @cached_property
    def _discrete(self) -> Partition:
        return Partition.discrete(self.space.states)

    @cached_property
    def _joins(self) -> _JoinCache:
        return _JoinCache(max(1, JOIN_CACHE_STATES // self.space.size))

    def __reduce__(
        self,
    ) -> tuple[type[World], tuple[ProbabilitySpace, Mapping[str, RandomVariable]]]:
        return (World, (self.space, self.variables))


class _JoinCache:
    """The most recently used joins of a world, at most ``size`` of them (least recent out).

    An entry keeps the partitions it was joined from and is used only while the names still
    give those very partitions (a caller may have changed the mapping of variables).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, ...], tuple[tuple[Partition, ...], Partition]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def get(
        self,
        key: tuple[str, ...],
        parts: tuple[Partition, ...],
        compute: Callable[[], Partition],
    ) -> Partition:
        with self._lock:
            found = self._items.get(key)
            if found is not None and all(a is b for a, b in zip(found[0], parts, strict=True)):
                self._items.move_to_end(key)
                return found[1]
        part = compute()  # outside the lock: a join over many states takes a while
        with self._lock:
            self._items[key] = (parts, part)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return part
