"""Inspection state: inspections, nodes (with leases for several workers), agent calls (issue 5).

Create Date: 2026-11-26
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from volition.bazaar.storage.migration_ops import ID, col, key, ref, when

revision = "0005"
down_revision = "0004"
NODE_STATES = "('soliciting', 'gathering', 'deciding', 'acting', 'waiting', 'done')"
OUTCOMES = "('bought', 'no_offers', 'gave_up', 'closed')"


def upgrade() -> None:
    op.create_table(
        "inspections",
        key(),
        ref("context_id", "contexts.id", unique=True),
        ref("buyer_id", "users.id", index=True),
        col("agent", sa.String(40)),
        col("max_depth", sa.Integer),
        col("max_follow_ups", sa.Integer),
        col("min_offers", sa.Integer),
        col("gather_timeout_seconds", sa.Float),
        col("max_retries", sa.Integer),
        col("policy", sa.String(16)),
        col("root_node_id", ID),
        col("status", sa.String(16)),
        when("created_at"),
        when("finished_at", nullable=True),
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
        *_inspection_record(),
        ref("context_id", "contexts.id", unique=True),
        ref("parent_node_id", "inspection_nodes.id", nullable=True, index=True),
        col("depth", sa.Integer),
        col("state", sa.String(16)),
        when("deadline", nullable=True),
        col("follow_ups", sa.Integer),
        col("pending_follow_up", sa.Boolean, nullable=True),
        col("pending_offer_ids", sa.JSON),
        col("pending_budget", sa.BigInteger),
        col("pending_query", sa.Text),
        col("child_node_id", ID, nullable=True),
        col("bought", sa.JSON),
        col("outcome", sa.String(16), nullable=True),
        col("version", sa.Integer),
        col("lease_owner", sa.String(120), nullable=True),
        when("lease_until", nullable=True),
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
        *_inspection_record(),
        ref("node_id", "inspection_nodes.id", index=True),
        col("attempt", sa.Integer),
        col("seen_offer_ids", sa.JSON),
        col("ancestor_offer_ids", sa.JSON),
        col("known_offer_ids", sa.JSON),
        col("verdict", sa.String(16)),
        col("action", sa.String(16), nullable=True),
        col("decided_ids", sa.JSON),
        col("unknown_ids", sa.Integer),
        col("budget", sa.BigInteger),
        col("prompt_tokens", sa.Integer),
        col("completion_tokens", sa.Integer),
        col("cost", sa.Float),
        when("at"),
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


def _inspection_record() -> list[sa.Column[Any]]:
    """The first columns of a node's or a call's row: its order, its id, its inspection's."""
    return [
        key("seq", sa.Integer, autoincrement=True),
        col("id", ID, unique=True),
        ref("inspection_id", "inspections.id", index=True),
    ]
