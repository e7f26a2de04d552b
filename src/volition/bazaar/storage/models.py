"""SQLAlchemy 2 models of the bazaar's tables, with the ledger's invariants as constraints.

The Alembic migrations in ``alembic/versions`` create exactly these tables (a test compares
them). Money is BIGINT cents; a posting is never zero; prices and budgets never negative;
an offer is bought at most once (unique ``purchases.offer_id``). On PostgreSQL a deferred
constraint trigger also checks that each journal entry's postings sum to zero at commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    Index,
    Integer,
    String,
    Text,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from volition.bazaar.storage.columns import (
    ID,
    Base,
    MatchingColumns,
    UtcDateTime,
    id_column,
    list_column,
    matching_checks,
    money_column,
    not_negative,
    one_of,
    ref_column,
    when_column,
)

__all__ = [
    "Base",
    "ContextRow",
    "EntryRow",
    "IdempotencyRow",
    "MatcherRow",
    "OfferRow",
    "PostingRow",
    "PurchaseRow",
    "TokenRow",
    "UserRow",
    "UtcDateTime",  # the migrations import it from here
]


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_buyer: Mapped[bool] = mapped_column(Boolean)
    is_seller: Mapped[bool] = mapped_column(Boolean)
    is_operator: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = when_column()


class TokenRow(Base):
    __tablename__ = "tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = ref_column("users.id", index=True)
    created_at: Mapped[datetime] = when_column()
    expires_at: Mapped[datetime] = when_column()


RECORD_MINIMUM_CHECKS = (
    CheckConstraint(
        "record_min_offers_bought IS NULL OR record_min_offers_bought >= 0",
        name="ck_contexts_record_min_offers_bought",
    ),
    CheckConstraint(
        "record_max_calibration_gap IS NULL OR "
        "(record_max_calibration_gap >= 0 AND record_max_calibration_gap <= 1)",
        name="ck_contexts_record_max_calibration_gap",
    ),
    CheckConstraint(
        "(record_min_offers_bought IS NULL) = (record_admit_newcomers IS NULL)",
        name="ck_contexts_record_minimum_whole",
    ),
)
"""A context's record minimum is whole or absent, within its bounds (migration 0014)."""


