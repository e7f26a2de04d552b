"""Experiment specs: worlds x regimes x learners x seeds, validated, expanded to a grid.

```yaml
name: fact_checking
worlds:
  - name: fact_checking
    market: ../fact_checking_market.yaml  # a market file (levels 1.. are context offers);
    knows: [I1, I2]                       # or `problem:` a problem file; paths relative here
    effort_cost: 0.001                    # per variable revealed (breaks ties to saying less)
    oversight_menu: messages              # or `market`: the market's level-0 offers
regimes: [naive, inspection, "rip:2", rlhf, "oversight:2"]
learners:
  - {name: pg, kind: policy_gradient, lr: 1.0}
  - {name: bandit, kind: bandit, epsilon: 0.2}
  - {name: truthful, kind: fixed, policy: truthful}
seeds: 5                 # a count (seeds 0..n-1) or a list
episodes: 20000          # training episodes per cell
batch: 500
eval_episodes: 5000
buyer: exact             # or `engine`: the platform's inspection engine (inspection, rip:k)
```

Every mistake raises :class:`~volition.errors.FileFormatError` naming the file and the key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from volition.core import problem_from_mapping
from volition.core.files import read_structured_file, validate_spec
from volition.errors import FileFormatError, InputError
from volition.experiments.regimes import World, engine_unsupported, parse_regime
from volition.mechanisms import market_from_mapping

__all__ = [
    "Cell",
    "ExperimentSpec",
    "LearnerSpec",
    "WorldSpec",
    "build_world",
    "fingerprint",
    "grid",
    "load_spec",
    "spec_from_mapping",
]


def _regime(text: str) -> str:
    parse_regime(text)  # its InputError is a ValueError: pydantic reports it under the key
    return text


RegimeText = Annotated[str, AfterValidator(_regime)]


class WorldSpec(BaseModel):
    """One world: a market or problem file, what the informer knows, its effort cost."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    market: str | None = None
    problem: str | None = None
    knows: list[str] | None = None
    effort_cost: float = Field(default=1e-3, ge=0)
    oversight_menu: Literal["messages", "market"] = "messages"


class LearnerSpec(BaseModel):
    """A learner: ``policy_gradient`` (lr), ``bandit`` (epsilon) or ``fixed`` (policy)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    kind: Literal["policy_gradient", "bandit", "fixed"]
    lr: float = Field(default=1.0, gt=0)
    epsilon: float = Field(default=0.2, ge=0, le=1)
    policy: Literal["truthful", "cherry_pick", "lemon"] = "truthful"


class ExperimentSpec(BaseModel):
    """The experiment file, validated."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    description: str = ""
    worlds: list[WorldSpec] = Field(min_length=1)
    regimes: list[RegimeText] = Field(min_length=1)
    learners: list[LearnerSpec] = Field(min_length=1)
    seeds: int | list[int] = 5
    episodes: int = Field(default=20000, ge=1)
    batch: int = Field(default=500, ge=1)
    eval_episodes: int = Field(default=5000, ge=2)
    buyer: Literal["exact", "engine"] = "exact"

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, value: int | list[int]) -> int | list[int]:
        if isinstance(value, int) and value < 1:
            raise ValueError("give a number of seeds >= 1, or a list of seeds")
        if isinstance(value, list) and not value:
            raise ValueError("the list of seeds is empty; give at least one")
        return value

    def seed_list(self) -> list[int]:
        return list(range(self.seeds)) if isinstance(self.seeds, int) else list(self.seeds)


@dataclass(frozen=True)
class Cell:
    """One run of the grid: a world, a regime, a learner and a seed."""

    world: str
    regime: str
    learner: str
    seed: int

    @property
    def key(self) -> str:
        return f"{self.world}|{self.regime}|{self.learner}|{self.seed}"


