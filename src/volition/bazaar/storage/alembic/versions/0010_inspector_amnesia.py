"""Amnesia for what inspectors write (issue 10): offers say whether an inspector may quote
them to fact-checkers; contexts say whether the buyer's inspector posted them.

Existing offers get true, the default: an offer in doubt may be quoted to the sellers asked
in a follow-up about it. A seller who refuses keeps the follow-up's query from them. Existing
contexts get false (the buyer's own): before this revision nothing told them apart, so their
buyers keep seeing them as before.

Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa

from volition.bazaar.storage.migration_ops import add_columns, col, drop_columns

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    add_columns("offers", col("quotable", sa.Boolean, server_default=sa.true()))
    add_columns("contexts", col("by_inspector", sa.Boolean, server_default=sa.false()))


def downgrade() -> None:
    # Going down forgets the refusals (every offer may then be quoted again) and which
    # follow-ups an inspector wrote (their buyers then see them whole).
    drop_columns("contexts", "by_inspector")
    drop_columns("offers", "quotable")
