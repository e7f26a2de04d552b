"""Market files: a world (the problem format of ``volition voi``) and offers per level.

```yaml
world: fact_checking.yaml      # a problem file, relative to this file; or the problem inline
levels:                        # level 0 offers inform the buyer's decision; level 1 inform
  - offers:                    # the purchase of level-0 offers; and so on
      - {id: o1, seller: seller1, reveals: [I1], price: 0.0}
  - offers:
      - {id: o2, seller: seller2, reveals: [I2], price: 0.01}
scenarios:                     # optional prior over which offers exist; default: all, p = 1
  - {p: 0.5, absent: [o2]}
  - {p: 0.5}
```

Every mistake becomes one ``InputError`` whose message starts with the file and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from volition.core import Problem, problem_from_mapping
from volition.core.files import read_structured_file
from volition.errors import FileFormatError, InputError
from volition.mechanisms.market import Market, Offer, Scenario

__all__ = ["OversightSetting", "load_market", "load_oversight", "market_from_mapping"]


class OfferSpec(BaseModel):
    """One offer: ``{id, seller, reveals, price}``."""

    model_config = ConfigDict(extra="forbid")
    id: str
    seller: str
    reveals: list[str] | str
    price: float = 0.0


class LevelSpec(BaseModel):
    """One level of offers."""

    model_config = ConfigDict(extra="forbid")
    offers: list[OfferSpec] = []


class ScenarioSpec(BaseModel):
    """One scenario: its probability and the offers absent from it."""

    model_config = ConfigDict(extra="forbid")
    p: float
    absent: list[str] = []
    name: str = ""


class OversightSpec(BaseModel):
    """``oversight:``: the marginal-value mechanism's informers and what they know (K)."""

    model_config = ConfigDict(extra="forbid")
    informers: int | None = Field(default=None, ge=1)
    knows: list[str] = ["state"]


class MarketSpec(BaseModel):
    """The market file, validated."""

    model_config = ConfigDict(extra="forbid")
    world: str | dict[str, Any]
    levels: list[LevelSpec] = Field(min_length=1)
    scenarios: list[ScenarioSpec] | None = None
    oversight: OversightSpec | None = None
    description: str = ""


@dataclass(frozen=True, eq=False)
class OversightSetting:
    """A market file read for ``volition oversight``: the level-0 offers are the menu."""

    market: Market
    informers: int | None
    knows: tuple[str, ...]


def load_oversight(path: str | Path) -> OversightSetting:
    """Read a market file for the marginal-value mechanism (``oversight:`` is optional)."""
    path = Path(path)
    data = read_structured_file(path)
    return oversight_from_mapping(data, source=str(path), base=path.parent)


def oversight_from_mapping(
    data: Any, source: str = "market", base: Path | None = None
) -> OversightSetting:
    """A market file's content read for the marginal-value mechanism."""
    market = market_from_mapping(data, source=source, base=base)
    spec = MarketSpec.model_validate(data).oversight or OversightSpec()
    try:
        market.problem.world.partition(spec.knows)
    except InputError as exc:
        raise type(exc)(f"{source}: oversight.knows: {exc}") from exc
    return OversightSetting(market, spec.informers, tuple(spec.knows))


def load_market(path: str | Path) -> Market:
    """Read and validate a market file (YAML or JSON)."""
    path = Path(path)
    return market_from_mapping(read_structured_file(path), source=str(path), base=path.parent)


def market_from_mapping(data: Any, source: str = "market", base: Path | None = None) -> Market:
    """Build a market from a file's content; a ``world:`` path is relative to ``base``."""
    if not isinstance(data, Mapping):
        raise FileFormatError(f"{source}: expected a mapping with keys world, levels, scenarios")
    try:
        spec = MarketSpec.model_validate(data)
    except ValidationError as exc:
        raise FileFormatError(f"{source}: {_first_error(exc)}") from exc
    problem = _world(spec.world, source, base or Path("."))
    try:
        return _build(spec, problem)
    except InputError as exc:
        raise type(exc)(f"{source}: {exc}") from exc


def _build(spec: MarketSpec, problem: Problem) -> Market:
    levels = [
        [
            Offer(
                o.id,
                o.seller,
                (o.reveals,) if isinstance(o.reveals, str) else tuple(o.reveals),
                o.price,
            )
            for o in level.offers
        ]
        for level in spec.levels
    ]
    scenarios = (
        [Scenario(s.p, frozenset(s.absent), s.name) for s in spec.scenarios]
        if spec.scenarios
        else None
    )
    return Market.build(problem, levels, scenarios)


def _world(world: str | dict[str, Any], source: str, base: Path) -> Problem:
    if isinstance(world, str):
        path = base / world
        if not path.is_file():
            raise FileFormatError(
                f"{source}: world file {world!r} not found (looked for {path}); give a path "
                "relative to the market file, or the problem inline"
            )
        return problem_from_mapping(read_structured_file(path), source=str(path))
    return problem_from_mapping(world, source=f"{source}: world")


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(part) for part in err["loc"] if not str(part).startswith("function-"))
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg
