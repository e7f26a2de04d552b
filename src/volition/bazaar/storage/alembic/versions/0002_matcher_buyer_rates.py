"""Matchers can ask for a minimum buyer inspection rate and purchase rate.

Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa

from volition.bazaar.storage.migration_ops import add_columns, col, drop_columns, rate_checks

revision = "0002"
down_revision = "0001"

COLUMNS = ("min_inspection_rate", "min_purchase_rate")
CHECKS = rate_checks("matchers")


def upgrade() -> None:
    rates = (col(name, sa.Float, server_default="0") for name in COLUMNS)
    add_columns("matchers", *rates, checks=CHECKS)


def downgrade() -> None:
    drop_columns("matchers", *COLUMNS, checks=CHECKS)
