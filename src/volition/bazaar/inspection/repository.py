"""Where inspection state lives: a small repository protocol and its in-memory implementation.

The engine only talks to ``InspectionRepository``; the SQL implementation is
``volition.bazaar.storage.inspection_repository.SqlInspectionRepository``. Records are frozen,
so nothing outside the repository changes stored state.

Two rules make one repository safe to share between worker processes:

- **leases** (the rule of ``volition.bazaar.domain.leases``): a worker ``claim``s a ready node
  for a while before stepping it and ``release``s it afterwards; a node whose lease is held is
  claimed by nobody else until the lease runs out (a worker that died leaves a lease that
  expires, and another worker repeats the step, whose purchases go through idempotency keys).
- **versions**: ``update_node`` stores a change only if the node is still at the version the
  caller read, and returns the stored node (one version higher); a change made from an older
  version raises ``Conflict``. A slow worker whose lease ran out cannot overwrite what the
  worker after it did. ``update_node`` never touches leases.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from volition.bazaar.domain import leases
from volition.bazaar.domain.leases import Lease
from volition.bazaar.errors import Conflict, NotFound
from volition.bazaar.inspection.records import (
    READY,
    AgentCall,
    Inspection,
    Node,
    NodeState,
)

__all__ = ["InspectionRepository", "MemoryInspectionRepository", "StaleNode", "lost", "stale"]


class StaleNode(Conflict):
    """A node was changed from an outdated version: another worker moved it first."""


def stale(node: Node, stored: int) -> StaleNode:
    """The error for a change made from an outdated version of ``node``."""
    return StaleNode(
        f"node {node.id} changed meanwhile (version {stored}, not {node.version}): another "
        "worker moved it; read it again"
    )


def lost(node: Node, worker: str, holder: str | None) -> StaleNode:
    """The error for a step's end by ``worker`` after its lease on ``node`` was taken over."""
    return StaleNode(
        f"node {node.id} is leased to {holder or 'nobody'}, not {worker}: another worker "
        "claimed it after this worker's lease ran out; its step is left to that worker"
    )


class InspectionRepository(Protocol):
    def within(self, uow: Any) -> InspectionRepository:
        """This repository inside the bazaar's unit of work ``uow``: what it writes commits or
        rolls back with ``uow`` (a repository that cannot join returns itself; the engine
        then writes its records after the bazaar's, so a refused step leaves them unwritten).
        """
        ...

    def add_inspection(self, inspection: Inspection) -> None: ...
    def get_inspection(self, inspection_id: str) -> Inspection | None: ...
    def update_inspection(self, inspection: Inspection) -> None: ...
    def inspection_for_context(self, context_id: str) -> Inspection | None:
        """The inspection whose root is this context, if any."""
        ...

    def add_node(self, node: Node) -> None:
        """Store a new node; ``Conflict`` if its id or its context is already a node."""
        ...

    def get_node(self, node_id: str) -> Node | None: ...
    def update_node(self, node: Node, *, release: str | None = None) -> Node:
        """Store ``node`` if the stored one is still at ``node.version``; return it one version
        higher. ``Conflict`` when another change came first, ``NotFound`` for no such node.

        ``release``: the end of a step by this worker: stored only while the worker still holds
        the node's lease (``StaleNode`` once another claimed it), which it ends."""
        ...

    def resume(self, parent_id: str, child_id: str) -> bool:
        """The node ``parent_id``, if it still waits for its child ``child_id``, decides again
        (one version higher, no child): whether it did. Nothing read first (issue 15): a
        parent moved meanwhile (resumed by a sweep of stranded parents) is left as it is."""
        ...

    def node_for_context(self, context_id: str) -> Node | None: ...
    def nodes(self, inspection_id: str) -> list[Node]:
        """The nodes of one inspection, in the order they were added."""
        ...

    def children(self, node_id: str) -> list[Node]:
        """A node's children, in the order they were added."""
        ...

    def ready(self, limit: int = 100) -> list[Node]:
        """Nodes with work to do now (states in ``READY``), oldest first, leased or not."""
        ...

    def claim(self, worker_id: str, now: datetime, lease: timedelta) -> Node | None:
        """Lease the oldest ready node whose lease is free or past (until ``now + lease``) to
        ``worker_id`` and return it; ``None`` when there is none."""
        ...

    def release(self, node_id: str, worker_id: str, *, until: datetime | None = None) -> None:
        """End ``worker_id``'s lease on a node (nothing if it no longer holds it). With
        ``until``, keep it ``worker_id``'s until then instead: a longer step renews its lease,
        a failed one keeps the node from everybody until its retry."""
        ...

    def in_state(self, state: NodeState, limit: int = 100) -> list[Node]:
        """Nodes in ``state``, oldest first (to notice what other processes did)."""
        ...

    def next_lease_end(self, now: datetime) -> datetime | None:
        """When the first lease held on a ready node after ``now`` runs out (None: none held):
        the node is claimable again then (a dead worker's, or a failed step's retry)."""
        ...

    def gathering_due(self, now: datetime) -> list[Node]:
        """Gathering nodes whose deadline is at or before ``now``."""
        ...

    def stranded(self, limit: int = 100) -> list[Node]:
        """Waiting nodes whose child is done (a worker died between the two changes)."""
        ...

    def add_call(self, call: AgentCall) -> None: ...
    def calls(self, inspection_id: str) -> list[AgentCall]:
        """The audit trail of one inspection, oldest first."""
        ...


