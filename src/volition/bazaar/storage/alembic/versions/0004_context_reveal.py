"""Contexts carry their amnesia policy: which child purchases reach the buyer.

Existing contexts get 'with_parent', the policy the domain applied to every context before.

Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa

from volition.bazaar.storage.migration_ops import add_columns, col, drop_columns

revision = "0004"
down_revision = "0003"

CHECKS = {"ck_contexts_reveal": "reveal IN ('with_parent', 'all')"}


def upgrade() -> None:
    reveal = col("reveal", sa.String(16), server_default="with_parent")
    add_columns("contexts", reveal, checks=CHECKS)


def downgrade() -> None:
    # Contexts posted with 'all' fall back to 'with_parent': their buyer then reads less, never
    # more, than before.
    drop_columns("contexts", "reveal", checks=CHECKS)
