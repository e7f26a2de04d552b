"""The end of a node (``engine``): its context closed, its record done, the parent resumed.

A node ends once it bought (or its context closed, it had no agent, budget or offers, or its
agent gave up): inside the step's unit of work its context is closed (what is left of its
reservation released), the node is recorded done with its purchases (ending its lease), and
the inspection finishes (a root) or the waiting parent decides again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from volition.bazaar.domain import UnitOfWork
from volition.bazaar.inspection.core import EngineCore
from volition.bazaar.inspection.records import (
    AgentCall,
    InspectionStatus,
    Node,
    NodeState,
    Outcome,
)
from volition.bazaar.inspection.repository import InspectionRepository

__all__ = ["Ending"]

log = logging.getLogger("volition.bazaar.inspection.engine")


class Ending(EngineCore):
    """The phase that ends nodes (``_end``) and resumes their waiting parents."""

    @staticmethod
    def _add_calls(repository: InspectionRepository, calls: list[AgentCall]) -> None:
        for call in calls:
            repository.add_call(call)

    def _end(
        self,
        uow: UnitOfWork,
        node: Node,
        worker: str,
        outcome: Outcome,
        *,
        calls: Sequence[AgentCall] = (),
        buy: tuple[str, ...] = (),
    ) -> tuple[str, ...]:
        """End a node inside the open unit: buy the offers ``buy`` and close its context
        (releasing the rest) in one operation of the bazaar (``Bazaar.buy_and_close``),
        record it done with its purchases (ending the lease), finish the inspection or resume
        the parent (if it still waits for this node: one statement, nothing read); return the
        offers this step bought. A refused purchase (the context closed or an offer was
        withdrawn meanwhile) ends it closed: what was bought before it stays."""
        inspection = self._fixed(node.inspection_id)
        keys = [f"{node.id}:buy:{offer_id}" for offer_id in buy]  # as one at a time: replayable
        batch, closed = self.bazaar.buy_and_close(
            inspection.buyer_id, node.context_id, buy, idempotency_keys=keys
        )
        if batch.refused is not None:  # a refusal wrote nothing: the unit goes on
            log.info("node %s could not buy all it chose: %s", node.id, batch.refused)
        if (batch.refused is not None or closed is None) and outcome is Outcome.BOUGHT:
            outcome = Outcome.CLOSED  # (closed from outside meanwhile: already released)
        bought = tuple(p.offer_id for p in batch.purchases)
        repository = self.repository.within(uow)
        done = replace(node, state=NodeState.DONE, pending=None, bought=bought, outcome=outcome)
        repository.update_node(done, release=worker)  # first: refuses an overtaken worker
        self._add_calls(repository, list(calls))
        if node.parent_node_id is None:
            finished = replace(
                inspection, status=InspectionStatus.DONE, finished_at=self.bazaar.clock()
            )
            repository.update_inspection(finished)
            return tuple(p.offer_id for p in batch.bought)
        repository.resume(node.parent_node_id, node.id)  # (unless a sweep resumed it)
        return tuple(p.offer_id for p in batch.bought)

    def _resume(self, parent: Node) -> Node | None:
        """A waiting node's child is done: it decides again (None if another moved it)."""
        return self._move(parent, state=NodeState.DECIDING, child_node_id=None)
