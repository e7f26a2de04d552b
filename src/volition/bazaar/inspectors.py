"""The operator's inspectors: LLM endpoints that read offers for buyers (issue 10).

Whoever runs an inspector's model sees every private info it reads, so inspectors are the
operator's, configured at server start, and a buyer only chooses one by name (docs/design.md,
"Trust model of the platform"). ``VOLITION_INSPECTORS`` (``PlatformSettings.inspectors``,
read by ``volition.bazaar.config``) holds a JSON list::

    [{"name": "mini", "base_url": "https://api.openai.com/v1", "model": "gpt-4o-mini",
      "api_key_file": "/run/secrets/openai", "description": "fast and cheap",
      "prompt_cents_per_million": 15, "completion_cents_per_million": 60}]

``api_key`` gives the key inline, ``api_key_file`` names a file holding it (one of them, or
neither for a local server that needs none). Prices are whole cents per million tokens
(:class:`volition.bazaar.inspection.pricing.Pricing`), charged to the inspection's budget.
The built-in ``offline`` inspector (the deterministic offline buyer, free) is always there.
Nothing here ever shows a base URL or a key: :meth:`Inspectors.public` is names, words and
prices only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from volition.agents import Endpoint
from volition.bazaar.inspection.pricing import FREE, Pricing
from volition.errors import InputError

__all__ = ["ENV", "OFFLINE", "InspectorConfig", "InspectorInfo", "Inspectors"]

ENV = "VOLITION_INSPECTORS"
OFFLINE = "offline"
MAX_PRICE = 10**8  # cents per million tokens ($1,000,000 per million): far above any model


class InspectorConfig(BaseModel):
    """One operator inspector: an OpenAI-compatible endpoint, its key and its prices."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
    base_url: Annotated[str, Field(min_length=1, max_length=2_000)]
    model: Annotated[str, Field(min_length=1, max_length=200)]
    api_key: SecretStr | None = None
    api_key_file: str | None = None
    description: Annotated[str, Field(max_length=200)] = ""
    prompt_cents_per_million: Annotated[int, Field(ge=0, le=MAX_PRICE)] = 0
    completion_cents_per_million: Annotated[int, Field(ge=0, le=MAX_PRICE)] = 0
    timeout: Annotated[float, Field(gt=0, le=600)] = 60.0

    @field_validator("name")
    @classmethod
    def _not_offline(cls, name: str) -> str:
        if name == OFFLINE:
            raise ValueError("'offline' is the built-in offline inspector; choose another name")
        return name

    @field_validator("base_url")
    @classmethod
    def _http(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, not {url[:40]!r}")
        return url

    @model_validator(mode="after")
    def _one_key(self) -> InspectorConfig:
        if self.api_key is not None and self.api_key_file is not None:
            raise ValueError("give api_key or api_key_file, not both")
        return self

    @property
    def pricing(self) -> Pricing:
        return Pricing(self.prompt_cents_per_million, self.completion_cents_per_million)

    def key(self) -> str:
        """The API key: inline, or read from ``api_key_file`` (``InputError`` if unreadable)."""
        if self.api_key is not None:
            return self.api_key.get_secret_value()
        if self.api_key_file is None:
            return "not-needed"
        try:
            key = Path(self.api_key_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InputError(
                f"inspector {self.name!r}: cannot read its api_key_file {self.api_key_file}: "
                f"{exc.strerror}"
            ) from exc
        if not key:
            raise InputError(
                f"inspector {self.name!r}: its api_key_file {self.api_key_file} is empty"
            )
        return key


@dataclass(frozen=True, slots=True)
class InspectorInfo:
    """What anyone may know of an inspector: its name, agent, words and prices."""

    name: str
    agent: str  # "offline" or "llm"
    description: str
    prompt_cents_per_million: int
    completion_cents_per_million: int
    default: bool


_LIST = TypeAdapter(list[InspectorConfig])


class Inspectors:
    """The operator's inspectors by name, with their keys read once (at start-up)."""

    def __init__(self, configs: list[InspectorConfig] | tuple[InspectorConfig, ...] = ()) -> None:
        self._configs: dict[str, InspectorConfig] = {}
        for index, config in enumerate(configs):
            if config.name in self._configs:
                raise InputError(
                    f"{ENV}[{index}].name: {config.name!r} is used twice; give each inspector "
                    "its own name"
                )
            self._configs[config.name] = config
        self._endpoints = {
            c.name: Endpoint(c.base_url, c.model, api_key=c.key(), timeout=c.timeout)
            for c in self._configs.values()
        }

    @classmethod
    def parse(cls, text: str, source: str = ENV) -> Inspectors:
        """The inspectors of a JSON list; ``InputError`` naming the bad index and key."""
        try:
            raw: Any = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{source} is not JSON: {exc.msg} at position {exc.pos}") from None
        if not isinstance(raw, list):
            raise InputError(
                f"{source} must be a JSON list of inspectors, not {type(raw).__name__}"
            )
        try:
            configs = _LIST.validate_python(raw)
        except ValidationError as exc:
            problems = []
            for error in exc.errors():
                where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
                problems.append(f"{source}{where}: {error['msg']}")
            raise InputError("; ".join(problems)) from None
        return cls(configs)

    @property
    def names(self) -> tuple[str, ...]:
        """Every inspector a buyer may choose, ``offline`` first."""
        return (OFFLINE, *self._configs)

    def __contains__(self, name: object) -> bool:
        return name in self._configs

    def endpoint(self, name: str) -> Endpoint:
        """The endpoint of the LLM inspector ``name`` (``InputError`` if there is none)."""
        self._known(name)
        return self._endpoints[name]

    def pricing(self, name: str | None) -> Pricing:
        """What the inspector ``name`` charges (``offline`` and None: nothing)."""
        if name is None or name == OFFLINE:
            return FREE
        self._known(name)
        return self._configs[name].pricing

    def public(self) -> list[InspectorInfo]:
        """The catalogue buyers see: names, descriptions and prices, never URLs or keys."""
        offline = InspectorInfo(
            OFFLINE, "offline", "the deterministic offline buyer: no model, free", 0, 0, True
        )
        return [
            offline,
            *(
                InspectorInfo(
                    c.name,
                    "llm",
                    c.description,
                    c.prompt_cents_per_million,
                    c.completion_cents_per_million,
                    False,
                )
                for c in self._configs.values()
            ),
        ]

    def _known(self, name: str) -> None:
        if name not in self._configs:
            raise InputError(
                f"there is no inspector {name!r} on this server; choose one of "
                f"{', '.join(map(repr, self.names))} (GET /api/inspectors)"
            )

    def __repr__(self) -> str:  # never the URLs or keys
        return f"Inspectors({list(self.names)!r})"
