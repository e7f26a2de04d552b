"""The JSON shapes of bots and LLM credentials (``/api/bots``, ``/api/me/llm``).

``BotPublic`` is the owner's view (with the fixed bot's private info, the LLM bot's
instructions, the bayesian bot's market, offer and true state); ``BotSummary`` is what an
operator listing every bot sees: no private info.
``CredentialPublic`` shows the key only as a hint.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from volition.bazaar.api.schemas import Cents, _Input
from volition.bazaar.domain import BotJob, BotSeller, LLMCredential

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


class BotSummary(BaseModel):
    id: str
    owner_id: str
    name: str
    kind: str
    active: bool
    price: int
    keywords: list[str]
    created_at: datetime

    @classmethod
    def of(cls, bot: BotSeller) -> BotSummary:
        return cls(
            id=bot.id,
            owner_id=bot.owner_id,
            name=bot.name,
            kind=bot.kind.value,
            active=bot.active,
            price=bot.price,
            keywords=list(bot.keywords),
            created_at=bot.created_at,
        )


class BotPublic(BotSummary):
    min_budget: int
    min_priority: float
    max_age_seconds: float | None
    min_inspection_rate: float
    min_purchase_rate: float
    preview: str
    private_info: str
    instructions: str
    base_url: str | None
    model: str | None
    market: dict[str, Any] | None = None
    market_offer: str | None = None
    market_state: str | None = None
    cents_per_unit: int | None = None

    @classmethod
    def of(cls, bot: BotSeller) -> BotPublic:
        return cls(
            **BotSummary.of(bot).model_dump(),
            min_budget=bot.min_budget,
            min_priority=bot.min_priority,
            max_age_seconds=None if bot.max_age is None else bot.max_age.total_seconds(),
            min_inspection_rate=bot.min_inspection_rate,
            min_purchase_rate=bot.min_purchase_rate,
            preview=bot.preview,
            private_info=bot.private_info,
            instructions=bot.instructions,
            base_url=bot.base_url,
            model=bot.model,
            market=None if bot.market is None else json.loads(bot.market),
            market_offer=bot.market_offer,
            market_state=bot.market_state,
            cents_per_unit=bot.cents_per_unit,
        )


class BotJobPublic(BaseModel):
    context_id: str
    status: str
    attempts: int
    offer_id: str | None
    error: str | None
    updated_at: datetime

    @classmethod
    def of(cls, job: BotJob) -> BotJobPublic:
        return cls(
            context_id=job.context_id,
            status=job.status.value,
            attempts=job.attempts,
            offer_id=job.offer_id,
            error=job.error,
            updated_at=job.updated_at,
        )


class CredentialPut(_Input):
    base_url: Annotated[str, Field(min_length=1, max_length=2_000)]
    model: Annotated[str, Field(min_length=1, max_length=200)]
    api_key: Annotated[str, Field(min_length=1, max_length=1_000)]


class CredentialPublic(BaseModel):
    base_url: str
    model: str
    key_hint: str
    updated_at: datetime

    @classmethod
    def of(cls, credential: LLMCredential) -> CredentialPublic:
        return cls(
            base_url=credential.base_url,
            model=credential.model,
            key_hint=credential.key_hint,
            updated_at=credential.updated_at,
        )
