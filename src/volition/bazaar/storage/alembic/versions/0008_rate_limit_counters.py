"""Rate-limit counters in the database, shared by every server process (issue 10).

The sign-in limits count failures per (user name, client address) and per address here when
no Redis is configured. Going down drops the counters: they only ever slow sign-ins down.

Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from volition.bazaar.storage.migration_ops import col, key

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.create_table(
        "rate_limit_counters",
        key("key", sa.String(255)),
        col("count", sa.BigInteger),
        col("expires_at", sa.Float),
    )
    op.create_index("ix_rate_limit_counters_expires_at", "rate_limit_counters", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_rate_limit_counters_expires_at", table_name="rate_limit_counters")
    op.drop_table("rate_limit_counters")
