"""The attention auction (issue 13): offers bid to be read; contexts declare their attention.

``offers.bid`` is the cents an offer pays to be read (existing offers: 0); ``contexts.attention``
is how many offers an inspection reads (existing contexts: NULL, unlimited) and
``contexts.reading_cost`` the least bid it reads (existing: 0). Bids move through three new
journal entry kinds: ``bid_reserve`` (held from the seller's cash at posting), ``bid_payment``
(paid to the buyer when read) and ``bid_release`` (returned to the seller). With these
defaults every existing context reads every offer, as before (docs/theory.md §5).

Going down refuses (the old check) while bid entries exist: history is not dropped.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

KINDS = "'grant', 'credit', 'reserve', 'purchase', 'release', 'cash_out', 'inspection_cost'"


def upgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.add_column(sa.Column("bid", sa.BigInteger, nullable=False, server_default="0"))
        batch.create_check_constraint("ck_offers_bid", "bid >= 0")
    with op.batch_alter_table("contexts") as batch:
        batch.add_column(sa.Column("attention", sa.Integer, nullable=True))
        batch.add_column(
            sa.Column("reading_cost", sa.BigInteger, nullable=False, server_default="0")
        )
        batch.create_check_constraint(
            "ck_contexts_attention", "attention IS NULL OR attention >= 1"
        )
        batch.create_check_constraint("ck_contexts_reading_cost", "reading_cost >= 0")
    with op.batch_alter_table("journal_entries") as batch:
        batch.drop_constraint("ck_journal_entries_kind", type_="check")
        batch.create_check_constraint(
            "ck_journal_entries_kind",
            f"kind IN ({KINDS}, 'bid_reserve', 'bid_payment', 'bid_release')",
        )


def downgrade() -> None:
    with op.batch_alter_table("journal_entries") as batch:
        batch.drop_constraint("ck_journal_entries_kind", type_="check")
        batch.create_check_constraint("ck_journal_entries_kind", f"kind IN ({KINDS})")
    with op.batch_alter_table("contexts") as batch:
        batch.drop_constraint("ck_contexts_reading_cost", type_="check")
        batch.drop_constraint("ck_contexts_attention", type_="check")
        batch.drop_column("reading_cost")
        batch.drop_column("attention")
    with op.batch_alter_table("offers") as batch:
        batch.drop_constraint("ck_offers_bid", type_="check")
        batch.drop_column("bid")
