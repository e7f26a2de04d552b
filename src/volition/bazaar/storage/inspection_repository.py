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

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    Table,
    and_,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)

from volition.bazaar.errors import NotFound
from volition.bazaar.inspection.limits import InspectionLimits, Policy
from volition.bazaar.inspection.records import (
    READY,
    AgentCall,
    Inspection,
    InspectionStatus,
    Node,
    NodeState,
    Outcome,
    PendingDecision,
    Verdict,
)
from volition.bazaar.inspection.repository import lost, stale
from volition.bazaar.storage.joinable import JoinableRepository
from volition.bazaar.storage.models_inspection import AgentCallRow, InspectionRow, NodeRow
from volition.bazaar.storage.notify import notify_nodes
from volition.bazaar.storage.store import SqlStore

__all__ = ["SqlInspectionRepository"]

INSPECTIONS: Table = InspectionRow.__table__  # type: ignore[assignment]
NODES: Table = NodeRow.__table__  # type: ignore[assignment]
CALLS: Table = AgentCallRow.__table__  # type: ignore[assignment]
READY_STATES = sorted(s.value for s in READY)
WATCHED = READY | {NodeState.GATHERING}
"""A node added or moved to one of these states is told to the other processes (NOTIFY)."""

# The hot statements, built once (issue 15): SQLAlchemy reuses their compiled forms instead
# of building, coercing and hashing a statement on every call of a step.
_SET = (  # what ``_node_row`` writes, but the id
    *("inspection_id", "context_id", "parent_node_id", "depth", "state", "deadline"),
    *("follow_ups", "pending_follow_up", "pending_offer_ids", "pending_budget"),
    *("pending_query", "child_node_id", "bought", "outcome", "version"),
)
_WHERE_VERSION = (NODES.c.id == bindparam("w_id"), NODES.c.version == bindparam("w_version"))
_UPDATE_NODE = (
    update(NODES)
    .where(*_WHERE_VERSION)
    .values({c: bindparam(f"v_{c}", type_=NODES.c[c].type) for c in _SET})
)
_UPDATE_NODE_RELEASING = (
    update(NODES)
    .where(*_WHERE_VERSION, NODES.c.lease_owner == bindparam("w_owner"))
    .values(
        {c: bindparam(f"v_{c}", type_=NODES.c[c].type) for c in _SET}
        | {"lease_owner": None, "lease_until": None}
    )
)
_NODES_OF_INSPECTION = (
    select(NODES).where(NODES.c.inspection_id == bindparam("id")).order_by(NODES.c.seq)
)
_FIRST_READY = (
    select(NODES.c.seq)
    .where(
        NODES.c.state.in_(READY_STATES),
        or_(NODES.c.lease_until.is_(None), NODES.c.lease_until <= bindparam("now")),
    )
    .order_by(NODES.c.seq)
    .limit(1)
)


def _claim(first: Any) -> Any:
    return (
        update(NODES)
        .where(NODES.c.seq == first.scalar_subquery())
        .values(lease_owner=bindparam("owner"), lease_until=bindparam("until"))
        .returning(*NODES.c)
    )


