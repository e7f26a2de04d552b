"""The attention auction (issue 13): offers bid to be read; contexts declare their attention.

``offers.bid`` is the cents an offer pays to be read (existing offers: 0); ``contexts.attention``
is how many offers an inspection reads (existing contexts: NULL, unlimited) and
``contexts.reading_cost`` the least bid it reads (existing: 0). Bids move through three new
journal entry kinds: ``bid_reserve`` (held from the seller's cash at posting), ``bid_payment``
(paid to the buyer when read) and ``bid_release`` (returned to the seller). With these
defaults every existing context reads every offer, as before (docs/theory.md §5).

Going down refuses (the old check) while bid entries exist: history is not dropped.

Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa

from volition.bazaar.storage.migration_ops import add_columns, col, drop_columns, journal_kinds

revision = "0012"
down_revision = "0011"

KINDS = "'grant', 'credit', 'reserve', 'purchase', 'release', 'cash_out', 'inspection_cost'"
BID = {"ck_offers_bid": "bid >= 0"}
ATTENTION = {
    "ck_contexts_attention": "attention IS NULL OR attention >= 1",
    "ck_contexts_reading_cost": "reading_cost >= 0",
}


def upgrade() -> None:
    add_columns("offers", col("bid", sa.BigInteger, server_default="0"), checks=BID)
    attention = col("attention", sa.Integer, nullable=True)
    reading_cost = col("reading_cost", sa.BigInteger, server_default="0")
    add_columns("contexts", attention, reading_cost, checks=ATTENTION)
    journal_kinds(f"{KINDS}, 'bid_reserve', 'bid_payment', 'bid_release'")


def downgrade() -> None:
    journal_kinds(KINDS)
    drop_columns("contexts", "attention", "reading_cost", checks=ATTENTION)
    drop_columns("offers", "bid", checks=BID)
