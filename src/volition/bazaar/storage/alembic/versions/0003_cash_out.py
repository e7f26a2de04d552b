"""Journal entries of kind 'cash_out': a seller moves earnings to their own cash.

Create Date: 2026-11-26
"""

from __future__ import annotations

from volition.bazaar.storage.migration_ops import journal_kinds

revision = "0003"
down_revision = "0002"

KINDS = "'grant', 'credit', 'reserve', 'purchase', 'release'"


def upgrade() -> None:
    journal_kinds(f"{KINDS}, 'cash_out'")


def downgrade() -> None:
    # Fails (the old check refuses them) while 'cash_out' entries exist: history is not dropped.
    journal_kinds(KINDS)
