"""Journal entries of kind 'cash_out': a seller moves earnings to their own cash.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OLD = "kind IN ('grant', 'credit', 'reserve', 'purchase', 'release')"
NEW = "kind IN ('grant', 'credit', 'reserve', 'purchase', 'release', 'cash_out')"


def _replace_kind_check(condition: str) -> None:
    with op.batch_alter_table("journal_entries") as batch:
        batch.drop_constraint("ck_journal_entries_kind", type_="check")
        batch.create_check_constraint("ck_journal_entries_kind", condition)


def upgrade() -> None:
    _replace_kind_check(NEW)


def downgrade() -> None:
    # Fails (the old check refuses them) while 'cash_out' entries exist: history is not dropped.
    _replace_kind_check(OLD)
