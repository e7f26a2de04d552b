"""The inspection nodes' table tells other processes of its changes itself (issue 15).

On PostgreSQL the triggers of migration 0015 send ``NOTIFY volition_events, 'nodes'`` when a
node is added or moved (its version changed) to a state another process may have work in,
delivered at the commit, instead of a ``SELECT pg_notify(...)`` of the repository after each
write. A lease taken or ended (the version unchanged), or a node moved to ``waiting`` or
``done``, tells nobody.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import psycopg
import pytest

from tests.support.inspection import FakeClock, World, make_world
from volition.bazaar.domain import ContextSpec
from volition.bazaar.inspection import Inspection, InspectionEngine, NodeState
from volition.bazaar.storage import SqlInspectionRepository, SqlStore
from volition.bazaar.storage.inspection_repository import WATCHED
from volition.bazaar.storage.notify import CHANNEL, NODES

MIGRATION = importlib.import_module(
    "volition.bazaar.storage.alembic.versions.0015_notify_nodes_trigger"
)


def test_the_migration_watches_the_repositorys_states_on_its_channel() -> None:
    assert set(MIGRATION.WATCHED) == {s.value for s in WATCHED}
    assert (MIGRATION.CHANNEL, MIGRATION.PAYLOAD) == (CHANNEL, NODES)


@pytest.fixture
def listener(inspection_pg_url: str) -> Iterator[psycopg.Connection]:
    url = inspection_pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"LISTEN {CHANNEL}")
        yield conn


def _heard(conn: psycopg.Connection) -> list[str]:
    """The payloads delivered to ``conn`` so far (waiting briefly for those in flight)."""
    return [n.payload for n in conn.notifies(timeout=0.3)]


def _started(store: SqlStore, listener: psycopg.Connection) -> tuple[World, Inspection]:
    """An inspection started on ``store``; the notices heard before it dropped, and the
    one its start sent checked."""
    world = make_world(store, FakeClock())
    engine = InspectionEngine(world.bazaar, repository=SqlInspectionRepository(store))
    context = world.bazaar.post_context(world.buyer.id, ContextSpec("Will it rain?", 500))
    _heard(listener)  # (the posting itself sends no node notice)
    inspection = engine.start(world.buyer.id, context.id, agent="offline")
    assert _heard(listener) == [NODES]  # the root node, added soliciting
    return world, inspection


def test_nodes_notify_when_added_or_moved_to_work_and_not_otherwise(
    pg_store: SqlStore, listener: psycopg.Connection
) -> None:
    world, inspection = _started(pg_store, listener)
    repository = SqlInspectionRepository(pg_store)

    node = repository.claim("w1", world.clock(), timedelta(seconds=60))
    assert node is not None and node.id == inspection.root_node_id
    repository.release(node.id, "w1")
    assert _heard(listener) == []  # a lease taken and ended: the version did not change

    waiting = repository.update_node(replace(node, state=NodeState.WAITING))
    assert _heard(listener) == []  # nothing to do in it
    repository.update_node(replace(waiting, state=NodeState.DECIDING))
    assert _heard(listener) == [NODES]


def test_a_rolled_back_change_notifies_nobody(
    pg_store: SqlStore, listener: psycopg.Connection
) -> None:
    world, inspection = _started(pg_store, listener)
    repository = SqlInspectionRepository(pg_store)
    node = repository.get_node(inspection.root_node_id)
    assert node is not None
    with pytest.raises(RuntimeError), world.bazaar.unit() as uow:
        repository.within(uow).update_node(replace(node, state=NodeState.DECIDING))
        raise RuntimeError("the step failed after moving its node")
    assert _heard(listener) == []
    stored = repository.get_node(node.id)
    assert stored is not None and stored.state is NodeState.SOLICITING
