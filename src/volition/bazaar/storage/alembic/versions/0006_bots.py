"""Bot sellers and their answers per context (the jobs), per-user LLM credentials (issues 4, 5).

Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from volition.bazaar.storage.migration_ops import (
    col,
    constraints,
    key,
    matching_checks,
    matching_rule,
    rate_checks,
    ref,
    when,
)

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "bots",
        key(),
        ref("owner_id", "users.id", index=True),
        col("name", sa.String(60)),
        col("kind", sa.String(16)),
        col("active", sa.Boolean, index=True),
        col("price", sa.BigInteger),
        when("created_at"),
        *matching_rule(),
        col("min_inspection_rate", sa.Float),
        col("min_purchase_rate", sa.Float),
        col("preview", sa.Text),
        col("private_info", sa.Text),
        col("instructions", sa.Text),
        col("base_url", sa.Text, nullable=True),
        col("model", sa.String(200), nullable=True),
        sa.CheckConstraint("kind IN ('fixed', 'llm')", name="ck_bots_kind"),
        sa.CheckConstraint("price >= 0", name="ck_bots_price"),
        *constraints(matching_checks("bots")),
        *constraints(rate_checks("bots")),
    )
    op.create_table(
        "bot_jobs",
        ref("bot_id", "bots.id", primary_key=True),
        ref("context_id", "contexts.id", primary_key=True, index=True),
        col("status", sa.String(16)),
        col("attempts", sa.Integer),
        when("created_at"),
        when("updated_at"),
        when("lease_until", nullable=True),
        ref("offer_id", "offers.id", nullable=True),
        col("error", sa.String(200), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'done', 'failed')", name="ck_bot_jobs_status"
        ),
        sa.CheckConstraint("attempts >= 0", name="ck_bot_jobs_attempts"),
    )
    op.create_index("ix_bot_jobs_status_lease", "bot_jobs", ["status", "lease_until"])
    op.create_table(
        "llm_credentials",
        ref("user_id", "users.id", primary_key=True),
        col("base_url", sa.Text),
        col("model", sa.String(200)),
        col("secret", sa.Text),
        col("key_hint", sa.String(16)),
        when("updated_at"),
    )


def downgrade() -> None:
    op.drop_table("llm_credentials")
    op.drop_index("ix_bot_jobs_status_lease", table_name="bot_jobs")
    op.drop_table("bot_jobs")
    op.drop_table("bots")