_CLAIM = _claim(_FIRST_READY)
# NO KEY: agent calls and child nodes may still reference the row meanwhile
_CLAIM_SKIPPING = _claim(_FIRST_READY.with_for_update(skip_locked=True, key_share=True))
_INSERT_NODE = insert(NODES)
_INSERT_CALL = insert(CALLS)


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
            conn.execute(insert(INSPECTIONS).values(**_inspection_row(inspection)))

    def get_inspection(self, inspection_id: str) -> Inspection | None:
        with self._begin(write=False) as conn:
            row = conn.execute(select(INSPECTIONS).where(INSPECTIONS.c.id == inspection_id)).first()
        return None if row is None else _inspection(row)

    def update_inspection(self, inspection: Inspection) -> None:
        values = _inspection_row(inspection)
        del values["id"]
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
        return None if row is None else _inspection(row)

    # ---------------------------------------------------------------------- nodes

    def add_node(self, node: Node) -> None:
        with self._begin() as conn:
            conn.execute(_INSERT_NODE, _node_row(node))
            if node.state in WATCHED:
                notify_nodes(conn)  # delivered when this transaction commits

    def get_node(self, node_id: str) -> Node | None:
        return self._one(NODES.c.id == node_id)

    def update_node(self, node: Node, *, release: str | None = None) -> Node:
        values = _node_row(node)
        del values["id"]
        values["version"] = node.version + 1
        params = {f"v_{c}": v for c, v in values.items()}
        params |= {"w_id": node.id, "w_version": node.version}
        statement = _UPDATE_NODE
        if release is not None:  # the step's end: only while ``release`` holds the lease
            params["w_owner"] = release
            statement = _UPDATE_NODE_RELEASING
        with self._begin() as conn:
            result = conn.execute(statement, params)
            if result.rowcount == 0:
                stored = conn.execute(
                    select(NODES.c.version, NODES.c.lease_owner).where(NODES.c.id == node.id)
                ).first()
                if stored is None:
                    raise NotFound(f"there is no node {node.id} to update")
                if release is not None and stored.version == node.version:
                    raise lost(node, release, stored.lease_owner)
                raise stale(node, stored.version)
            if node.state in WATCHED:
                notify_nodes(conn)
        return _node_from(values | {"id": node.id})

    def node_for_context(self, context_id: str) -> Node | None:
        return self._one(NODES.c.context_id == context_id)

    def nodes(self, inspection_id: str) -> list[Node]:
        with self._begin(write=False) as conn:
            return [_node(row) for row in conn.execute(_NODES_OF_INSPECTION, {"id": inspection_id})]

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
            return [_node(row) for row in conn.execute(query)]

    def next_lease_end(self, now: datetime) -> datetime | None:
        query = select(func.min(NODES.c.lease_until)).where(
            NODES.c.state.in_(READY_STATES), NODES.c.lease_until > now
        )
        with self._begin(write=False) as conn:
            end: datetime | None = conn.execute(query).scalar()
        return end

    def claim(self, worker_id: str, now: datetime, lease: timedelta) -> Node | None:
        """One statement (issue 15): the first ready node with no live lease is leased to
        ``worker_id`` and returned (on PostgreSQL, nodes another claim holds are skipped)."""
        if not self._busy:  # a read first: an idle worker's polls take no write lock
            with self._begin(write=False) as conn:
                if conn.execute(_FIRST_READY, {"now": now}).first() is None:
                    return None
        claim = _CLAIM_SKIPPING if self.engine.dialect.name == "postgresql" else _CLAIM
        with self._begin() as conn:
            params = {"now": now, "owner": worker_id, "until": now + lease}
            row = conn.execute(claim, params).first()
        self._busy = row is not None  # while there is work, skip the read
        return None if row is None else _node(row)

    def release(self, node_id: str, worker_id: str, *, until: datetime | None = None) -> None:
        owner = worker_id if until is not None else None
        with self._begin() as conn:
            conn.execute(
                update(NODES)
                .where(NODES.c.id == node_id, NODES.c.lease_owner == worker_id)
                .values(lease_owner=owner, lease_until=until)
            )

    def lease(self, node_id: str) -> tuple[str, datetime] | None:
        """Who holds a node's lease and until when (for tests and operators)."""
        with self._begin(write=False) as conn:
            row = conn.execute(
                select(NODES.c.lease_owner, NODES.c.lease_until).where(NODES.c.id == node_id)
            ).first()
        if row is None or row.lease_owner is None:
            return None
        return row.lease_owner, row.lease_until

    def _one(self, condition: Any) -> Node | None:
        with self._begin(write=False) as conn:
            row = conn.execute(select(NODES).where(condition)).first()
        return None if row is None else _node(row)

    def _many(self, condition: Any, limit: int | None = None) -> list[Node]:
        query = select(NODES).where(condition).order_by(NODES.c.seq)
        if limit is not None:
            query = query.limit(limit)
        with self._begin(write=False) as conn:
            return [_node(row) for row in conn.execute(query)]

    # ---------------------------------------------------------------------- calls

    def add_call(self, call: AgentCall) -> None:
        with self._begin() as conn:
            conn.execute(_INSERT_CALL, _call_row(call))

    def calls(self, inspection_id: str) -> list[AgentCall]:
        query = select(CALLS).where(CALLS.c.inspection_id == inspection_id).order_by(CALLS.c.seq)
        with self._begin(write=False) as conn:
            return [_call(row) for row in conn.execute(query)]


# -------------------------------------------------------------- rows and records