class ContextRow(Base):
    __tablename__ = "contexts"
    __table_args__ = (
        not_negative("contexts", "budget"),
        CheckConstraint("priority >= 0 AND priority <= 1", name="ck_contexts_priority"),
        one_of("contexts", "status", "open", "inspecting", "decided", "expired", "cancelled"),
        not_negative("contexts", "depth"),
        one_of("contexts", "reveal", "with_parent", "all"),
        CheckConstraint("attention IS NULL OR attention >= 1", name="ck_contexts_attention"),
        not_negative("contexts", "reading_cost"),
        *RECORD_MINIMUM_CHECKS,
        Index("ix_contexts_status_created", "status", "created_at"),
    )

    id: Mapped[str] = id_column()
    buyer_id: Mapped[str] = ref_column("users.id", index=True)
    query: Mapped[str] = mapped_column(Text)
    pages: Mapped[list[str]] = list_column()
    budget: Mapped[int] = money_column()
    priority: Mapped[float] = mapped_column(Float)
    named_seller_ids: Mapped[list[str]] = list_column()
    created_at: Mapped[datetime] = when_column()
    expires_at: Mapped[datetime | None] = when_column(nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    parent_offer_ids: Mapped[list[str]] = list_column()
    parent_context_id: Mapped[str | None] = ref_column("contexts.id", nullable=True, index=True)
    depth: Mapped[int] = mapped_column(Integer)
    reveal: Mapped[str] = mapped_column(String(16), server_default="with_parent")
    by_inspector: Mapped[bool] = mapped_column(Boolean, server_default=false())
    attention: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reading_cost: Mapped[int] = money_column(server_default="0")
    # a context's RecordMinimum, flattened (row_maps.CONTEXT); all NULL: none
    record_min_offers_bought: Mapped[int | None] = mapped_column(Integer, nullable=True)
    record_min_value_per_dollar: Mapped[float | None] = mapped_column(Float, nullable=True)
    record_max_calibration_gap: Mapped[float | None] = mapped_column(Float, nullable=True)
    record_admit_newcomers: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class OfferRow(Base):
    __tablename__ = "offers"
    __table_args__ = (
        not_negative("offers", "price"),
        not_negative("offers", "bid"),
        one_of("offers", "status", "active", "withdrawn"),
    )

    id: Mapped[str] = id_column()
    context_id: Mapped[str] = ref_column("contexts.id", index=True)
    seller_id: Mapped[str] = ref_column("users.id", index=True)
    preview: Mapped[str] = mapped_column(Text)
    private_info: Mapped[str] = mapped_column(Text)
    price: Mapped[int] = money_column()
    created_at: Mapped[datetime] = when_column()
    status: Mapped[str] = mapped_column(String(16))
    inspected: Mapped[bool] = mapped_column(Boolean)
    quotable: Mapped[bool] = mapped_column(Boolean, server_default=true())
    bid: Mapped[int] = money_column(server_default="0")


class EntryRow(Base):
    __tablename__ = "journal_entries"
    __table_args__ = (
        one_of(
            "journal_entries",
            "kind",
            *("grant", "credit", "reserve", "purchase", "release", "cash_out"),
            *("inspection_cost", "bid_reserve", "bid_payment", "bid_release"),
        ),
    )

    id: Mapped[str] = id_column()
    kind: Mapped[str] = mapped_column(String(16))
    memo: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = when_column(index=True)


class PostingRow(Base):
    __tablename__ = "postings"
    __table_args__ = (CheckConstraint("amount <> 0", name="ck_postings_nonzero"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = ref_column("journal_entries.id", index=True)
    account: Mapped[str] = mapped_column(String(60), index=True)
    amount: Mapped[int] = money_column()


class PurchaseRow(Base):
    __tablename__ = "purchases"
    __table_args__ = (
        not_negative("purchases", "price"),
        one_of("purchases", "mechanism", "naive", "inspection"),
        CheckConstraint(
            "(price = 0 AND entry_id IS NULL) OR (price > 0 AND entry_id IS NOT NULL)",
            name="ck_purchases_paid",
        ),
    )

    id: Mapped[str] = id_column()
    offer_id: Mapped[str] = ref_column("offers.id", unique=True)
    context_id: Mapped[str] = ref_column("contexts.id", index=True)
    buyer_id: Mapped[str] = ref_column("users.id", index=True)
    seller_id: Mapped[str] = ref_column("users.id", index=True)
    price: Mapped[int] = money_column()
    mechanism: Mapped[str] = mapped_column(String(16))
    entry_id: Mapped[str | None] = ref_column("journal_entries.id", nullable=True, unique=True)
    created_at: Mapped[datetime] = when_column()


class MatcherRow(MatchingColumns, Base):
    __tablename__ = "matchers"
    __table_args__ = matching_checks("matchers")

    id: Mapped[str] = id_column()
    seller_id: Mapped[str] = ref_column("users.id", index=True)
    created_at: Mapped[datetime] = when_column()
    min_inspection_rate: Mapped[float] = mapped_column(Float, server_default="0")
    min_purchase_rate: Mapped[float] = mapped_column(Float, server_default="0")


class IdempotencyRow(Base):
    __tablename__ = "idempotency_keys"

    user_id: Mapped[str] = ref_column("users.id", primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    operation: Mapped[str] = mapped_column(String(16))
    request_hash: Mapped[str] = mapped_column(String(64))
    result_id: Mapped[str] = mapped_column(ID)
    created_at: Mapped[datetime] = when_column()


# The tables of the inspections and of the bots live in modules of their own; importing them
# here registers them on ``Base.metadata`` wherever the models are used.
from volition.bazaar.storage import (  # noqa: E402, F401
    models_bots,
    models_forecasts,
    models_inspection,
    models_ratelimit,
)
