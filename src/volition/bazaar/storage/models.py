"""SQLAlchemy 2 models of the bazaar's tables, with the ledger's invariants as constraints.

The Alembic migrations in ``alembic/versions`` create exactly these tables (a test compares
them). Money is BIGINT cents; a posting is never zero; prices and budgets never negative;
an offer is bought at most once (unique ``purchases.offer_id``). On PostgreSQL a deferred
constraint trigger also checks that each journal entry's postings sum to zero at commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
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
    matching_checks,
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

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_buyer: Mapped[bool] = mapped_column(Boolean)
    is_seller: Mapped[bool] = mapped_column(Boolean)
    is_operator: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TokenRow(Base):
    __tablename__ = "tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ContextRow(Base):
    __tablename__ = "contexts"
    __table_args__ = (
        CheckConstraint("budget >= 0", name="ck_contexts_budget"),
        CheckConstraint("priority >= 0 AND priority <= 1", name="ck_contexts_priority"),
        CheckConstraint(
            "status IN ('open', 'inspecting', 'decided', 'expired', 'cancelled')",
            name="ck_contexts_status",
        ),
        CheckConstraint("depth >= 0", name="ck_contexts_depth"),
        CheckConstraint("reveal IN ('with_parent', 'all')", name="ck_contexts_reveal"),
        CheckConstraint("attention IS NULL OR attention >= 1", name="ck_contexts_attention"),
        CheckConstraint("reading_cost >= 0", name="ck_contexts_reading_cost"),
        Index("ix_contexts_status_created", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    buyer_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id"), index=True)
    query: Mapped[str] = mapped_column(Text)
    pages: Mapped[list[str]] = mapped_column(JSON)
    budget: Mapped[int] = mapped_column(BigInteger)
    priority: Mapped[float] = mapped_column(Float)
    named_seller_ids: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    parent_offer_ids: Mapped[list[str]] = mapped_column(JSON)
    parent_context_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("contexts.id"), nullable=True, index=True
    )
    depth: Mapped[int] = mapped_column(Integer)
    reveal: Mapped[str] = mapped_column(String(16), server_default="with_parent")
    by_inspector: Mapped[bool] = mapped_column(Boolean, server_default=false())
    attention: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reading_cost: Mapped[int] = mapped_column(BigInteger, server_default="0")


class OfferRow(Base):
    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint("price >= 0", name="ck_offers_price"),
        CheckConstraint("bid >= 0", name="ck_offers_bid"),
        CheckConstraint("status IN ('active', 'withdrawn')", name="ck_offers_status"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    context_id: Mapped[str] = mapped_column(ID, ForeignKey("contexts.id"), index=True)
    seller_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id"), index=True)
    preview: Mapped[str] = mapped_column(Text)
    private_info: Mapped[str] = mapped_column(Text)
    price: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))
    inspected: Mapped[bool] = mapped_column(Boolean)
    quotable: Mapped[bool] = mapped_column(Boolean, server_default=true())
    bid: Mapped[int] = mapped_column(BigInteger, server_default="0")


class EntryRow(Base):
    __tablename__ = "journal_entries"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('grant', 'credit', 'reserve', 'purchase', 'release', 'cash_out', "
            "'inspection_cost', 'bid_reserve', 'bid_payment', 'bid_release')",
            name="ck_journal_entries_kind",
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    memo: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class PostingRow(Base):
    __tablename__ = "postings"
    __table_args__ = (CheckConstraint("amount <> 0", name="ck_postings_nonzero"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(ID, ForeignKey("journal_entries.id"), index=True)
    account: Mapped[str] = mapped_column(String(60), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)


class PurchaseRow(Base):
    __tablename__ = "purchases"
    __table_args__ = (
        CheckConstraint("price >= 0", name="ck_purchases_price"),
        CheckConstraint("mechanism IN ('naive', 'inspection')", name="ck_purchases_mechanism"),
        CheckConstraint(
            "(price = 0 AND entry_id IS NULL) OR (price > 0 AND entry_id IS NOT NULL)",
            name="ck_purchases_paid",
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    offer_id: Mapped[str] = mapped_column(ID, ForeignKey("offers.id"), unique=True)
    context_id: Mapped[str] = mapped_column(ID, ForeignKey("contexts.id"), index=True)
    buyer_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id"), index=True)
    seller_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id"), index=True)
    price: Mapped[int] = mapped_column(BigInteger)
    mechanism: Mapped[str] = mapped_column(String(16))
    entry_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("journal_entries.id"), nullable=True, unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class MatcherRow(MatchingColumns, Base):
    __tablename__ = "matchers"
    __table_args__ = matching_checks("matchers")

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    seller_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    min_inspection_rate: Mapped[float] = mapped_column(Float, server_default="0")
    min_purchase_rate: Mapped[float] = mapped_column(Float, server_default="0")


class IdempotencyRow(Base):
    __tablename__ = "idempotency_keys"

    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    operation: Mapped[str] = mapped_column(String(16))
    request_hash: Mapped[str] = mapped_column(String(64))
    result_id: Mapped[str] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


# The tables of the inspections and of the bots live in modules of their own; importing them
# here registers them on ``Base.metadata`` wherever the models are used.
from volition.bazaar.storage import (  # noqa: E402, F401
    models_bots,
    models_forecasts,
    models_inspection,
    models_ratelimit,
)