class MemoryInspectionRepository:
    """Inspection state in dicts, safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inspections: dict[str, Inspection] = {}
        self._nodes: dict[str, Node] = {}
        self._leases: dict[str, Lease] = {}
        self._calls: list[AgentCall] = []
        self._undo: list[Callable[[], None]] | None = None  # a memory unit of work's log

    def within(self, uow: Any) -> MemoryInspectionRepository:
        """This repository inside a ``MemoryStore`` unit of work: the same state, and every
        change it makes is undone if the unit is (any other unit: itself)."""
        undo = getattr(uow, "undo", None)
        if not isinstance(undo, list):
            return self
        joined = copy.copy(self)
        joined._undo = undo
        return joined

    def _restore(self, table: dict[Any, Any], key: Any) -> None:
        """Log how to put ``table[key]`` back as it is now (under the lock)."""
        if self._undo is None:
            return
        if key in table:
            value = table[key]
            self._undo.append(lambda: self._locked(table.__setitem__, key, value))
        else:
            self._undo.append(lambda: self._locked(table.pop, key, None))

    def _locked(self, change: Callable[..., Any], *args: Any) -> None:
        with self._lock:
            change(*args)

    def add_inspection(self, inspection: Inspection) -> None:
        with self._lock:
            if inspection.id in self._inspections:
                raise Conflict(f"inspection {inspection.id} exists already")
            self._restore(self._inspections, inspection.id)
            self._inspections[inspection.id] = inspection

    def get_inspection(self, inspection_id: str) -> Inspection | None:
        return self._inspections.get(inspection_id)

    def update_inspection(self, inspection: Inspection) -> None:
        with self._lock:
            if inspection.id not in self._inspections:
                raise NotFound(f"there is no inspection {inspection.id} to update")
            self._restore(self._inspections, inspection.id)
            self._inspections[inspection.id] = inspection

    def inspection_for_context(self, context_id: str) -> Inspection | None:
        return next((i for i in self._inspections.values() if i.context_id == context_id), None)

    def add_node(self, node: Node) -> None:
        with self._lock:
            if node.id in self._nodes:
                raise Conflict(f"node {node.id} exists already")
            if any(n.context_id == node.context_id for n in self._nodes.values()):
                raise Conflict(f"context {node.context_id} is already a node of an inspection")
            self._restore(self._nodes, node.id)
            self._nodes[node.id] = node

    def get_node(self, node_id: str) -> Node | None:
        return self._nodes.get(node_id)

    def update_node(self, node: Node, *, release: str | None = None) -> Node:
        with self._lock:
            stored = self._nodes.get(node.id)
            if stored is None:
                raise NotFound(f"there is no node {node.id} to update")
            if stored.version != node.version:
                raise stale(node, stored.version)
            if release is not None:
                held = self._leases.get(node.id)
                if not leases.holds(held, release):
                    raise lost(node, release, None if held is None else held.holder)
                self._restore(self._leases, node.id)
                del self._leases[node.id]
            updated = replace(node, version=node.version + 1)
            self._restore(self._nodes, node.id)
            self._nodes[node.id] = updated
            return updated

    def resume(self, parent_id: str, child_id: str) -> bool:
        with self._lock:
            parent = self._nodes.get(parent_id)
            if parent is None or parent.state is not NodeState.WAITING:
                return False
            if parent.child_node_id != child_id:
                return False
            self._restore(self._nodes, parent_id)
            self._nodes[parent_id] = replace(
                parent, state=NodeState.DECIDING, child_node_id=None, version=parent.version + 1
            )
            return True

    def node_for_context(self, context_id: str) -> Node | None:
        with self._lock:
            return next((n for n in self._nodes.values() if n.context_id == context_id), None)

    def nodes(self, inspection_id: str) -> list[Node]:
        with self._lock:
            return [n for n in self._nodes.values() if n.inspection_id == inspection_id]

    def children(self, node_id: str) -> list[Node]:
        with self._lock:
            return [n for n in self._nodes.values() if n.parent_node_id == node_id]

    def ready(self, limit: int = 100) -> list[Node]:
        with self._lock:
            return [n for n in self._nodes.values() if n.state in READY][:limit]

    def claim(self, worker_id: str, now: datetime, lease: timedelta) -> Node | None:
        with self._lock:
            for node in self._nodes.values():
                if node.state not in READY:
                    continue
                taken = leases.claim(self._leases.get(node.id), worker_id, now, lease)
                if taken is not None:
                    self._restore(self._leases, node.id)
                    self._leases[node.id] = taken
                    return node
        return None

    def release(self, node_id: str, worker_id: str, *, until: datetime | None = None) -> None:
        with self._lock:
            held = self._leases.get(node_id)
            if not leases.holds(held, worker_id):
                return  # taken over meanwhile: the lease is its new holder's
            self._restore(self._leases, node_id)
            if until is None:
                del self._leases[node_id]
            else:
                self._leases[node_id] = Lease(worker_id, until)

    def lease(self, node_id: str) -> Lease | None:
        """Who holds a node's lease and until when (for tests and operators)."""
        return self._leases.get(node_id)

    def next_lease_end(self, now: datetime) -> datetime | None:
        with self._lock:
            ends = [
                until
                for node_id, (_, until) in self._leases.items()
                if not leases.is_free(until, now)
                and (n := self._nodes.get(node_id)) is not None
                and n.state in READY
            ]
        return min(ends, default=None)

    def in_state(self, state: NodeState, limit: int = 100) -> list[Node]:
        with self._lock:
            return [n for n in self._nodes.values() if n.state is state][:limit]

    def gathering_due(self, now: datetime) -> list[Node]:
        with self._lock:
            return [
                n
                for n in self._nodes.values()
                if n.state is NodeState.GATHERING and n.deadline is not None and n.deadline <= now
            ]

    def stranded(self, limit: int = 100) -> list[Node]:
        with self._lock:
            return [
                n
                for n in self._nodes.values()
                if n.state is NodeState.WAITING
                and n.child_node_id is not None
                and (child := self._nodes.get(n.child_node_id)) is not None
                and child.state is NodeState.DONE
            ][:limit]

    def add_call(self, call: AgentCall) -> None:
        with self._lock:
            if self._undo is not None:
                self._undo.append(lambda: self._locked(self._calls.remove, call))
            self._calls.append(call)

    def calls(self, inspection_id: str) -> list[AgentCall]:
        with self._lock:
            return [c for c in self._calls if c.inspection_id == inspection_id]
