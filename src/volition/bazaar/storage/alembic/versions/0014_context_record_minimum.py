"""A context's record minimum (issue 13): which sellers' offers its inspector reads.

The ``RecordMinimum`` of a context (``domain.record_minimum``) in four columns of
``contexts``: ``record_min_offers_bought``, ``record_min_value_per_dollar``,
``record_max_calibration_gap`` and ``record_admit_newcomers``, all NULL for no minimum:
existing contexts read every seller's offers, as before (docs/theory.md §5, Track records
and record minimums). The database refuses a negative minimum, a gap outside [0, 1] and a
minimum half given. Going down forgets the minimums (the offers already read or skipped
stay as they are).

Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa

from volition.bazaar.storage.migration_ops import add_columns, col, drop_columns

revision = "0014"
down_revision = "0013"

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


COLUMNS = {
    "record_min_offers_bought": sa.Integer,
    "record_min_value_per_dollar": sa.Float,
    "record_max_calibration_gap": sa.Float,
    "record_admit_newcomers": sa.Boolean,
}


def upgrade() -> None:
    columns = (col(name, type_, nullable=True) for name, type_ in COLUMNS.items())
    add_columns("contexts", *columns, checks=CHECKS)


def downgrade() -> None:
    drop_columns("contexts", *COLUMNS, checks=CHECKS)
