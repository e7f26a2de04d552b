"""Forecast questions (issue 13): a context may be a question with outcomes that resolves;
the forecast's path and the bought offers' realised marginal values are kept.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ID = sa.String(40)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "forecast_questions",
        sa.Column("context_id", ID, sa.ForeignKey("contexts.id"), primary_key=True),
        sa.Column("outcomes", sa.JSON, nullable=False),
        sa.Column("prior", sa.JSON, nullable=False),
        sa.Column("closes_at", WHEN, nullable=False),
        sa.Column("resolver_id", ID, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("rule", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(80), nullable=True),
        sa.Column("annulled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("resolved_by", ID, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("resolved_at", WHEN, nullable=True),
        sa.Column("final_score", sa.Float, nullable=True),
        sa.CheckConstraint("rule IN ('log', 'brier', 'spherical')", name="ck_forecast_rule"),
        sa.CheckConstraint(
            "NOT (annulled AND outcome IS NOT NULL)", name="ck_forecast_annulled_outcome"
        ),
    )
    op.create_table(
        "forecast_steps",
        sa.Column("node_id", ID, primary_key=True),
        sa.Column(
            "context_id",
            ID,
            sa.ForeignKey("forecast_questions.context_id"),
            nullable=False,
            index=True,
        ),
        sa.Column("seq", sa.Integer, nullable=True),
        sa.Column("distribution", sa.JSON, nullable=False),
        sa.Column("offer_ids", sa.JSON, nullable=False),
        sa.Column("at", WHEN, nullable=True),
        sa.UniqueConstraint("context_id", "seq", name="uq_forecast_steps_seq"),
    )
    op.create_table(
        "forecast_scores",
        sa.Column("offer_id", ID, sa.ForeignKey("offers.id"), primary_key=True),
        sa.Column(
            "context_id",
            ID,
            sa.ForeignKey("forecast_questions.context_id"),
            nullable=False,
            index=True,
        ),
        sa.Column("seller_id", ID, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("price", sa.BigInteger, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("after", sa.JSON, nullable=False),
        sa.Column("outcome", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    # Going down drops the questions with their paths and scores; their contexts stay.
    op.drop_table("forecast_scores")
    op.drop_table("forecast_steps")
    op.drop_table("forecast_questions")
