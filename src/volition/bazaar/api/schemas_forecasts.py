"""Request and response bodies of forecast questions (``domain.forecasts``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from volition.bazaar.api.records import RecordPublic
from volition.bazaar.api.schemas_escrow import EscrowPublic
from volition.bazaar.api.text import TextChecked
from volition.bazaar.domain.forecast_service import QuestionView
from volition.bazaar.domain.forecasts import MAX_LABEL_CHARS, MAX_OUTCOMES

__all__ = [
    "ForecastCreate",
    "ForecastPublic",
    "OfferScorePublic",
    "PathStepPublic",
    "ResolveBody",
    "TrackRecordPublic",
]


class _Input(TextChecked, BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ForecastCreate(_Input):
    """Makes a posted context a forecast question."""

    outcomes: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=MAX_LABEL_CHARS)]],
        Field(min_length=2, max_length=MAX_OUTCOMES),
    ] = Field(description="2 labels (binary) or more (categorical), distinct")
    closes_at: str | None = Field(
        None, description="ISO 8601 time with its zone; or give closes_in_seconds"
    )
    closes_in_seconds: Annotated[int | None, Field(gt=0, le=10**8)] = None
    resolver: str | None = Field(None, description="a user's name; none: the operator")
    rule: Literal["log", "brier", "spherical"] = "log"
    prior: Annotated[list[float], Field(max_length=MAX_OUTCOMES)] | None = Field(
        None, description="the forecast before any purchase (default uniform)"
    )
    max_escrow: Annotated[int, Field(ge=0, le=10**12)] = Field(
        0,
        description=(
            "the largest escrow cap (cents) a pay-on-resolution offer may ask, and the "
            "question's stake: one unit of score is worth max_escrow cents (0: none accepted)"
        ),
    )


class ResolveBody(_Input):
    outcome: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    annulled: bool = False


class PathStepPublic(BaseModel):
    seq: int = Field(description="0: the prior; then one step per purchase")
    forecast: list[float] | None = Field(description="null when withheld (amnesia)")
    offer_ids: list[str]
    withheld: bool


class OfferScorePublic(BaseModel):
    offer_id: str
    seller_id: str
    price: int = Field(description="what the buyer paid for it: its price and escrow payment")
    step: int
    realised_value: float = Field(description="score after its step minus score before")


class ForecastPublic(BaseModel):
    outcomes: list[str]
    prior: list[float]
    closes_at: datetime
    resolver: str | None = Field(description="the resolver's name; null: the operator")
    rule: str
    max_escrow: int = Field(0, description="the largest escrow cap accepted; the stake")
    resolved: bool
    outcome: str | None
    annulled: bool
    resolved_at: datetime | None
    final_score: float | None = Field(None, description="the buyer's only")
    path: list[PathStepPublic] | None = Field(None, description="the buyer's only")
    scores: list[OfferScorePublic] | None = Field(None, description="the buyer's only")
    escrows: list[EscrowPublic] | None = Field(None, description="the buyer's only")

    @classmethod
    def of(cls, view: QuestionView) -> ForecastPublic:
        q, r = view.question, view.question.resolution
        return cls(
            outcomes=list(q.outcomes),
            prior=list(q.prior),
            closes_at=q.closes_at,
            resolver=view.resolver,
            rule=q.rule.value,
            max_escrow=q.max_escrow,
            resolved=r is not None,
            outcome=None if r is None else r.outcome,
            annulled=r is not None and r.annulled,
            resolved_at=None if r is None else r.at,
            final_score=None if r is None else r.final_score,
            path=None
            if view.path is None
            else [
                PathStepPublic(
                    seq=s.seq,
                    forecast=None if s.distribution is None else list(s.distribution),
                    offer_ids=list(s.offer_ids),
                    withheld=s.withheld,
                )
                for s in view.path
            ],
            scores=None
            if view.scores is None
            else [
                OfferScorePublic(
                    offer_id=s.offer_id,
                    seller_id=s.seller_id,
                    price=s.price,
                    step=s.seq,
                    realised_value=s.value,
                )
                for s in view.scores
            ],
            escrows=None if view.escrows is None else [EscrowPublic.of(e) for e in view.escrows],
        )


class TrackRecordPublic(RecordPublic):
    seller: str
    offers: int = Field(description="offers bought on resolved questions")
    questions: int
    mean_value: float | None = Field(description="mean realised marginal value")
    value_per_dollar: float | None = Field(description="mean realised value / price in dollars")
    mean_confidence: float | None
    hit_rate: float | None
    calibration_gap: float | None = Field(
        description="mean confidence minus hit rate of the forecasts they moved (>0: overconfident)"
    )
