"""Inspection nodes tell the other processes of their own changes (issue 15), on PostgreSQL.

A node inserted, or moved (its version changed), in a state with work in it or waiting for
offers (soliciting, gathering, deciding, acting) sends ``NOTIFY volition_events, 'nodes'``
from a trigger, delivered when its transaction commits, as the repository's own
``SELECT pg_notify(...)`` after each such write did: one statement less per node written. A
lease taken or ended (the version unchanged) notifies nobody. SQLite has no notifications:
nothing changes there. Going down drops the triggers and their function.

Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"

WATCHED = ("soliciting", "gathering", "deciding", "acting")
"""``storage.inspection_repository.WATCHED``: the states another process may have work in."""

_STATES = ", ".join(f"'{s}'" for s in WATCHED)

FUNCTION = """
CREATE FUNCTION volition_notify_nodes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('volition_events', 'nodes');
    RETURN NULL;
END
$$
"""

TRIGGERS = {
    "inspection_nodes_added": f"AFTER INSERT ON inspection_nodes FOR EACH ROW "
    f"WHEN (NEW.state IN ({_STATES}))",
    "inspection_nodes_moved": f"AFTER UPDATE ON inspection_nodes FOR EACH ROW "
    f"WHEN (NEW.state IN ({_STATES}) AND NEW.version <> OLD.version)",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    for name, when in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION volition_notify_nodes()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON inspection_nodes")
    op.execute("DROP FUNCTION volition_notify_nodes()")
