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
from typing import Any, TypeVar

from volition.agents import BuyerAgent
from volition.bazaar.domain import Bazaar, DecisionContext, UnitOfWork
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.domain.forecasts import ForecastQuestion
from volition.bazaar.errors import NotFound
from volition.bazaar.inspection.bots import SellerPool
from volition.bazaar.inspection.limits import InspectionLimits
from volition.bazaar.inspection.pricing import FREE, Pricing
from volition.bazaar.inspection.records import Inspection, Node
from volition.bazaar.inspection.repository import InspectionRepository, StaleNode
from volition.bazaar.inspection.views import Contexts, SellerNames

__all__ = ["AgentResolver", "EngineCore", "worker_name"]

AgentResolver = Callable[[Inspection], BuyerAgent]
"""Chooses the buyer agent of an inspection (by its ``agent`` name, its buyer, ...)."""
T = TypeVar("T")


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
    _questions: dict[str, ForecastQuestion | None]  # by inspection (see ``_question``)
    _seller_names: SellerNames  # what views show of the sellers
    _contexts_seen: Contexts  # ... and of the contexts of the chain and the children

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
            found = _remember(self._inspections, inspection_id, self.inspection(inspection_id))
        return found

    def _question(self, uow: UnitOfWork, inspection: Inspection) -> ForecastQuestion | None:
        """The forecast question of the inspected context, if it is one: read once (in
        ``uow``), cached. It is stored before its context's id reaches the buyer who starts
        the inspection, and the outcomes and prior a step reads never change."""
        if inspection.id in self._questions:
            return self._questions[inspection.id]
        question = self.forecasts.repository.within(uow).get(inspection.context_id)
        return _remember(self._questions, inspection.id, question)

    def _limits(self, node: Node) -> InspectionLimits:
        return self._fixed(node.inspection_id).limits

    def _move(self, node: Node, **changes: Any) -> Node | None:
        """Change a node that this worker is not stepping; None if another moved it first."""
        try:
            return self.repository.update_node(replace(node, **changes))
        except StaleNode:
            return None


def _remember(cache: dict[str, T], key: str, value: T, limit: int = 4096) -> T:
    """Keep ``value`` in ``cache`` under ``key`` (the oldest forgotten past ``limit``)."""
    if len(cache) >= limit:
        cache.pop(next(iter(cache)))
    cache[key] = value
    return value
