"""Operator inspectors (issue 10): an inspection names its inspector; tokens are paid for.

``inspections.inspector`` names the operator's inspector an inspection runs on. Existing
offline inspections get ``'offline'``; existing ``llm`` ones (which ran on the buyer's own
stored endpoint) keep NULL, and the engine ends them unread as ``no_agent`` when it resumes
them: no buyer's endpoint is ever called again. ``inspection_calls.charged`` is the cents one
call's tokens cost, paid from the node's reservation by a new journal entry kind,
``inspection_cost``; nodes may end ``no_agent`` or ``no_budget``.

Going down refuses (the old checks) while ``inspection_cost`` entries or nodes with the new
outcomes exist: history is not dropped.

Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from volition.bazaar.storage.migration_ops import (
    add_columns,
    col,
    drop_columns,
    journal_kinds,
    replace_check,
)

revision = "0009"
down_revision = "0008"

KINDS = "'grant', 'credit', 'reserve', 'purchase', 'release', 'cash_out'"
OUTCOMES = "'bought', 'no_offers', 'gave_up', 'closed'"
CHARGED = {"ck_inspection_calls_charged": "charged >= 0"}


def upgrade() -> None:
    add_columns("inspections", col("inspector", sa.String(40), nullable=True))
    op.execute("UPDATE inspections SET inspector = 'offline' WHERE agent = 'offline'")
    charged = col("charged", sa.BigInteger, server_default="0")
    add_columns("inspection_calls", charged, checks=CHARGED)
    _outcomes(f"{OUTCOMES}, 'no_agent', 'no_budget'")
    journal_kinds(f"{KINDS}, 'inspection_cost'")


def downgrade() -> None:
    journal_kinds(KINDS)
    _outcomes(OUTCOMES)
    drop_columns("inspection_calls", "charged", checks=CHARGED)
    drop_columns("inspections", "inspector")


def _outcomes(outcomes: str) -> None:
    condition = f"outcome IS NULL OR outcome IN ({outcomes})"
    replace_check("inspection_nodes", "ck_inspection_nodes_outcome", condition)
