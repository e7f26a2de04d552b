"""The bots tables: bot sellers, their answers per context (the jobs), LLM credentials.

Registered on ``Base`` by ``models.py``; created by migration 0006 (bayesian bots: 0007). A bot
answers a context at most once: the jobs' primary key is (bot, context). An API key is stored
only encrypted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from volition.bazaar.storage.columns import (
    Base,
    MatchingColumns,
    id_column,
    matching_checks,
    money_column,
    not_negative,
    one_of,
    ref_column,
    when_column,
)

__all__ = ["BotJobRow", "BotRow", "LLMCredentialRow"]


class BotRow(MatchingColumns, Base):
    __tablename__ = "bots"
    __table_args__ = (
        one_of("bots", "kind", "fixed", "llm", "bayesian"),
        CheckConstraint(
            "kind != 'bayesian' OR (market IS NOT NULL AND market_offer IS NOT NULL "
            "AND market_state IS NOT NULL AND cents_per_unit > 0)",
            name="ck_bots_bayesian",
        ),
        not_negative("bots", "price"),
        *matching_checks("bots"),
    )

    id: Mapped[str] = id_column()
    owner_id: Mapped[str] = ref_column("users.id", index=True)
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, index=True)
    price: Mapped[int] = money_column()
    created_at: Mapped[datetime] = when_column()
    min_inspection_rate: Mapped[float] = mapped_column(Float)
    min_purchase_rate: Mapped[float] = mapped_column(Float)
    preview: Mapped[str] = mapped_column(Text)
    private_info: Mapped[str] = mapped_column(Text)
    instructions: Mapped[str] = mapped_column(Text)
    base_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    market: Mapped[str | None] = mapped_column(Text, nullable=True)  # a market file, JSON
    market_offer: Mapped[str | None] = mapped_column(Text, nullable=True)
    market_state: Mapped[str | None] = mapped_column(Text, nullable=True)
    cents_per_unit: Mapped[int | None] = money_column(nullable=True)


class BotJobRow(Base):
    __tablename__ = "bot_jobs"
    __table_args__ = (
        one_of("bot_jobs", "status", "pending", "running", "done", "failed"),
        not_negative("bot_jobs", "attempts"),
        Index("ix_bot_jobs_status_lease", "status", "lease_until"),
    )

    bot_id: Mapped[str] = ref_column("bots.id", primary_key=True)
    context_id: Mapped[str] = ref_column("contexts.id", primary_key=True, index=True)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = when_column()
    updated_at: Mapped[datetime] = when_column()
    lease_until: Mapped[datetime | None] = when_column(nullable=True)
    offer_id: Mapped[str | None] = ref_column("offers.id", nullable=True)
    error: Mapped[str | None] = mapped_column(String(200), nullable=True)


class LLMCredentialRow(Base):
    __tablename__ = "llm_credentials"

    user_id: Mapped[str] = ref_column("users.id", primary_key=True)
    base_url: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(String(200))
    secret: Mapped[str] = mapped_column(Text)  # Fernet ciphertext of the API key
    key_hint: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = when_column()
