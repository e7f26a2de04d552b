"""Inspection state in SQL: the ``InspectionRepository`` protocol on SQLite and PostgreSQL.

Each call is one short transaction of its own, beside the bazaar's, except on the repository
``within(uow)`` returns: its calls run inside the bazaar's unit of work ``uow`` (one
transaction for a step's purchases, its records and its node's change: issue 15).
Claiming a node is safe across processes: on PostgreSQL the candidate row is taken
``FOR NO KEY UPDATE SKIP LOCKED`` (two workers never wait for, nor get, the same node); on
SQLite the writing transaction starts with ``BEGIN IMMEDIATE``, which serialises writers.
``update_node`` is a compare-and-set on the node's version and leaves the lease alone.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, func, insert, select, update

from volition.bazaar.domain.leases import Lease
from volition.bazaar.errors import NotFound
from volition.bazaar.inspection.records import (
    READY,
    AgentCall,
    Inspection,
    Node,
    NodeState,
)
from volition.bazaar.inspection.repository import lost, stale
from volition.bazaar.storage.joinable import JoinableRepository
from volition.bazaar.storage.leases import LeaseColumns
from volition.bazaar.storage.models_inspection import AgentCallRow, InspectionRow, NodeRow
from volition.bazaar.storage.row_maps import CALL, INSPECTION, NODE
from volition.bazaar.storage.store import SqlStore

__all__ = ["SqlInspectionRepository"]

log = logging.getLogger(__name__)

INSPECTIONS: Table = InspectionRow.__table__  # type: ignore[assignment]
NODES: Table = NodeRow.__table__  # type: ignore[assignment]
CALLS: Table = AgentCallRow.__table__  # type: ignore[assignment]
READY_STATES = sorted(s.value for s in READY)
LEASE = LeaseColumns(NODES, holder="lease_owner")
WATCHED = READY | {NodeState.GATHERING}
"""A node added or moved to one of these states is told to the other processes: on
PostgreSQL the table's triggers send the ``NOTIFY`` (migration 0015), no statement here."""


# Inserts built once, their values given as parameters: ``insert(t).values(row)`` built and
# hashed a new statement on every call (about 0.3 ms of CPU a row on PostgreSQL, issue 15).
_INSERT_INSPECTION, _INSERT_NODE, _INSERT_CALL = insert(INSPECTIONS), insert(NODES), insert(CALLS)


