"""Where inspection state lives: a small repository protocol and its in-memory implementation.

The engine only talks to ``InspectionRepository``; the SQL implementation (one table per
record of ``records``) comes with the workers. Records are frozen, so nothing outside the
repository changes stored state.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Protocol

from volition.bazaar.errors import Conflict, NotFound
from volition.bazaar.inspection.records import (
    READY,
    AgentCall,
    Inspection,
    Node,
    NodeState,
)

__all__ = ["InspectionRepository", "MemoryInspectionRepository"]


class InspectionRepository(Protocol):
    def add_inspection(self, inspection: Inspection) -> None: ...
    def get_inspection(self, inspection_id: str) -> Inspection | None: ...
    def update_inspection(self, inspection: Inspection) -> None: ...
    def inspection_for_context(self, context_id: str) -> Inspection | None:
        """The inspection whose root is this context, if any."""
        ...

    def add_node(self, node: Node) -> None: ...
    def get_node(self, node_id: str) -> Node | None: ...
    def update_node(self, node: Node) -> None: ...
    def node_for_context(self, context_id: str) -> Node | None: ...
    def nodes(self, inspection_id: str) -> list[Node]:
        """The nodes of one inspection, in the order they were added."""
        ...

    def children(self, node_id: str) -> list[Node]:
        """A node's children, in the order they were added."""
        ...

    def ready(self, limit: int = 100) -> list[Node]:
        """Nodes with work to do now (states in ``READY``), oldest first."""
        ...

    def gathering_due(self, now: datetime) -> list[Node]:
        """Gathering nodes whose deadline is at or before ``now``."""
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
        self._calls: list[AgentCall] = []

    def add_inspection(self, inspection: Inspection) -> None:
        with self._lock:
            if inspection.id in self._inspections:
                raise Conflict(f"inspection {inspection.id} exists already")
            self._inspections[inspection.id] = inspection

    def get_inspection(self, inspection_id: str) -> Inspection | None:
        return self._inspections.get(inspection_id)

    def update_inspection(self, inspection: Inspection) -> None:
        with self._lock:
            if inspection.id not in self._inspections:
                raise NotFound(f"there is no inspection {inspection.id} to update")
            self._inspections[inspection.id] = inspection

    def inspection_for_context(self, context_id: str) -> Inspection | None:
        return next((i for i in self._inspections.values() if i.context_id == context_id), None)

    def add_node(self, node: Node) -> None:
        with self._lock:
            if node.id in self._nodes:
                raise Conflict(f"node {node.id} exists already")
            if any(n.context_id == node.context_id for n in self._nodes.values()):
                raise Conflict(f"context {node.context_id} is already a node of an inspection")
            self._nodes[node.id] = node

    def get_node(self, node_id: str) -> Node | None:
        return self._nodes.get(node_id)

    def update_node(self, node: Node) -> None:
        with self._lock:
            if node.id not in self._nodes:
                raise NotFound(f"there is no node {node.id} to update")
            self._nodes[node.id] = node

    def node_for_context(self, context_id: str) -> Node | None:
        return next((n for n in self._nodes.values() if n.context_id == context_id), None)

    def nodes(self, inspection_id: str) -> list[Node]:
        return [n for n in self._nodes.values() if n.inspection_id == inspection_id]

    def children(self, node_id: str) -> list[Node]:
        return [n for n in self._nodes.values() if n.parent_node_id == node_id]

    def ready(self, limit: int = 100) -> list[Node]:
        return [n for n in self._nodes.values() if n.state in READY][:limit]

    def gathering_due(self, now: datetime) -> list[Node]:
        return [
            n
            for n in self._nodes.values()
            if n.state is NodeState.GATHERING and n.deadline is not None and n.deadline <= now
        ]

    def add_call(self, call: AgentCall) -> None:
        with self._lock:
            self._calls.append(call)

    def calls(self, inspection_id: str) -> list[AgentCall]:
        return [c for c in self._calls if c.inspection_id == inspection_id]
