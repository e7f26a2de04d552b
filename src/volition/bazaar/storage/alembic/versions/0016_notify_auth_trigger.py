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

from alembic import op

revision = "0016"
down_revision = "0015"

CHANNEL = "volition_auth"
"""``storage.notify.AUTH_CHANNEL``."""

FUNCTION = f"""
CREATE FUNCTION volition_notify_auth() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END
$$
"""

TRIGGERS = {
    "tokens_changed": "AFTER UPDATE OR DELETE ON tokens FOR EACH ROW",
    "users_changed": "AFTER UPDATE OR DELETE ON users FOR EACH ROW",
    # TRUNCATE fires no row trigger: a table emptied by hand tells everyone too
    "tokens_emptied": "AFTER TRUNCATE ON tokens FOR EACH STATEMENT",
    "users_emptied": "AFTER TRUNCATE ON users FOR EACH STATEMENT",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    for name, when in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION volition_notify_auth()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, when in TRIGGERS.items():
        table = when.split(" ON ")[1].split()[0]
        op.execute(f"DROP TRIGGER {name} ON {table}")
    op.execute("DROP FUNCTION volition_notify_auth()")
