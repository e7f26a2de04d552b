"""Pay-on-resolution offers (issue 13): a share of the realised marginal value, in escrow.

``offers.escrow_rate`` / ``offers.escrow_cap`` are an offer's terms (existing offers: NULL,
a price alone); ``forecast_questions.max_escrow`` is the largest cap a question accepts and
its stake per unit of score (existing questions: 0, none accepted); ``escrows`` keeps one
row per pay-on-resolution purchase and its settlement. Escrows move through three new journal
entry kinds: ``escrow_hold`` (the cap, from the context's reservation at purchase),
``escrow_payment`` (the seller's share at resolution) and ``escrow_refund`` (the rest, to the
buyer); see ``domain.escrow``.

Going down refuses (the old check) while escrow entries exist: history is not dropped.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ID = sa.String(40)
WHEN = sa.DateTime(timezone=True)
KINDS = (
    "'grant', 'credit', 'reserve', 'purchase', 'release', 'cash_out', 'inspection_cost', "
    "'bid_reserve', 'bid_payment', 'bid_release'"
)


def upgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.add_column(sa.Column("escrow_rate", sa.String(24), nullable=True))
        batch.add_column(sa.Column("escrow_cap", sa.BigInteger, nullable=True))
        batch.create_check_constraint(
            "ck_offers_escrow",
            "(escrow_rate IS NULL AND escrow_cap IS NULL) OR "
            "(escrow_rate IS NOT NULL AND escrow_cap >= 1)",
        )
    with op.batch_alter_table("forecast_questions") as batch:
        batch.add_column(sa.Column("max_escrow", sa.BigInteger, nullable=False, server_default="0"))
    op.create_table(
        "escrows",
        sa.Column("purchase_id", ID, sa.ForeignKey("purchases.id"), primary_key=True),
        sa.Column("offer_id", ID, sa.ForeignKey("offers.id"), nullable=False, unique=True),
        sa.Column("context_id", ID, sa.ForeignKey("contexts.id"), nullable=False, index=True),
        sa.Column("buyer_id", ID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("seller_id", ID, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("rate", sa.String(24), nullable=False),
        sa.Column("cap", sa.BigInteger, nullable=False),
        sa.Column("held_at", WHEN, nullable=False),
        sa.Column("payment", sa.BigInteger, nullable=True),
        sa.Column("refund", sa.BigInteger, nullable=True),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("settled_at", WHEN, nullable=True),
        sa.CheckConstraint("cap >= 1", name="ck_escrows_cap"),
        sa.CheckConstraint(
            "(settled_at IS NULL AND payment IS NULL AND refund IS NULL) OR "
            "(settled_at IS NOT NULL AND payment >= 0 AND refund >= 0 AND payment + refund = cap)",
            name="ck_escrows_settlement",
        ),
    )
    with op.batch_alter_table("journal_entries") as batch:
        batch.drop_constraint("ck_journal_entries_kind", type_="check")
        batch.create_check_constraint(
            "ck_journal_entries_kind",
            f"kind IN ({KINDS}, 'escrow_hold', 'escrow_payment', 'escrow_refund')",
        )


def downgrade() -> None:
    with op.batch_alter_table("journal_entries") as batch:
        batch.drop_constraint("ck_journal_entries_kind", type_="check")
        batch.create_check_constraint("ck_journal_entries_kind", f"kind IN ({KINDS})")
    op.drop_table("escrows")
    with op.batch_alter_table("forecast_questions") as batch:
        batch.drop_column("max_escrow")
    with op.batch_alter_table("offers") as batch:
        batch.drop_constraint("ck_offers_escrow", type_="check")
        batch.drop_column("escrow_cap")
        batch.drop_column("escrow_rate")
