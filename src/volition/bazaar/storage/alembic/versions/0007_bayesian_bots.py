"""Bayesian bots: a stored market, the offer sold, the true state, cents per unit (issue 5).

Existing bots (fixed, LLM) get nulls in the new columns. Going down refuses while a bayesian
bot exists (the kind check is put back): delete those bots first.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BAYESIAN = (
    "kind != 'bayesian' OR (market IS NOT NULL AND market_offer IS NOT NULL "
    "AND market_state IS NOT NULL AND cents_per_unit > 0)"
)


def upgrade() -> None:
    with op.batch_alter_table("bots") as batch:
        batch.add_column(sa.Column("market", sa.Text, nullable=True))
        batch.add_column(sa.Column("market_offer", sa.Text, nullable=True))
        batch.add_column(sa.Column("market_state", sa.Text, nullable=True))
        batch.add_column(sa.Column("cents_per_unit", sa.BigInteger, nullable=True))
        batch.drop_constraint("ck_bots_kind", type_="check")
        batch.create_check_constraint("ck_bots_kind", "kind IN ('fixed', 'llm', 'bayesian')")
        batch.create_check_constraint("ck_bots_bayesian", BAYESIAN)


def downgrade() -> None:
    with op.batch_alter_table("bots") as batch:
        batch.drop_constraint("ck_bots_bayesian", type_="check")
        batch.drop_constraint("ck_bots_kind", type_="check")
        batch.create_check_constraint("ck_bots_kind", "kind IN ('fixed', 'llm')")
        batch.drop_column("cents_per_unit")
        batch.drop_column("market_state")
        batch.drop_column("market_offer")
        batch.drop_column("market")
