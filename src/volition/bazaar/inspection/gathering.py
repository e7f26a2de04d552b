"""Soliciting and gathering (``engine``): a node asks the bots, then waits for enough offers.

A soliciting node asks its bot sellers (each offer its seller's own checked operation) and
becomes gathering; a gathering node moves to deciding once it has ``min_offers`` active
offers, its context is no longer active, or its deadline passes (``InspectionEngine.tick``).
"""

from __future__ import annotations

from dataclasses import replace

from volition.bazaar.domain import UnitOfWork
from volition.bazaar.domain.contexts import ContextProgress
from volition.bazaar.inspection.ending import Ending
from volition.bazaar.inspection.records import Node, NodeState, Outcome

__all__ = ["Gathering"]


class Gathering(Ending):
    """The phase that solicits offers and counts them."""

    def _solicit(self, node: Node, worker: str) -> None:
        """Ask the bots (each offer is its seller's own operation), then gather.

        The node is stored as gathering and its offers are counted in the unit of work that
        posts the bots' offers (``SellerPool.solicit``'s ``then``), the context locked
        against new offers before the count (``Bazaar.progress``, ``exclusive``): an offer
        posted meanwhile is counted here, or is committed after this unit and its event finds
        the node gathering. A context this engine posted or started is not read again here:
        the bots' read has it as it is now (closed meanwhile: nobody is asked, the node
        gathers and decides it closed)."""
        context = self._contexts_seen.known(node.context_id)
        if context is None:
            context = self._context(node)
            if not context.is_active:
                with self.bazaar.unit() as uow:
                    self._end(uow, node, worker, Outcome.CLOSED)
                return
        deadline = self.bazaar.clock() + self._limits(node).gather_timeout
        gathering = replace(node, state=NodeState.GATHERING, deadline=deadline)

        def gather(uow: UnitOfWork) -> None:
            repository = self.repository.within(uow)
            moved = repository.update_node(gathering, release=worker)
            progress = self.bazaar.progress([node.context_id], exclusive=True)
            if self._gathered(moved, progress.get(node.context_id)):
                repository.update_node(replace(moved, state=NodeState.DECIDING))

        self.sellers.solicit(context, gather)

    def _check_gathered(self, node: Node, *, moving: bool = False) -> Node:
        """Move a gathering node with enough offers to deciding; return it as it now is.

        ``moving``: the caller is not stepping the node (an event, a poll), so another
        process may have moved it first, which is fine."""
        progress = self.bazaar.progress([node.context_id]).get(node.context_id)
        if progress is None or progress.active_offers < self._limits(node).min_offers:
            return node
        if moving:
            return self._move(node, state=NodeState.DECIDING) or node
        return self.repository.update_node(replace(node, state=NodeState.DECIDING))

    def _gathered(self, node: Node, progress: ContextProgress | None) -> bool:
        """Whether a gathering node should decide now: its context closed, or enough offers."""
        if progress is None or not progress.context.is_active:
            return True
        return progress.active_offers >= self._limits(node).min_offers
