"""A context's record minimum (issue 13): which sellers' offers its inspector reads.

``contexts.record_minimum`` is a JSON object (``domain.record_minimum.RecordMinimum``:
``min_offers_bought``, ``min_value_per_dollar``, ``max_calibration_gap``,
``admit_newcomers``) or NULL, no minimum: existing contexts read every seller's offers, as
before (docs/theory.md §5, Track records and record minimums). Going down forgets the
minimums (the offers already read or skipped stay as they are).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0012"  # TODO(merge): down_revision "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contexts") as batch:
        batch.add_column(sa.Column("record_minimum", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contexts") as batch:
        batch.drop_column("record_minimum")
