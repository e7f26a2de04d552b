"""A context's record minimum (issue 13): which sellers' offers its inspector reads.

The ``RecordMinimum`` of a context (``domain.record_minimum``) in four columns of
``contexts``: ``record_min_offers_bought``, ``record_min_value_per_dollar``,
``record_max_calibration_gap`` and ``record_admit_newcomers``, all NULL for no minimum:
existing contexts read every seller's offers, as before (docs/theory.md §5, Track records
and record minimums). The database refuses a negative minimum, a gap outside [0, 1] and a
minimum half given. Going down forgets the minimums (the offers already read or skipped
stay as they are).

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

CHECKS = {
    "ck_contexts_record_min_offers_bought": (
        "record_min_offers_bought IS NULL OR record_min_offers_bought >= 0"
    ),
    "ck_contexts_record_max_calibration_gap": (
        "record_max_calibration_gap IS NULL OR "
        "(record_max_calibration_gap >= 0 AND record_max_calibration_gap <= 1)"
    ),
    "ck_contexts_record_minimum_whole": (
        "(record_min_offers_bought IS NULL) = (record_admit_newcomers IS NULL)"
    ),
}


def upgrade() -> None:
    with op.batch_alter_table("contexts") as batch:
        batch.add_column(sa.Column("record_min_offers_bought", sa.Integer, nullable=True))
        batch.add_column(sa.Column("record_min_value_per_dollar", sa.Float, nullable=True))
        batch.add_column(sa.Column("record_max_calibration_gap", sa.Float, nullable=True))
        batch.add_column(sa.Column("record_admit_newcomers", sa.Boolean, nullable=True))
        for name, check in CHECKS.items():
            batch.create_check_constraint(name, check)


def downgrade() -> None:
    with op.batch_alter_table("contexts") as batch:
        for name in reversed(CHECKS):
            batch.drop_constraint(name, type_="check")
        batch.drop_column("record_admit_newcomers")
        batch.drop_column("record_max_calibration_gap")
        batch.drop_column("record_min_value_per_dollar")
        batch.drop_column("record_min_offers_bought")
