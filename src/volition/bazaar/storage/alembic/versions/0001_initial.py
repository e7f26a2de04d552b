"""The bazaar's first schema: users, tokens, contexts, offers, ledger, purchases, matchers.

Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from volition.bazaar.storage.migration_ops import (
    ID,
    col,
    constraints,
    key,
    matching_checks,
    matching_rule,
    ref,
    when,
)

revision = "0001"
down_revision = None

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
        key(),
        col("name", sa.String(40), unique=True),
        col("password_hash", sa.String(255)),
        col("is_buyer", sa.Boolean),
        col("is_seller", sa.Boolean),
        col("is_operator", sa.Boolean),
        when("created_at"),
    )
    op.create_table(
        "tokens",
        key("token_hash", sa.String(64)),
        ref("user_id", "users.id", index=True),
        when("created_at"),
        when("expires_at"),
    )
    op.create_table(
        "contexts",
        key(),
        ref("buyer_id", "users.id", index=True),
        col("query", sa.Text),
        col("pages", sa.JSON),
        col("budget", sa.BigInteger),
        col("priority", sa.Float),
        col("named_seller_ids", sa.JSON),
        when("created_at"),
        when("expires_at", nullable=True),
        col("status", sa.String(16)),
        col("parent_offer_ids", sa.JSON),
        ref("parent_context_id", "contexts.id", nullable=True, index=True),
        col("depth", sa.Integer),
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
        key(),
        ref("context_id", "contexts.id", index=True),
        ref("seller_id", "users.id", index=True),
        col("preview", sa.Text),
        col("private_info", sa.Text),
        col("price", sa.BigInteger),
        when("created_at"),
        col("status", sa.String(16)),
        col("inspected", sa.Boolean),
        sa.CheckConstraint("price >= 0", name="ck_offers_price"),
        sa.CheckConstraint("status IN ('active', 'withdrawn')", name="ck_offers_status"),
    )
    op.create_table(
        "journal_entries",
        key(),
        col("kind", sa.String(16)),
        col("memo", sa.String(200)),
        when("created_at", index=True),
        sa.CheckConstraint(
            "kind IN ('grant', 'credit', 'reserve', 'purchase', 'release')",
            name="ck_journal_entries_kind",
        ),
    )
    op.create_table(
        "postings",
        key("id", sa.Integer, autoincrement=True),
        ref("entry_id", "journal_entries.id", index=True),
        col("account", sa.String(60), index=True),
        col("amount", sa.BigInteger),
        sa.CheckConstraint("amount <> 0", name="ck_postings_nonzero"),
    )
    op.create_table(
        "purchases",
        key(),
        ref("offer_id", "offers.id", unique=True),
        ref("context_id", "contexts.id", index=True),
        ref("buyer_id", "users.id", index=True),
        ref("seller_id", "users.id", index=True),
        col("price", sa.BigInteger),
        col("mechanism", sa.String(16)),
        ref("entry_id", "journal_entries.id", nullable=True, unique=True),
        when("created_at"),
        sa.CheckConstraint("price >= 0", name="ck_purchases_price"),
        sa.CheckConstraint("mechanism IN ('naive', 'inspection')", name="ck_purchases_mechanism"),
        sa.CheckConstraint(
            "(price = 0 AND entry_id IS NULL) OR (price > 0 AND entry_id IS NOT NULL)",
            name="ck_purchases_paid",
        ),
    )
    op.create_table(
        "matchers",
        key(),
        ref("seller_id", "users.id", index=True),
        *matching_rule(),
        when("created_at"),
        *constraints(matching_checks("matchers")),
    )
    op.create_table(
        "idempotency_keys",
        ref("user_id", "users.id", primary_key=True),
        key("key", sa.String(200)),
        col("operation", sa.String(16)),
        col("request_hash", sa.String(64)),
        col("result_id", ID),
        when("created_at"),
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
