"""Contexts carry their amnesia policy: which child purchases reach the buyer.

Existing contexts get 'with_parent', the policy the domain applied to every context before.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contexts") as batch:
        batch.add_column(
            sa.Column("reveal", sa.String(16), nullable=False, server_default="with_parent")
        )
        batch.create_check_constraint("ck_contexts_reveal", "reveal IN ('with_parent', 'all')")


def downgrade() -> None:
    # Contexts posted with 'all' fall back to 'with_parent': their buyer then reads less, never
    # more, than before.
    with op.batch_alter_table("contexts") as batch:
        batch.drop_constraint("ck_contexts_reveal", type_="check")
        batch.drop_column("reveal")
