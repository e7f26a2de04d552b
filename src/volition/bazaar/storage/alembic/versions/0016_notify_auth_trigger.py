"""Changes to sign-in tokens and users tell every process, on PostgreSQL (issue 15).

A token deleted or changed, a user changed or deleted, and either table emptied, send
``NOTIFY volition_auth`` from a trigger, delivered when the transaction commits (one notice
per transaction: PostgreSQL folds identical ones). A serving process keeps the tokens it
checked only while it listens on that channel, and forgets them all at each notice
(``domain.token_cache``). A token added notifies nobody: no process can have kept it. SQLite
has no notifications: nothing changes there, and nothing is kept. Going down drops the
triggers and their function.

Create Date: 2026-12-04
"""

from __future__ import annotations

from volition.bazaar.storage.migration_ops import create_notify_triggers, drop_notify_triggers

revision = "0016"
down_revision = "0015"

CHANNEL = "volition_auth"
"""``storage.notify.AUTH_CHANNEL``."""

TRIGGERS = {
    "tokens_changed": "AFTER UPDATE OR DELETE ON tokens FOR EACH ROW",
    "users_changed": "AFTER UPDATE OR DELETE ON users FOR EACH ROW",
    # TRUNCATE fires no row trigger: a table emptied by hand tells everyone too
    "tokens_emptied": "AFTER TRUNCATE ON tokens FOR EACH STATEMENT",
    "users_emptied": "AFTER TRUNCATE ON users FOR EACH STATEMENT",
}


def upgrade() -> None:
    create_notify_triggers("volition_notify_auth", CHANNEL, "", TRIGGERS)


def downgrade() -> None:
    drop_notify_triggers("volition_notify_auth", TRIGGERS)
