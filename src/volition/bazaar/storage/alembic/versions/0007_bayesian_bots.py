"""Bayesian bots: a stored market, the offer sold, the true state, cents per unit (issue 5).

Existing bots (fixed, LLM) get nulls in the new columns. Going down refuses while a bayesian
bot exists (the kind check is put back): delete those bots first.

Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa

from volition.bazaar.storage.migration_ops import add_columns, col, drop_columns

revision = "0007"
down_revision = "0006"

COLUMNS = {
    "market": sa.Text,
    "market_offer": sa.Text,
    "market_state": sa.Text,
    "cents_per_unit": sa.BigInteger,
}
KIND = "ck_bots_kind"
BAYESIAN = {
    "ck_bots_bayesian": "kind != 'bayesian' OR (market IS NOT NULL AND market_offer IS NOT NULL "
    "AND market_state IS NOT NULL AND cents_per_unit > 0)"
}


def upgrade() -> None:
    columns = (col(name, type_, nullable=True) for name, type_ in COLUMNS.items())
    new_kinds = {KIND: "kind IN ('fixed', 'llm', 'bayesian')"}
    add_columns("bots", *columns, replace=new_kinds, checks=BAYESIAN)


def downgrade() -> None:
    old_kinds = {KIND: "kind IN ('fixed', 'llm')"}
    drop_columns("bots", *COLUMNS, checks=BAYESIAN, replace=old_kinds)
