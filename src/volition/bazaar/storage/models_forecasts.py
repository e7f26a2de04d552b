"""The tables of forecast questions (``domain.forecasts``), created by migration 0011.

One row per question (keyed by its context), one per step of a forecast's path (keyed by the
inspection node whose decision it is; ``seq`` is NULL while the decision's offers are being
bought), one per scored offer once the question resolves.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from volition.bazaar.storage.columns import (
    Base,
    id_column,
    list_column,
    money_column,
    one_of,
    ref_column,
    when_column,
)

__all__ = ["ForecastQuestionRow", "ForecastScoreRow", "ForecastStepRow"]


class ForecastQuestionRow(Base):
    __tablename__ = "forecast_questions"
    __table_args__ = (
        one_of("forecast_questions", "rule", "log", "brier", "spherical", name="ck_forecast_rule"),
        CheckConstraint(
            "NOT (annulled AND outcome IS NOT NULL)", name="ck_forecast_annulled_outcome"
        ),
    )

    context_id: Mapped[str] = ref_column("contexts.id", primary_key=True)
    outcomes: Mapped[list[str]] = list_column()
    prior: Mapped[list[float]] = list_column()
    closes_at: Mapped[datetime] = when_column()
    resolver_id: Mapped[str | None] = ref_column("users.id", nullable=True)
    rule: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(80), nullable=True)
    annulled: Mapped[bool] = mapped_column(Boolean, server_default=false())
    resolved_by: Mapped[str | None] = ref_column("users.id", nullable=True)
    resolved_at: Mapped[datetime | None] = when_column(nullable=True)
    final_score: Mapped[float | None] = mapped_column(Float, nullable=True)


class ForecastStepRow(Base):
    __tablename__ = "forecast_steps"
    __table_args__ = (UniqueConstraint("context_id", "seq", name="uq_forecast_steps_seq"),)

    node_id: Mapped[str] = id_column()
    context_id: Mapped[str] = ref_column("forecast_questions.context_id", index=True)
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    distribution: Mapped[list[float]] = list_column()
    offer_ids: Mapped[list[str]] = list_column()
    at: Mapped[datetime | None] = when_column(nullable=True)


class ForecastScoreRow(Base):
    __tablename__ = "forecast_scores"

    offer_id: Mapped[str] = ref_column("offers.id", primary_key=True)
    context_id: Mapped[str] = ref_column("forecast_questions.context_id", index=True)
    seller_id: Mapped[str] = ref_column("users.id", index=True)
    price: Mapped[int] = money_column()
    seq: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    after: Mapped[list[float]] = list_column()
    outcome: Mapped[int] = mapped_column(Integer)
