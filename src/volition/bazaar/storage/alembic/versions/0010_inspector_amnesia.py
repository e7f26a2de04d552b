"""Amnesia for what inspectors write (issue 10): offers say whether an inspector may quote
them to fact-checkers; contexts say whether the buyer's inspector posted them.

Existing offers get true, the default: an offer in doubt may be quoted to the sellers asked
in a follow-up about it. A seller who refuses keeps the follow-up's query from them. Existing
contexts get false (the buyer's own): before this revision nothing told them apart, so their
buyers keep seeing them as before.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.add_column(
            sa.Column("quotable", sa.Boolean, nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("contexts") as batch:
        batch.add_column(
            sa.Column("by_inspector", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    # Going down forgets the refusals (every offer may then be quoted again) and which
    # follow-ups an inspector wrote (their buyers then see them whole).
    with op.batch_alter_table("contexts") as batch:
        batch.drop_column("by_inspector")
    with op.batch_alter_table("offers") as batch:
        batch.drop_column("quotable")
