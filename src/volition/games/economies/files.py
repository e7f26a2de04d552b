"""Economy files (YAML or JSON).

```yaml
goods: [food, clothing]
agents:
  - {name: alice, utility: {cobb_douglas: [0.3, 0.7]}, endowment: [1, 0]}
  - {name: bob, utility: {ces: {weights: [0.6, 0.4], rho: 0.5}}, endowment: [0, 1]}
  - {name: carol, utility: {linear: [1, 2]}, endowment: [1, 1]}
externality: {source: alice, good: food, harmed: bob, damage: 0.2}   # optional
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from volition.core.files import errors_located, read_structured_file, validate_spec
from volition.errors import UnknownNameError
from volition.games.economies.economy import ExchangeEconomy, Externality
from volition.games.economies.utilities import CES, CobbDouglas, Linear, Utility

__all__ = ["economy_from_mapping", "load_economy"]


class _CES(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weights: list[float]
    rho: float


class _UtilitySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cobb_douglas: list[float] | None = None
    ces: _CES | None = None
    linear: list[float] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> _UtilitySpec:
        given = [k for k in ("cobb_douglas", "ces", "linear") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of cobb_douglas, ces or linear")
        return self

    def build(self) -> Utility:
        if self.cobb_douglas is not None:
            return CobbDouglas(self.cobb_douglas)
        if self.ces is not None:
            return CES(self.ces.weights, self.ces.rho)
        assert self.linear is not None
        return Linear(self.linear)


class _Agent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    utility: _UtilitySpec
    endowment: list[float]


class _Externality(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str
    good: str
    harmed: str
    damage: float


class EconomySpec(BaseModel):
    """The economy file, validated."""

    model_config = ConfigDict(extra="forbid")
    goods: list[str]
    agents: list[_Agent]
    externality: _Externality | None = None


def load_economy(path: str | Path) -> ExchangeEconomy:
    """Read and validate an economy file."""
    return economy_from_mapping(read_structured_file(path), source=str(path))


def economy_from_mapping(data: Any, source: str = "economy") -> ExchangeEconomy:
    """Build an economy from a file's content; errors start with ``source``."""
    spec = validate_spec(data, EconomySpec, source, keys="goods, agents")
    with errors_located(source):
        names = [a.name for a in spec.agents]
        externality = None
        if spec.externality is not None:
            e = spec.externality
            externality = Externality(
                _index(names, e.source, "agent"),
                _index(spec.goods, e.good, "good"),
                _index(names, e.harmed, "agent"),
                e.damage,
            )
        return ExchangeEconomy.build(
            names,
            spec.goods,
            [a.utility.build() for a in spec.agents],
            [a.endowment for a in spec.agents],
            externality,
        )


def _index(names: list[str], name: str, what: str) -> int:
    if name not in names:
        raise UnknownNameError(f"externality: unknown {what} {name!r}; use one of {names}")
    return names.index(name)
