"""Bot sellers and their answers per context (the jobs), per-user LLM credentials (issues 4, 5).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from volition.bazaar.storage.models import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID = sa.String(40)


def upgrade() -> None:
    op.create_table(
        "bots",
        sa.Column("id", ID, primary_key=True),
        sa.Column("owner_id", ID, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, index=True),
        sa.Column("price", sa.BigInteger, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("keywords", sa.JSON, nullable=False),
        sa.Column("min_budget", sa.BigInteger, nullable=False),
        sa.Column("min_priority", sa.Float, nullable=False),
        sa.Column("max_age_seconds", sa.Float, nullable=True),
        sa.Column("min_inspection_rate", sa.Float, nullable=False),
        sa.Column("min_purchase_rate", sa.Float, nullable=False),
        sa.Column("preview", sa.Text, nullable=False),
        sa.Column("private_info", sa.Text, nullable=False),
        sa.Column("instructions", sa.Text, nullable=False),
        sa.Column("base_url", sa.Text, nullable=True),
        sa.Column("model", sa.String(200), nullable=True),
        sa.CheckConstraint("kind IN ('fixed', 'llm')", name="ck_bots_kind"),
        sa.CheckConstraint("price >= 0", name="ck_bots_price"),
        sa.CheckConstraint("min_budget >= 0", name="ck_bots_min_budget"),
        sa.CheckConstraint("min_priority >= 0 AND min_priority <= 1", name="ck_bots_priority"),
        sa.CheckConstraint(
            "min_inspection_rate >= 0 AND min_inspection_rate <= 1",
            name="ck_bots_inspection_rate",
        ),
        sa.CheckConstraint(
            "min_purchase_rate >= 0 AND min_purchase_rate <= 1", name="ck_bots_purchase_rate"
        ),
    )
    op.create_table(
        "bot_jobs",
        sa.Column("bot_id", ID, sa.ForeignKey("bots.id"), primary_key=True),
        sa.Column("context_id", ID, sa.ForeignKey("contexts.id"), primary_key=True, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("lease_until", UtcDateTime, nullable=True),
        sa.Column("offer_id", ID, sa.ForeignKey("offers.id"), nullable=True),
        sa.Column("error", sa.String(200), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'done', 'failed')", name="ck_bot_jobs_status"
        ),
        sa.CheckConstraint("attempts >= 0", name="ck_bot_jobs_attempts"),
    )
    op.create_index("ix_bot_jobs_status_lease", "bot_jobs", ["status", "lease_until"])
    op.create_table(
        "llm_credentials",
        sa.Column("user_id", ID, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("base_url", sa.Text, nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("key_hint", sa.String(16), nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("llm_credentials")
    op.drop_index("ix_bot_jobs_status_lease", table_name="bot_jobs")
    op.drop_table("bot_jobs")
    op.drop_table("bots")
