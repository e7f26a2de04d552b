"""Matchers can ask for a minimum buyer inspection rate and purchase rate.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("matchers") as batch:
        batch.add_column(
            sa.Column("min_inspection_rate", sa.Float, nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("min_purchase_rate", sa.Float, nullable=False, server_default="0")
        )
        batch.create_check_constraint(
            "ck_matchers_inspection_rate",
            "min_inspection_rate >= 0 AND min_inspection_rate <= 1",
        )
        batch.create_check_constraint(
            "ck_matchers_purchase_rate", "min_purchase_rate >= 0 AND min_purchase_rate <= 1"
        )


def downgrade() -> None:
    with op.batch_alter_table("matchers") as batch:
        batch.drop_constraint("ck_matchers_purchase_rate", type_="check")
        batch.drop_constraint("ck_matchers_inspection_rate", type_="check")
        batch.drop_column("min_purchase_rate")
        batch.drop_column("min_inspection_rate")
