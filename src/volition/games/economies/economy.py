"""Exchange economies: agents with utilities and endowments, and an optional externality."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from volition.errors import InputError, ShapeError, UnknownNameError
from volition.games.economies.utilities import Utility

__all__ = ["ExchangeEconomy", "Externality"]


@dataclass(frozen=True)
class Externality:
    """Agent ``source``'s consumption of ``good`` costs agent ``harmed`` ``damage`` per unit.

    The harmed agent's utility is u_h(x_h) - damage * x[source, good]: nobody pays for it in
    a competitive market, which is how it breaks the first welfare theorem.
    """

    source: int
    good: int
    harmed: int
    damage: float


@dataclass(frozen=True, eq=False)
class ExchangeEconomy:
    """Agents 0..n-1 with utilities over goods 0..m-1 and endowments omega[i, j] >= 0."""

    agents: tuple[str, ...]
    goods: tuple[str, ...]
    utilities: tuple[Utility, ...]
    endowments: NDArray[np.float64]
    externality: Externality | None = None

    @classmethod
    def build(
        cls,
        agents: Sequence[str],
        goods: Sequence[str],
        utilities: Sequence[Utility],
        endowments: ArrayLike,
        externality: Externality | None = None,
    ) -> ExchangeEconomy:
        """A validated economy: one utility per agent over every good; endowments >= 0."""
        omega = np.asarray(endowments, dtype=np.float64)
        n, m = len(agents), len(goods)
        if n < 1 or m < 1:
            raise ShapeError("an economy needs at least one agent and one good")
        if len(utilities) != n:
            raise ShapeError(f"{len(utilities)} utilities for {n} agents; give one per agent")
        for name, u in zip(agents, utilities, strict=True):
            if u.n_goods != m:
                raise ShapeError(f"agent {name!r}'s utility has {u.n_goods} weights for {m} goods")
        if omega.shape != (n, m):
            raise ShapeError(f"endowments must be {n} rows (agents) of {m} amounts (goods)")
        if not np.isfinite(omega).all() or (omega < 0).any():
            raise InputError("endowments must be finite and >= 0")
        if (omega.sum(axis=0) <= 0).any():
            good = goods[int(np.argmin(omega.sum(axis=0)))]
            raise InputError(f"nobody is endowed with good {good!r}; every good needs a supply")
        if externality is not None:
            e = externality
            if not (0 <= e.source < n and 0 <= e.harmed < n and 0 <= e.good < m):
                raise UnknownNameError("the externality names an agent or good that is not there")
            if e.source == e.harmed or not (np.isfinite(e.damage) and e.damage >= 0):
                raise InputError("an externality harms another agent, with a damage >= 0")
        return cls(tuple(agents), tuple(goods), tuple(utilities), omega, externality)

    @property
    def n_agents(self) -> int:
        return len(self.agents)

    @property
    def n_goods(self) -> int:
        return len(self.goods)

    @property
    def supply(self) -> NDArray[np.float64]:
        """The total endowment of every good."""
        return np.asarray(self.endowments.sum(axis=0))

    def utility_of(self, allocation: NDArray[np.float64]) -> NDArray[np.float64]:
        """Every agent's utility of an allocation, externality included."""
        u = np.array([ut.value(x) for ut, x in zip(self.utilities, allocation, strict=True)])
        e = self.externality
        if e is not None:
            u[e.harmed] -= e.damage * allocation[e.source, e.good]
        return u

    def without_externality(self) -> ExchangeEconomy:
        """The same economy with the externality removed."""
        return ExchangeEconomy(self.agents, self.goods, self.utilities, self.endowments)
