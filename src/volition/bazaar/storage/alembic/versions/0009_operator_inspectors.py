"""Operator inspectors (issue 10): an inspection names its inspector; tokens are paid for.

``inspections.inspector`` names the operator's inspector an inspection runs on. Existing
offline inspections get ``'offline'``; existing ``llm`` ones (which ran on the buyer's own
stored endpoint) keep NULL, and the engine ends them unread as ``no_agent`` when it resumes
them: no buyer's endpoint is ever called again. ``inspection_calls.charged`` is the cents one
call's tokens cost, paid from the node's reservation by a new journal entry kind,
``inspection_cost``; nodes may end ``no_agent`` or ``no_budget``.

Going down refuses (the old checks) while ``inspection_cost`` entries or nodes with the new
outcomes exist: history is not dropped.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

KINDS = "'grant', 'credit', 'reserve', 'purchase', 'release', 'cash_out'"
OUTCOMES = "'bought', 'no_offers', 'gave_up', 'closed'"


def upgrade() -> None:
    with op.batch_alter_table("inspections") as batch:
        batch.add_column(sa.Column("inspector", sa.String(40), nullable=True))
    op.execute("UPDATE inspections SET inspector = 'offline' WHERE agent = 'offline'")
    with op.batch_alter_table("inspection_calls") as batch:
        batch.add_column(sa.Column("charged", sa.BigInteger, nullable=False, server_default="0"))
        batch.create_check_constraint("ck_inspection_calls_charged", "charged >= 0")
    with op.batch_alter_table("inspection_nodes") as batch:
        batch.drop_constraint("ck_inspection_nodes_outcome", type_="check")
        batch.create_check_constraint(
            "ck_inspection_nodes_outcome",
            f"outcome IS NULL OR outcome IN ({OUTCOMES}, 'no_agent', 'no_budget')",
        )
    with op.batch_alter_table("journal_entries") as batch:
        batch.drop_constraint("ck_journal_entries_kind", type_="check")
        batch.create_check_constraint(
            "ck_journal_entries_kind", f"kind IN ({KINDS}, 'inspection_cost')"
        )


def downgrade() -> None:
    with op.batch_alter_table("journal_entries") as batch:
        batch.drop_constraint("ck_journal_entries_kind", type_="check")
        batch.create_check_constraint("ck_journal_entries_kind", f"kind IN ({KINDS})")
    with op.batch_alter_table("inspection_nodes") as batch:
        batch.drop_constraint("ck_inspection_nodes_outcome", type_="check")
        batch.create_check_constraint(
            "ck_inspection_nodes_outcome", f"outcome IS NULL OR outcome IN ({OUTCOMES})"
        )
    with op.batch_alter_table("inspection_calls") as batch:
        batch.drop_constraint("ck_inspection_calls_charged", type_="check")
        batch.drop_column("charged")
    with op.batch_alter_table("inspections") as batch:
        batch.drop_column("inspector")