def _inspection_row(inspection: Inspection) -> dict[str, Any]:
    limits = inspection.limits
    return {
        "id": inspection.id,
        "context_id": inspection.context_id,
        "buyer_id": inspection.buyer_id,
        "agent": inspection.agent,
        "inspector": inspection.inspector,
        "max_depth": limits.max_depth,
        "max_follow_ups": limits.max_follow_ups,
        "min_offers": limits.min_offers,
        "gather_timeout_seconds": limits.gather_timeout.total_seconds(),
        "max_retries": limits.max_retries,
        "policy": limits.policy.value,
        "root_node_id": inspection.root_node_id,
        "status": inspection.status.value,
        "created_at": inspection.created_at,
        "finished_at": inspection.finished_at,
    }


def _inspection(row: Row[Any]) -> Inspection:
    limits = InspectionLimits(
        max_depth=row.max_depth,
        max_follow_ups=row.max_follow_ups,
        min_offers=row.min_offers,
        gather_timeout=timedelta(seconds=row.gather_timeout_seconds),
        max_retries=row.max_retries,
        policy=Policy(row.policy),
    )
    return Inspection(
        id=row.id,
        context_id=row.context_id,
        buyer_id=row.buyer_id,
        agent=row.agent,
        limits=limits,
        root_node_id=row.root_node_id,
        status=InspectionStatus(row.status),
        created_at=row.created_at,
        finished_at=row.finished_at,
        inspector=row.inspector,
    )


def _node_row(node: Node) -> dict[str, Any]:
    pending = node.pending
    return {
        "id": node.id,
        "inspection_id": node.inspection_id,
        "context_id": node.context_id,
        "parent_node_id": node.parent_node_id,
        "depth": node.depth,
        "state": node.state.value,
        "deadline": node.deadline,
        "follow_ups": node.follow_ups,
        "pending_follow_up": None if pending is None else pending.follow_up,
        "pending_offer_ids": [] if pending is None else list(pending.offer_ids),
        "pending_budget": 0 if pending is None else pending.budget,
        "pending_query": "" if pending is None else pending.query,
        "child_node_id": node.child_node_id,
        "bought": list(node.bought),
        "outcome": None if node.outcome is None else node.outcome.value,
        "version": node.version,
    }


def _node(row: Row[Any]) -> Node:
    return _node_from(row._mapping)


def _node_from(values: Any) -> Node:
    pending = None
    if values["pending_follow_up"] is not None:
        pending = PendingDecision(
            bool(values["pending_follow_up"]),
            tuple(values["pending_offer_ids"]),
            values["pending_budget"],
            values["pending_query"],
        )
    outcome = values["outcome"]
    return Node(
        id=values["id"],
        inspection_id=values["inspection_id"],
        context_id=values["context_id"],
        parent_node_id=values["parent_node_id"],
        depth=values["depth"],
        state=NodeState(values["state"]),
        deadline=values["deadline"],
        follow_ups=values["follow_ups"],
        pending=pending,
        child_node_id=values["child_node_id"],
        bought=tuple(values["bought"]),
        outcome=None if outcome is None else Outcome(outcome),
        version=values["version"],
    )


def _call_row(call: AgentCall) -> dict[str, Any]:
    return {
        "id": call.id,
        "inspection_id": call.inspection_id,
        "node_id": call.node_id,
        "attempt": call.attempt,
        "seen_offer_ids": list(call.seen_offer_ids),
        "ancestor_offer_ids": list(call.ancestor_offer_ids),
        "known_offer_ids": list(call.known_offer_ids),
        "verdict": call.verdict.value,
        "action": call.action,
        "decided_ids": list(call.decided_ids),
        "unknown_ids": call.unknown_ids,
        "budget": call.budget,
        "prompt_tokens": call.prompt_tokens,
        "completion_tokens": call.completion_tokens,
        "cost": call.cost,
        "at": call.at,
        "charged": call.charged,
    }


def _call(row: Row[Any]) -> AgentCall:
    return AgentCall(
        id=row.id,
        inspection_id=row.inspection_id,
        node_id=row.node_id,
        attempt=row.attempt,
        seen_offer_ids=tuple(row.seen_offer_ids),
        ancestor_offer_ids=tuple(row.ancestor_offer_ids),
        known_offer_ids=tuple(row.known_offer_ids),
        verdict=Verdict(row.verdict),
        action=row.action,
        decided_ids=tuple(row.decided_ids),
        unknown_ids=row.unknown_ids,
        budget=row.budget,
        prompt_tokens=row.prompt_tokens,
        completion_tokens=row.completion_tokens,
        cost=row.cost,
        at=row.at,
        charged=row.charged,
    )
