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

from volition.bazaar.storage.migration_ops import create_notify_triggers, drop_notify_triggers

revision = "0015"
down_revision = "0014"

CHANNEL, PAYLOAD = "volition_events", "nodes"
"""``storage.notify.CHANNEL`` and ``NODES``."""

WATCHED = ("soliciting", "gathering", "deciding", "acting")
"""``storage.inspection_repository.WATCHED``: the states another process may have work in."""

_STATES = ", ".join(f"'{s}'" for s in WATCHED)

TRIGGERS = {
    "inspection_nodes_added": f"AFTER INSERT ON inspection_nodes FOR EACH ROW "
    f"WHEN (NEW.state IN ({_STATES}))",
    "inspection_nodes_moved": f"AFTER UPDATE ON inspection_nodes FOR EACH ROW "
    f"WHEN (NEW.state IN ({_STATES}) AND NEW.version <> OLD.version)",
}


def upgrade() -> None:
    create_notify_triggers("volition_notify_nodes", CHANNEL, PAYLOAD, TRIGGERS)


def downgrade() -> None:
    drop_notify_triggers("volition_notify_nodes", TRIGGERS)