def load_spec(path: str | Path) -> tuple[ExperimentSpec, dict[str, World]]:
    """Read and validate an experiment file and build its worlds (paths relative to it)."""
    path = Path(path)
    if not path.is_file():
        raise FileFormatError(f"experiment file {str(path)!r} not found")
    return spec_from_mapping(read_structured_file(path), source=str(path), base=path.parent)


def spec_from_mapping(
    data: Any, source: str = "experiment", base: Path | None = None
) -> tuple[ExperimentSpec, dict[str, World]]:
    """Validate an experiment's content; every error names ``source`` and the key."""
    spec = validate_spec(data, ExperimentSpec, source, keys="name, worlds, regimes, learners")
    for what, names in (
        ("worlds", [w.name for w in spec.worlds]),
        ("learners", [lr.name for lr in spec.learners]),
    ):
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise FileFormatError(
                f"{source}: {what}: name {dup[0]!r} is used twice; give each its own name"
            )
    if spec.buyer == "engine":
        for k, text in enumerate(spec.regimes):
            why = engine_unsupported(parse_regime(text))
            if why is not None:
                raise FileFormatError(
                    f"{source}: regimes.{k}: {text!r} cannot run with buyer: engine ({why}); "
                    "use inspection or rip:k, or buyer: exact"
                )
    worlds = {}
    for k, w in enumerate(spec.worlds):
        try:
            worlds[w.name] = build_world(w, base or Path("."))
        except InputError as exc:
            raise FileFormatError(f"{source}: worlds.{k}: {exc}") from exc
    return spec, worlds


def build_world(spec: WorldSpec, base: Path) -> World:
    """A :class:`World` from its spec: the market's levels 1.. become the context offers
    (*(choice)* always on sale; a market's scenarios are not used)."""
    if (spec.market is None) == (spec.problem is None):
        raise InputError("give exactly one of market: or problem: (a file path)")
    file = base / (spec.market or spec.problem or "")
    if not file.is_file():
        raise InputError(
            f"file {str(file)!r} not found (paths are relative to the experiment file)"
        )
    data = read_structured_file(file)
    if spec.market is not None:
        market = market_from_mapping(data, source=str(file), base=file.parent)
        problem = market.problem
        level0 = market.levels[0]
        context = tuple(market.levels[1:])
    else:
        problem = problem_from_mapping(data, source=str(file))
        level0, context = (), ()
    knows = (
        tuple(spec.knows)
        if spec.knows
        else tuple(dict.fromkeys(x for o in level0 for x in o.reveals))
    )
    if not knows:
        raise InputError(
            "knows: list the variables the informer knows (the world has no level-0 offers)"
        )
    try:
        problem.world.partition(list(knows))
    except InputError as exc:
        raise InputError(f"knows: {exc}") from None
    menu = level0 if spec.oversight_menu == "market" else ()
    return World(spec.name, problem, knows, context, tuple(menu), spec.effort_cost)


def grid(spec: ExperimentSpec) -> list[Cell]:
    """Every (world, regime, learner, seed) of the spec, in order."""
    return [
        Cell(w.name, r, lr.name, s)
        for w in spec.worlds
        for r in spec.regimes
        for lr in spec.learners
        for s in spec.seed_list()
    ]


def fingerprint(spec: ExperimentSpec, cell: Cell) -> str:
    """A hash of everything that sets a cell's numbers (its world, learner and sizes), so a
    rerun skips only cells computed with the same settings."""
    world = next(w for w in spec.worlds if w.name == cell.world)
    learner = next(lr for lr in spec.learners if lr.name == cell.learner)
    payload = {
        "world": world.model_dump(),
        "learner": learner.model_dump(),
        "regime": cell.regime,
        "seed": cell.seed,
        "sizes": [spec.episodes, spec.batch, spec.eval_episodes],
    }
    if spec.buyer != "exact":  # the exact buyer's fingerprints stay those of earlier runs
        payload["buyer"] = spec.buyer
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]
