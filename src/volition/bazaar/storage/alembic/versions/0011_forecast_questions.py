"""Forecast questions (issue 13): a context may be a question with outcomes that resolves;
the forecast's path and the bought offers' realised marginal values are kept.

Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from volition.bazaar.storage.migration_ops import col, key, ref, when

revision = "0011"
down_revision = "0010"
QUESTION = "forecast_questions.context_id"


def upgrade() -> None:
    op.create_table(
        "forecast_questions",
        ref("context_id", "contexts.id", primary_key=True),
        col("outcomes", sa.JSON),
        col("prior", sa.JSON),
        when("closes_at"),
        ref("resolver_id", "users.id", nullable=True),
        col("rule", sa.String(16)),
        col("outcome", sa.String(80), nullable=True),
        col("annulled", sa.Boolean, server_default=sa.false()),
        ref("resolved_by", "users.id", nullable=True),
        when("resolved_at", nullable=True),
        col("final_score", sa.Float, nullable=True),
        sa.CheckConstraint("rule IN ('log', 'brier', 'spherical')", name="ck_forecast_rule"),
        sa.CheckConstraint(
            "NOT (annulled AND outcome IS NOT NULL)", name="ck_forecast_annulled_outcome"
        ),
    )
    op.create_table(
        "forecast_steps",
        key("node_id"),
        ref("context_id", QUESTION, index=True),
        col("seq", sa.Integer, nullable=True),
        col("distribution", sa.JSON),
        col("offer_ids", sa.JSON),
        when("at", nullable=True),
        sa.UniqueConstraint("context_id", "seq", name="uq_forecast_steps_seq"),
    )
    op.create_table(
        "forecast_scores",
        ref("offer_id", "offers.id", primary_key=True),
        ref("context_id", QUESTION, index=True),
        ref("seller_id", "users.id", index=True),
        col("price", sa.BigInteger),
        col("seq", sa.Integer),
        col("value", sa.Float),
        col("after", sa.JSON),
        col("outcome", sa.Integer),
    )


def downgrade() -> None:
    # Going down drops the questions with their paths and scores; their contexts stay.
    op.drop_table("forecast_scores")
    op.drop_table("forecast_steps")
    op.drop_table("forecast_questions")
