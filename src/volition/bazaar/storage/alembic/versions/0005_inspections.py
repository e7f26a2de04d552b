"""Inspection state: inspections, nodes (with leases for several workers), agent calls (issue 5).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from volition.bazaar.storage.models import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ID = sa.String(40)
NODE_STATES = "('soliciting', 'gathering', 'deciding', 'acting', 'waiting', 'done')"
OUTCOMES = "('bought', 'no_offers', 'gave_up', 'closed')"


def upgrade() -> None:
    op.create_table(
        "inspections",
        sa.Column("id", ID, primary_key=True),
        sa.Column("context_id", ID, sa.ForeignKey("contexts.id"), nullable=False, unique=True),
        sa.Column("buyer_id", ID, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("agent", sa.String(40), nullable=False),
        sa.Column("max_depth", sa.Integer, nullable=False),
        sa.Column("max_follow_ups", sa.Integer, nullable=False),
        sa.Column("min_offers", sa.Integer, nullable=False),
        sa.Column("gather_timeout_seconds", sa.Float, nullable=False),
        sa.Column("max_retries", sa.Integer, nullable=False),
        sa.Column("policy", sa.String(16), nullable=False),
        sa.Column("root_node_id", ID, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("finished_at", UtcDateTime, nullable=True),
        sa.CheckConstraint("status IN ('running', 'done')", name="ck_inspections_status"),
        sa.CheckConstraint("policy IN ('with_parent', 'all')", name="ck_inspections_policy"),
        sa.CheckConstraint(
            "max_depth >= 0 AND max_follow_ups >= 0 AND min_offers >= 0 AND max_retries >= 0 "
            "AND gather_timeout_seconds >= 0",
            name="ck_inspections_limits",
        ),
    )
    op.create_table(
        "inspection_nodes",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", ID, nullable=False, unique=True),
        sa.Column("inspection_id", ID, sa.ForeignKey("inspections.id"), nullable=False, index=True),
        sa.Column("context_id", ID, sa.ForeignKey("contexts.id"), nullable=False, unique=True),
        sa.Column(
            "parent_node_id", ID, sa.ForeignKey("inspection_nodes.id"), nullable=True, index=True
        ),
        sa.Column("depth", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("deadline", UtcDateTime, nullable=True),
        sa.Column("follow_ups", sa.Integer, nullable=False),
        sa.Column("pending_follow_up", sa.Boolean, nullable=True),
        sa.Column("pending_offer_ids", sa.JSON, nullable=False),
        sa.Column("pending_budget", sa.BigInteger, nullable=False),
        sa.Column("pending_query", sa.Text, nullable=False),
        sa.Column("child_node_id", ID, nullable=True),
        sa.Column("bought", sa.JSON, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("lease_owner", sa.String(120), nullable=True),
        sa.Column("lease_until", UtcDateTime, nullable=True),
        sa.CheckConstraint(f"state IN {NODE_STATES}", name="ck_inspection_nodes_state"),
        sa.CheckConstraint(
            f"outcome IS NULL OR outcome IN {OUTCOMES}", name="ck_inspection_nodes_outcome"
        ),
        sa.CheckConstraint(
            "depth >= 0 AND follow_ups >= 0 AND version >= 0 AND pending_budget >= 0",
            name="ck_inspection_nodes_counts",
        ),
        sa.CheckConstraint(
            "(lease_owner IS NULL AND lease_until IS NULL) "
            "OR (lease_owner IS NOT NULL AND lease_until IS NOT NULL)",
            name="ck_inspection_nodes_lease",
        ),
        sa.CheckConstraint(
            "(state = 'acting') = (pending_follow_up IS NOT NULL)",
            name="ck_inspection_nodes_pending",
        ),
    )
    op.create_index("ix_inspection_nodes_state_lease", "inspection_nodes", ["state", "lease_until"])
    op.create_index("ix_inspection_nodes_state_deadline", "inspection_nodes", ["state", "deadline"])
    op.create_table(
        "inspection_calls",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", ID, nullable=False, unique=True),
        sa.Column("inspection_id", ID, sa.ForeignKey("inspections.id"), nullable=False, index=True),
        sa.Column("node_id", ID, sa.ForeignKey("inspection_nodes.id"), nullable=False, index=True),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("seen_offer_ids", sa.JSON, nullable=False),
        sa.Column("ancestor_offer_ids", sa.JSON, nullable=False),
        sa.Column("known_offer_ids", sa.JSON, nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=True),
        sa.Column("decided_ids", sa.JSON, nullable=False),
        sa.Column("unknown_ids", sa.Integer, nullable=False),
        sa.Column("budget", sa.BigInteger, nullable=False),
        sa.Column("prompt_tokens", sa.Integer, nullable=False),
        sa.Column("completion_tokens", sa.Integer, nullable=False),
        sa.Column("cost", sa.Float, nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.CheckConstraint(
            "verdict IN ('accepted', 'malformed', 'illegal')", name="ck_inspection_calls_verdict"
        ),
        sa.CheckConstraint(
            "action IS NULL OR action IN ('buy', 'follow_up')", name="ck_inspection_calls_action"
        ),
        sa.CheckConstraint(
            "attempt >= 0 AND unknown_ids >= 0 AND budget >= 0 AND prompt_tokens >= 0 "
            "AND completion_tokens >= 0 AND cost >= 0",
            name="ck_inspection_calls_counts",
        ),
    )


def downgrade() -> None:
    for table in ("inspection_calls", "inspection_nodes", "inspections"):
        op.drop_table(table)
