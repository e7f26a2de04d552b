"""The JSON shapes of bots and LLM credentials (``/api/bots``, ``/api/me/llm``).

``BotPublic`` is the owner's view (with the fixed bot's private info, the LLM bot's
instructions, the bayesian bot's market, offer and true state); ``BotSummary`` is what an
operator listing every bot sees: no private info.
``CredentialPublic`` shows the key only as a hint.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import Field

from volition.bazaar.api.records import JsonText, RecordPublic, Seconds, read_from
from volition.bazaar.api.schemas import Cents, _Input

__all__ = [
    "BotCreate",
    "BotJobPublic",
    "BotPublic",
    "BotSummary",
    "BotUpdate",
    "CredentialPublic",
    "CredentialPut",
]

Rate = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Keyword = Annotated[str, Field(min_length=1, max_length=100)]


class _BotFields(_Input):
    keywords: Annotated[list[Keyword], Field(max_length=20)] | None = None
    min_budget: Cents | None = None
    min_priority: Rate | None = None
    max_age_seconds: Annotated[int | None, Field(gt=0, le=10**8)] = None
    min_inspection_rate: Rate | None = None
    min_purchase_rate: Rate | None = None
    preview: Annotated[str, Field(max_length=2_000)] | None = None
    private_info: Annotated[str, Field(max_length=20_000)] | None = None
    instructions: Annotated[str, Field(max_length=20_000)] | None = None
    base_url: Annotated[str, Field(min_length=1, max_length=2_000)] | None = None
    model: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    market: dict[str, Any] | None = Field(
        default=None, description="a bayesian bot's market: a market file's mapping, world inline"
    )
    market_offer: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    market_state: (
        Annotated[str, Field(min_length=1, max_length=200)] | Annotated[int, Field(ge=0)] | None
    ) = Field(default=None, description="the true state: its label or index")
    cents_per_unit: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    active: bool | None = None

    def fields(self) -> dict[str, Any]:
        """The fields given, in the domain's terms (``max_age`` as a ``timedelta``)."""
        given = self.model_dump(exclude_unset=True, exclude={"name", "kind", "price"})
        # null clears what may be empty (age limit, base URL, model); elsewhere it means "unset"
        given = {
            k: v
            for k, v in given.items()
            if v is not None or k in ("max_age_seconds", "base_url", "model")
        }
        if "max_age_seconds" in given:
            seconds = given.pop("max_age_seconds")
            given["max_age"] = None if seconds is None else timedelta(seconds=seconds)
        return given


class BotCreate(_BotFields):
    name: Annotated[str, Field(min_length=1, max_length=60)]
    kind: Literal["fixed", "llm", "bayesian"]
    price: Annotated[
        Cents | None,
        Field(
            description="a fixed bot's price; an LLM bot's price cap; a bayesian bot's is its "
            "offer's (leave it out)"
        ),
    ] = None


class BotUpdate(_BotFields):
    name: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    price: Cents | None = None

    def fields(self) -> dict[str, Any]:
        given = super().fields()
        for key in ("name", "price"):
            if key in self.model_fields_set and getattr(self, key) is not None:
                given[key] = getattr(self, key)
        return given


class BotSummary(RecordPublic):
    id: str
    owner_id: str
    name: str
    kind: str
    active: bool
    price: int
    keywords: list[str]
    created_at: datetime


class BotPublic(BotSummary):
    min_budget: int
    min_priority: float
    max_age_seconds: Seconds | None = read_from("max_age", "max_age_seconds")
    min_inspection_rate: float
    min_purchase_rate: float
    preview: str
    private_info: str
    instructions: str
    base_url: str | None
    model: str | None
    market: JsonText | None = None
    market_offer: str | None = None
    market_state: str | None = None
    cents_per_unit: int | None = None


class BotJobPublic(RecordPublic):
    context_id: str
    status: str
    attempts: int
    offer_id: str | None
    error: str | None
    updated_at: datetime


class CredentialPut(_Input):
    base_url: Annotated[str, Field(min_length=1, max_length=2_000)]
    model: Annotated[str, Field(min_length=1, max_length=200)]
    api_key: Annotated[str, Field(min_length=1, max_length=1_000)]


class CredentialPublic(RecordPublic):
    base_url: str
    model: str
    key_hint: str
    updated_at: datetime
