"""The bazaar's first schema: users, tokens, contexts, offers, ledger, purchases, matchers.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from volition.bazaar.storage.models import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(40)

# On PostgreSQL every journal entry must balance when its transaction commits.
BALANCED_ENTRY_FUNCTION = """
CREATE FUNCTION volition_check_entry_balanced() RETURNS trigger AS $$
DECLARE total BIGINT;
BEGIN
    SELECT COALESCE(SUM(amount), 0) INTO total FROM postings WHERE entry_id = NEW.entry_id;
    IF total <> 0 THEN
        RAISE EXCEPTION 'journal entry % is not balanced: postings sum to %', NEW.entry_id, total;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql
"""
BALANCED_ENTRY_TRIGGER = """
CREATE CONSTRAINT TRIGGER postings_balanced AFTER INSERT OR UPDATE ON postings
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION volition_check_entry_balanced()
"""


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.String(40), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("is_buyer", sa.Boolean, nullable=False),
        sa.Column("is_seller", sa.Boolean, nullable=False),
        sa.Column("is_operator", sa.Boolean, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", ID, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "contexts",
        sa.Column("id", ID, primary_key=True),
        sa.Column("buyer_id", ID, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("pages", sa.JSON, nullable=False),
        sa.Column("budget", sa.BigInteger, nullable=False),
        sa.Column("priority", sa.Float, nullable=False),
        sa.Column("named_seller_ids", sa.JSON, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("parent_offer_ids", sa.JSON, nullable=False),
        sa.Column("parent_context_id", ID, sa.ForeignKey("contexts.id"), nullable=True, index=True),
        sa.Column("depth", sa.Integer, nullable=False),
        sa.CheckConstraint("budget >= 0", name="ck_contexts_budget"),
        sa.CheckConstraint("priority >= 0 AND priority <= 1", name="ck_contexts_priority"),
        sa.CheckConstraint(
            "status IN ('open', 'inspecting', 'decided', 'expired', 'cancelled')",
            name="ck_contexts_status",
        ),
        sa.CheckConstraint("depth >= 0", name="ck_contexts_depth"),
    )
    op.create_index("ix_contexts_status_created", "contexts", ["status", "created_at"])
    op.create_table(
        "offers",
        sa.Column("id", ID, primary_key=True),
        sa.Column("context_id", ID, sa.ForeignKey("contexts.id"), nullable=False, index=True),
        sa.Column("seller_id", ID, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("preview", sa.Text, nullable=False),
        sa.Column("private_info", sa.Text, nullable=False),
        sa.Column("price", sa.BigInteger, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("inspected", sa.Boolean, nullable=False),
        sa.CheckConstraint("price >= 0", name="ck_offers_price"),
        sa.CheckConstraint("status IN ('active', 'withdrawn')", name="ck_offers_status"),
    )
    op.create_table(
        "journal_entries",
        sa.Column("id", ID, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("memo", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False, index=True),
        sa.CheckConstraint(
            "kind IN ('grant', 'credit', 'reserve', 'purchase', 'release')",
            name="ck_journal_entries_kind",
        ),
    )
    op.create_table(
        "postings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entry_id", ID, sa.ForeignKey("journal_entries.id"), nullable=False, index=True),
        sa.Column("account", sa.String(60), nullable=False, index=True),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.CheckConstraint("amount <> 0", name="ck_postings_nonzero"),
    )
    op.create_table(
        "purchases",
        sa.Column("id", ID, primary_key=True),
        sa.Column("offer_id", ID, sa.ForeignKey("offers.id"), nullable=False, unique=True),
        sa.Column("context_id", ID, sa.ForeignKey("contexts.id"), nullable=False, index=True),
        sa.Column("buyer_id", ID, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("seller_id", ID, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("price", sa.BigInteger, nullable=False),
        sa.Column("mechanism", sa.String(16), nullable=False),
        sa.Column("entry_id", ID, sa.ForeignKey("journal_entries.id"), nullable=True, unique=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.CheckConstraint("price >= 0", name="ck_purchases_price"),
        sa.CheckConstraint("mechanism IN ('naive', 'inspection')", name="ck_purchases_mechanism"),
        sa.CheckConstraint(
            "(price = 0 AND entry_id IS NULL) OR (price > 0 AND entry_id IS NOT NULL)",
            name="ck_purchases_paid",
        ),
    )
    op.create_table(
        "matchers",
        sa.Column("id", ID, primary_key=True),
        sa.Column("seller_id", ID, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("keywords", sa.JSON, nullable=False),
        sa.Column("min_budget", sa.BigInteger, nullable=False),
        sa.Column("min_priority", sa.Float, nullable=False),
        sa.Column("max_age_seconds", sa.Float, nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.CheckConstraint("min_budget >= 0", name="ck_matchers_min_budget"),
        sa.CheckConstraint("min_priority >= 0 AND min_priority <= 1", name="ck_matchers_priority"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", ID, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("operation", sa.String(16), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("result_id", ID, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(BALANCED_ENTRY_FUNCTION)
        op.execute(BALANCED_ENTRY_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS postings_balanced ON postings")
        op.execute("DROP FUNCTION IF EXISTS volition_check_entry_balanced()")
    for table in (
        "idempotency_keys",
        "matchers",
        "purchases",
        "postings",
        "journal_entries",
        "offers",
        "contexts",
        "tokens",
        "users",
    ):
        op.drop_table(table)
