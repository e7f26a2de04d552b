"""Acting on a decision (``engine``): buy the chosen offers, or post the follow-up context.

Both run inside the deciding step's unit of work (``deciding``); ``_act`` carries out a
decision recorded by an earlier version of the engine (state ``acting``) in a unit of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

from volition.bazaar.domain import ContextSpec, ContextStatus, DecisionContext, UnitOfWork
from volition.bazaar.domain.ids import new_id
from volition.bazaar.inspection.ending import Ending
from volition.bazaar.inspection.records import (
    AgentCall,
    Node,
    NodeState,
    Outcome,
    PendingDecision,
)
from volition.errors import VolitionError

__all__ = ["Acting"]

log = logging.getLogger("volition.bazaar.inspection.engine")


class Acting(Ending):
    """The phase that carries out a decision: purchases, or a follow-up child."""

    def _act(self, node: Node, worker: str) -> None:
        """Carry out a decision recorded by an earlier version of this engine (state acting),
        in one unit of work."""
        pending = node.pending
        assert pending is not None, f"node {node.id} is acting without a decision"
        with self.bazaar.unit() as uow:
            if pending.follow_up:
                self._follow_up(uow, node, worker, pending, [])
                return
            bought = self._end(uow, node, worker, Outcome.BOUGHT, buy=pending.offer_ids)
        if self.forecasts.question(self._fixed(node.inspection_id).context_id) is not None:
            self.forecasts.confirm(node.id, bought)  # (a decision of an earlier version's)

    @staticmethod
    def _chosen(node: Node, pending: PendingDecision, own: set[str]) -> tuple[str, ...]:
        """The decided offers among ``own``, the node's (judged already: any other is an
        error, logged and left out; the domain buys only the node's context's offers)."""
        for offer_id in pending.offer_ids:
            if offer_id not in own:
                log.error("node %s refused to buy %s of another context", node.id, offer_id)
        return tuple(i for i in pending.offer_ids if i in own)

    def _follow_up(
        self,
        uow: UnitOfWork,
        node: Node,
        worker: str,
        pending: PendingDecision,
        calls: list[AgentCall],
        parent_context: DecisionContext | None = None,
        sellers: Mapping[str, str] | None = None,
    ) -> None:
        """Post the child context and start it, add its node and let this one wait, inside
        the open unit (a refusal: decide again, one follow-up less). ``parent_context`` and
        ``sellers`` (the node's offers' sellers, by offer): as the step read them, if it did."""
        inspection = self._fixed(node.inspection_id)
        buyer_id = inspection.buyer_id
        repository = self.repository.within(uow)
        if parent_context is None:
            parent_context = uow.contexts.get(node.context_id)
            assert parent_context is not None, f"node {node.id} lost its context"
        spec = ContextSpec(
            query=pending.query,
            budget=pending.budget,
            priority=parent_context.priority,
            named_sellers=self._invited(uow, pending.offer_ids, sellers or {}),
            parent_offer_ids=pending.offer_ids,
            reveal=inspection.limits.policy,  # the domain enforces it on the child
            by_inspector=True,  # what the inspector wrote is inside the amnesia boundary
        )
        key = f"{node.id}:follow-up:{node.follow_ups}"
        try:
            child_context = self.bazaar.post_context(
                buyer_id, spec, idempotency_key=key, inspecting=True
            )
            if child_context.status is ContextStatus.OPEN:  # posted by an earlier version
                self.bazaar.start_inspecting(buyer_id, child_context.id)
            self._contexts_seen.remember([child_context])  # what its node's steps show
        except VolitionError as exc:  # e.g. the parent closed meanwhile: decide again, once less
            log.info("node %s could not follow up: %s", node.id, exc)
            again = replace(
                node, state=NodeState.DECIDING, pending=None, follow_ups=node.follow_ups + 1
            )
            repository.update_node(again, release=worker)
            self._add_calls(repository, calls)
            return
        child = None
        if node.state is NodeState.ACTING:  # an earlier engine's step may have added it
            child = repository.node_for_context(child_context.id)
        if child is None:
            child = Node(
                new_id("nod"),
                node.inspection_id,
                child_context.id,
                node.id,
                node.depth + 1,
                NodeState.SOLICITING,
            )
            new_child = True
        else:
            new_child = False
        waiting = replace(
            node,
            state=NodeState.WAITING,
            pending=None,
            child_node_id=child.id,
            follow_ups=node.follow_ups + 1,
        )
        repository.update_node(waiting, release=worker)  # first: refuses an overtaken worker
        if new_child:
            repository.add_node(child)
        self._add_calls(repository, calls)

    def _invited(
        self, uow: UnitOfWork, parent_offer_ids: tuple[str, ...], sellers: Mapping[str, str]
    ) -> tuple[str, ...]:
        """The sellers a child context names: the bots, and the sellers of its parent offers
        (``sellers``, by offer, as read already; any other offer read here), by the names
        the engine knows (``SellerNames``: read once each).

        With no bots the child names nobody and stays open to its parent offers' sellers.
        """
        bot_ids = self.sellers.seller_ids()
        if not bot_ids:
            return ()
        ids = list(bot_ids)
        for offer_id in parent_offer_ids:
            seller_id = sellers.get(offer_id)
            if seller_id is None and (offer := uow.offers.get(offer_id)) is not None:
                seller_id = offer.seller_id
            ids += [seller_id] if seller_id is not None else []
        return self._seller_names.sellers(uow, ids)
