"""Problem files: the canonical YAML/JSON form of a world and a decision.

```yaml
states: [s0, s1, s2, s3]        # labels (or an integer count)
prior: [0.1, 0.2, 0.3, 0.4]     # or `weights:` to normalise
variables:                      # the value of each information source in every state
  I1: [0, 0, 1, 1]
actions: [a, b]                 # a finite decision ...
utility: [[1, 0], [1, 0], [0, 2], [0, 2]]   # one row per state, one column per action
# ... or instead of actions/utility:
# forecast: {event: [0, 1, 0, 1], rule: log}   # log | brier | spherical; event may name a variable
```

Every mistake becomes one :class:`FileFormatError` (or another ``InputError``) whose message
starts with the file and the key (and index) at fault.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from volition.core.decision import DecisionProblem, MatrixDecision
from volition.core.problem import Problem
from volition.core.scoring import ForecastDecision, ScoringRule
from volition.core.space import ProbabilitySpace
from volition.core.world import World
from volition.errors import FileFormatError, InputError

__all__ = [
    "ProblemSpec",
    "errors_located",
    "load_problem",
    "problem_from_mapping",
    "read_structured_file",
    "validate_spec",
]

Spec = TypeVar("Spec", bound=BaseModel)

Scalar = int | float | str | bool


class ForecastSpec(BaseModel):
    """``forecast:``: the event (0/1 per state, or a variable's name) and the scoring rule."""

    model_config = ConfigDict(extra="forbid")
    event: list[int] | str
    rule: ScoringRule = ScoringRule.LOG


class ProblemSpec(BaseModel):
    """The canonical problem file, validated."""

    model_config = ConfigDict(extra="forbid")
    states: list[str] | int
    prior: list[float] | None = None
    weights: list[float] | None = None
    variables: dict[str, list[Scalar]] = {}
    actions: list[str] | int | None = None
    utility: list[list[float]] | None = None
    forecast: ForecastSpec | None = None

    @model_validator(mode="after")
    def _one_of_each(self) -> ProblemSpec:
        if (self.prior is None) == (self.weights is None):
            raise ValueError("give exactly one of `prior` (sums to 1) or `weights` (normalised)")
        has_matrix = self.actions is not None or self.utility is not None
        if has_matrix == (self.forecast is not None):
            raise ValueError("give either `actions` with `utility`, or `forecast`, not both")
        if has_matrix and (self.actions is None or self.utility is None):
            raise ValueError("`actions` and `utility` go together; give both")
        for name, values in self.variables.items():
            kinds = {isinstance(v, str) for v in values}
            if len(kinds) > 1:
                raise ValueError(f"variable {name!r} mixes numbers and strings; use one kind")
        return self


def read_structured_file(path: str | Path) -> Any:
    """Parse a YAML or JSON file; errors name the file and the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read the file ({exc.strerror})") from exc
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise FileFormatError(f"{path}: not valid YAML{where}") from exc


def load_problem(path: str | Path) -> Problem:
    """Read and validate a problem file."""
    return problem_from_mapping(read_structured_file(path), source=str(path))


def problem_from_mapping(data: Any, source: str = "problem") -> Problem:
    """Build a problem from the file's content (a mapping); errors start with ``source``."""
    spec = validate_spec(data, ProblemSpec, source, keys="states, prior, ...")
    with errors_located(source):
        return _build(spec)


def validate_spec(data: Any, spec: type[Spec], source: str, keys: str) -> Spec:
    """Validate a file's content against a pydantic model.

    Any mistake becomes one ``FileFormatError`` starting with ``source`` and the key (and
    index) at fault, e.g. ``market.yaml: levels.0.offers.1.price: ...``.
    """
    if not isinstance(data, Mapping):
        raise FileFormatError(f"{source}: expected a mapping with keys {keys}")
    try:
        return spec.model_validate(data)
    except ValidationError as exc:
        raise FileFormatError(f"{source}: {_first_error(exc)}") from exc


@contextmanager
def errors_located(source: str) -> Iterator[None]:
    """Prefix the message of any ``InputError`` raised inside with ``source``."""
    try:
        yield
    except InputError as exc:
        raise type(exc)(f"{source}: {exc}") from exc


def _build(spec: ProblemSpec) -> Problem:
    if spec.prior is not None:
        space = ProbabilitySpace(spec.states, spec.prior)
    else:
        assert spec.weights is not None
        space = ProbabilitySpace.from_weights(spec.states, spec.weights)
    world = World.build(space, spec.variables)
    decision: DecisionProblem
    if spec.forecast is not None:
        event = spec.forecast.event
        if isinstance(event, str):
            event = list(world.variable(event).values)
        if len(event) != space.size:
            raise FileFormatError(
                f"forecast.event has {len(event)} entries but there are {space.size} states"
            )
        decision = ForecastDecision(event, spec.forecast.rule)
    else:
        assert spec.actions is not None and spec.utility is not None
        n_actions = spec.actions if isinstance(spec.actions, int) else len(spec.actions)
        if len(spec.utility) != space.size:
            raise FileFormatError(
                f"utility has {len(spec.utility)} rows but there are {space.size} states; "
                "give one row per state"
            )
        for i, row in enumerate(spec.utility):
            if len(row) != n_actions:
                raise FileFormatError(
                    f"utility[{i}] has {len(row)} entries but there are {n_actions} actions"
                )
        decision = MatrixDecision(spec.actions, spec.utility)
    return Problem(world, decision)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(part) for part in err["loc"] if not str(part).startswith("function-"))
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg
