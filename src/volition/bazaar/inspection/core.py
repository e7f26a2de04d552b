"""The inspection engine's state and the helpers every phase uses (``engine``).

``EngineCore`` holds what an engine is configured with (the bazaar, the buyer agent or its
resolver, the sellers, the repository, the limits, the worker's name and lease) and the
small reads and moves that the soliciting, deciding, acting and ending phases share.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from volition.agents import BuyerAgent
from volition.bazaar.domain import Bazaar, DecisionContext
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.errors import NotFound
from volition.bazaar.inspection.bots import SellerPool
from volition.bazaar.inspection.limits import InspectionLimits
from volition.bazaar.inspection.pricing import FREE, Pricing
from volition.bazaar.inspection.records import Inspection, Node
from volition.bazaar.inspection.repository import InspectionRepository, StaleNode

__all__ = ["AgentResolver", "EngineCore", "worker_name"]

AgentResolver = Callable[[Inspection], BuyerAgent]
"""Chooses the buyer agent of an inspection (by its ``agent`` name, its buyer, ...)."""


def worker_name() -> str:
    """A name for this worker that no other process shares: host, process id, random part."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class EngineCore:
    """What every phase of the engine reads: its configuration and a few shared helpers."""

    bazaar: Bazaar
    buyer: BuyerAgent | AgentResolver
    default_agent: str
    sellers: SellerPool
    repository: InspectionRepository
    limits: InspectionLimits
    worker_id: str
    lease: timedelta
    retry_delay: timedelta
    forecasts: Forecasts
    _inspections: dict[str, Inspection]  # their fixed parts (see ``_fixed``)

    def inspection(self, inspection_id: str) -> Inspection:
        """The inspection with this id."""
        inspection = self.repository.get_inspection(inspection_id)
        if inspection is None:
            raise NotFound(f"there is no inspection {inspection_id}")
        return inspection

    def agent(self, inspection: Inspection) -> BuyerAgent:
        """The buyer agent of ``inspection``: the engine's one agent, or its resolver's choice."""
        if isinstance(self.buyer, BuyerAgent):
            return self.buyer
        return self.buyer(inspection)

    def pricing(self, inspection: Inspection) -> Pricing:
        """What ``inspection``'s inspector charges per token (the resolver's ``pricing``)."""
        price = getattr(self.buyer, "pricing", None)
        return price(inspection) if callable(price) else FREE

    def _context(self, node: Node) -> DecisionContext:
        context = self.bazaar.stored(node.context_id)
        assert context is not None, f"node {node.id} lost its context"
        return context

    def _fixed(self, inspection_id: str) -> Inspection:
        """The inspection, for what never changes (buyer, agent, limits): read once, cached."""
        found = self._inspections.get(inspection_id)
        if found is None:
            found = self.inspection(inspection_id)
            if len(self._inspections) >= 4096:
                self._inspections.pop(next(iter(self._inspections)))
            self._inspections[inspection_id] = found
        return found

    def _limits(self, node: Node) -> InspectionLimits:
        return self._fixed(node.inspection_id).limits

    def _move(self, node: Node, **changes: Any) -> Node | None:
        """Change a node that this worker is not stepping; None if another moved it first."""
        try:
            return self.repository.update_node(replace(node, **changes))
        except StaleNode:
            return None
