"""Offers say whether an inspector may quote them to fact-checkers (issue 10).

Existing offers get true, the default: an offer in doubt may be quoted to the sellers asked
in a follow-up about it. A seller who refuses keeps the follow-up's query from them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.add_column(
            sa.Column("quotable", sa.Boolean, nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    # Going down forgets the refusals: every offer may then be quoted again.
    with op.batch_alter_table("offers") as batch:
        batch.drop_column("quotable")
