"""Pay-on-resolution offers (issue 13): a share of the realised marginal value, in escrow.

``offers.escrow_rate`` / ``offers.escrow_cap`` are an offer's terms (existing offers: NULL,
a price alone); ``forecast_questions.max_escrow`` is the largest cap a question accepts and
its stake per unit of score (existing questions: 0, none accepted); ``escrows`` keeps one
row per pay-on-resolution purchase and its settlement. Escrows move through three new journal
entry kinds: ``escrow_hold`` (the cap, from the context's reservation at purchase),
``escrow_payment`` (the seller's share at resolution) and ``escrow_refund`` (the rest, to the
buyer); see ``domain.escrow``.

Going down refuses (the old check) while escrow entries exist: history is not dropped.

Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from volition.bazaar.storage.migration_ops import (
    add_columns,
    col,
    drop_columns,
    journal_kinds,
    ref,
    when,
)

revision = "0013"
down_revision = "0012"

KINDS = (
    "'grant', 'credit', 'reserve', 'purchase', 'release', 'cash_out', 'inspection_cost', "
    "'bid_reserve', 'bid_payment', 'bid_release'"
)
ESCROW = {
    "ck_offers_escrow": "(escrow_rate IS NULL AND escrow_cap IS NULL) OR "
    "(escrow_rate IS NOT NULL AND escrow_cap >= 1)"
}


def upgrade() -> None:
    rate = col("escrow_rate", sa.String(24), nullable=True)
    cap = col("escrow_cap", sa.BigInteger, nullable=True)
    add_columns("offers", rate, cap, checks=ESCROW)
    add_columns("forecast_questions", col("max_escrow", sa.BigInteger, server_default="0"))
    op.create_table(
        "escrows",
        ref("purchase_id", "purchases.id", primary_key=True),
        ref("offer_id", "offers.id", unique=True),
        ref("context_id", "contexts.id", index=True),
        ref("buyer_id", "users.id"),
        ref("seller_id", "users.id", index=True),
        col("rate", sa.String(24)),
        col("cap", sa.BigInteger),
        when("held_at"),
        col("payment", sa.BigInteger, nullable=True),
        col("refund", sa.BigInteger, nullable=True),
        col("value", sa.Float, nullable=True),
        when("settled_at", nullable=True),
        sa.CheckConstraint("cap >= 1", name="ck_escrows_cap"),
        sa.CheckConstraint(
            "(settled_at IS NULL AND payment IS NULL AND refund IS NULL) OR "
            "(settled_at IS NOT NULL AND payment >= 0 AND refund >= 0 AND payment + refund = cap)",
            name="ck_escrows_settlement",
        ),
    )
    journal_kinds(f"{KINDS}, 'escrow_hold', 'escrow_payment', 'escrow_refund'")


def downgrade() -> None:
    journal_kinds(KINDS)
    op.drop_table("escrows")
    drop_columns("forecast_questions", "max_escrow")
    drop_columns("offers", "escrow_rate", "escrow_cap", checks=ESCROW)