class SqlInspectionRepository(JoinableRepository):
    """Inspections, nodes and agent calls in the bazaar's database (migration 0005)."""

    conflict = (
        "the inspection change conflicts with stored data (a duplicate node, context "
        "or id, or a broken constraint); read it again"
    )

    def __init__(self, store: SqlStore | Engine, *, conn: Connection | None = None) -> None:
        super().__init__(store.engine if isinstance(store, SqlStore) else store, conn=conn)
        self._busy = False  # the last claim found a node (see ``claim``)

    # ---------------------------------------------------------------- inspections

    def add_inspection(self, inspection: Inspection) -> None:
        with self._begin() as conn:
            conn.execute(_INSERT_INSPECTION, INSPECTION.values(inspection))

    def get_inspection(self, inspection_id: str) -> Inspection | None:
        with self._begin(write=False) as conn:
            row = conn.execute(select(INSPECTIONS).where(INSPECTIONS.c.id == inspection_id)).first()
        return None if row is None else INSPECTION.record_of(row)

    def update_inspection(self, inspection: Inspection) -> None:
        values = INSPECTION.values(inspection, exclude=("id",))
        with self._begin() as conn:
            result = conn.execute(
                update(INSPECTIONS).where(INSPECTIONS.c.id == inspection.id).values(**values)
            )
        if result.rowcount == 0:
            raise NotFound(f"there is no inspection {inspection.id} to update")

    def inspection_for_context(self, context_id: str) -> Inspection | None:
        with self._begin(write=False) as conn:
            row = conn.execute(
                select(INSPECTIONS).where(INSPECTIONS.c.context_id == context_id)
            ).first()
        return None if row is None else INSPECTION.record_of(row)

    # ---------------------------------------------------------------------- nodes

    def add_node(self, node: Node) -> None:
        with self._begin() as conn:
            conn.execute(_INSERT_NODE, NODE.values(node))  # its trigger notifies

    def get_node(self, node_id: str) -> Node | None:
        return self._one(NODES.c.id == node_id)

    def update_node(self, node: Node, *, release: str | None = None) -> Node:
        values = NODE.values(node, exclude=("id",))
        values["version"] = node.version + 1
        where = [NODES.c.id == node.id, NODES.c.version == node.version]
        if release is not None:  # the step's end: only while ``release`` holds the lease
            where.append(LEASE.held_by(release))
            values |= LEASE.ended()
        with self._begin() as conn:
            result = conn.execute(update(NODES).where(*where).values(**values))
            if result.rowcount == 0:
                stored = conn.execute(
                    select(NODES.c.version, NODES.c.lease_owner).where(NODES.c.id == node.id)
                ).first()
                if stored is None:
                    raise NotFound(f"there is no node {node.id} to update")
                if release is not None and stored.version == node.version:
                    raise lost(node, release, stored.lease_owner)
                raise stale(node, stored.version)
        if release is not None:  # before the commit that frees it: no other holder yet
            log.debug("lease of %s ended by %s", node.id, release)
        return NODE.record_of(values | {"id": node.id})

    def resume(self, parent_id: str, child_id: str) -> bool:
        resumed = (
            update(NODES)
            .where(
                NODES.c.id == parent_id,
                NODES.c.state == NodeState.WAITING.value,
                NODES.c.child_node_id == child_id,
            )
            .values(state=NodeState.DECIDING.value, child_node_id=None, version=NODES.c.version + 1)
        )
        with self._begin() as conn:  # its trigger notifies (a node moved to deciding)
            return bool(conn.execute(resumed).rowcount)

    def node_for_context(self, context_id: str) -> Node | None:
        return self._one(NODES.c.context_id == context_id)

    def nodes(self, inspection_id: str) -> list[Node]:
        return self._many(NODES.c.inspection_id == inspection_id)

    def children(self, node_id: str) -> list[Node]:
        return self._many(NODES.c.parent_node_id == node_id)

    def ready(self, limit: int = 100) -> list[Node]:
        return self._many(NODES.c.state.in_(READY_STATES), limit=limit)

    def in_state(self, state: NodeState, limit: int = 100) -> list[Node]:
        return self._many(NODES.c.state == state.value, limit=limit)

    def gathering_due(self, now: datetime) -> list[Node]:
        return self._many(and_(NODES.c.state == NodeState.GATHERING.value, NODES.c.deadline <= now))

    def stranded(self, limit: int = 100) -> list[Node]:
        child = NODES.alias("child")
        query = (
            select(NODES)
            .join(child, child.c.id == NODES.c.child_node_id)
            .where(NODES.c.state == NodeState.WAITING.value)
            .where(child.c.state == NodeState.DONE.value)
            .order_by(NODES.c.seq)
            .limit(limit)
        )
        with self._begin(write=False) as conn:
            return NODE.records(conn.execute(query))

    def next_lease_end(self, now: datetime) -> datetime | None:
        query = select(func.min(NODES.c.lease_until)).where(
            NODES.c.state.in_(READY_STATES), LEASE.held(now)
        )
        with self._begin(write=False) as conn:
            end: datetime | None = conn.execute(query).scalar()
        return end

    def claim(self, worker_id: str, now: datetime, lease: timedelta) -> Node | None:
        """One statement (issue 15): the first ready node with no live lease is leased to
        ``worker_id`` and returned (on PostgreSQL, nodes another claim holds are skipped)."""
        first = (
            select(NODES.c.seq)
            .where(NODES.c.state.in_(READY_STATES), LEASE.free(now))
            .order_by(NODES.c.seq)
            .limit(1)
        )
        if not self._busy:  # a read first: an idle worker's polls take no write lock
            with self._begin(write=False) as conn:
                if conn.execute(first).first() is None:
                    return None
        if self.engine.dialect.name == "postgresql":
            # NO KEY: agent calls and child nodes may still reference the row meanwhile
            first = first.with_for_update(skip_locked=True, key_share=True)
        claim = (
            update(NODES)
            .where(NODES.c.seq == first.scalar_subquery())
            .values(LEASE.taken(worker_id, now + lease))
            .returning(*NODES.c)
        )
        with self._begin() as conn:
            row = conn.execute(claim).first()
        self._busy = row is not None  # while there is work, skip the read
        return None if row is None else NODE.record_of(row)

    def release(self, node_id: str, worker_id: str, *, until: datetime | None = None) -> None:
        # renewed until ``until``, or ended; only by its holder (else nothing changes)
        values = LEASE.ended() if until is None else LEASE.taken(worker_id, until)
        with self._begin() as conn:
            conn.execute(
                update(NODES).where(NODES.c.id == node_id, LEASE.held_by(worker_id)).values(values)
            )
            log.debug("lease of %s ended by %s", node_id, worker_id)  # (or kept till a retry)

    def lease(self, node_id: str) -> Lease | None:
        """Who holds a node's lease and until when (for tests and operators)."""
        with self._begin(write=False) as conn:
            row = conn.execute(
                select(NODES.c.lease_owner, NODES.c.lease_until).where(NODES.c.id == node_id)
            ).first()
        if row is None or row.lease_owner is None:
            return None
        return Lease(row.lease_owner, row.lease_until)

    def _one(self, condition: Any) -> Node | None:
        with self._begin(write=False) as conn:
            row = conn.execute(select(NODES).where(condition)).first()
        return None if row is None else NODE.record_of(row)

    def _many(self, condition: Any, limit: int | None = None) -> list[Node]:
        query = select(NODES).where(condition).order_by(NODES.c.seq)
        if limit is not None:
            query = query.limit(limit)
        with self._begin(write=False) as conn:
            return NODE.records(conn.execute(query))

    # ---------------------------------------------------------------------- calls

    def add_call(self, call: AgentCall) -> None:
        with self._begin() as conn:
            conn.execute(_INSERT_CALL, CALL.values(call))

    def calls(self, inspection_id: str) -> list[AgentCall]:
        query = select(CALLS).where(CALLS.c.inspection_id == inspection_id).order_by(CALLS.c.seq)
        with self._begin(write=False) as conn:
            return CALL.records(conn.execute(query))
