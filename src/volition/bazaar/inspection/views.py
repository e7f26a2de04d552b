"""What the buyer agent sees at a node, read by the engine from the store (docs/theory.md §4-5).

Only the engine reads unbought private info, and only to put it in front of the agent call
that inspects it; nothing read here is persisted. ``known`` follows the inspection's policy:
a node always sees what its own children bought (that is what a follow-up is for, as RIP's
x^{n-1} sees x^n); deeper purchases reach it under ``all``, and under ``with_parent`` only
along a chain of bought offers (a grandchild's purchase about a child offer the child bought).
"""

from __future__ import annotations

from volition.agents import KnownInfo, NodeView, OfferView
from volition.bazaar.domain import DecisionContext, InfoOffer, OfferStatus, UnitOfWork
from volition.bazaar.domain.ledger import hold
from volition.bazaar.inspection.limits import InspectionLimits, Policy
from volition.bazaar.inspection.records import Node, NodeState
from volition.bazaar.inspection.repository import InspectionRepository

__all__ = ["build_view", "inspected_offers", "known_purchases"]


def inspected_offers(uow: UnitOfWork, context_id: str) -> list[InfoOffer]:
    """The offers of a context the inspector has read: active and marked inspected."""
    return [
        o
        for o in uow.offers.for_context(context_id)
        if o.status is OfferStatus.ACTIVE and o.inspected
    ]


def build_view(
    uow: UnitOfWork,
    repository: InspectionRepository,
    node: Node,
    limits: InspectionLimits,
    max_depth: int,
) -> NodeView:
    """The ``NodeView`` of ``node``: its offers with private info, what is known, the limits."""
    chain: list[DecisionContext] = []
    cursor: Node | None = node
    while cursor is not None:
        context = uow.contexts.get(cursor.context_id)
        assert context is not None, f"node {cursor.id} lost its context"
        chain.append(context)
        cursor = repository.get_node(cursor.parent_node_id) if cursor.parent_node_id else None
    chain.reverse()
    context = chain[-1]
    return NodeView(
        context_id=context.id,
        query_chain=tuple(c.query for c in chain),
        offers=tuple(_offer_view(uow, o) for o in inspected_offers(uow, context.id)),
        remaining_budget=uow.ledger.balance(hold(context.id)),
        depth=node.depth,
        max_depth=max_depth,
        follow_ups_left=max(0, limits.max_follow_ups - node.follow_ups),
        known=tuple(known_purchases(uow, repository, node, limits.policy)),
        context_pages=chain[0].pages,
        about=context.parent_offer_ids,
        ancestor_offers=tuple(
            _offer_view(uow, o) for c in chain[:-1] for o in inspected_offers(uow, c.id)
        ),
    )


def known_purchases(
    uow: UnitOfWork, repository: InspectionRepository, node: Node, policy: Policy
) -> list[KnownInfo]:
    """What the finished children of ``node`` (and, by ``policy``, their descendants) bought.

    ``about`` is always re-anchored to the offers of ``node`` that the child context is about.
    """
    known: list[KnownInfo] = []
    for child in repository.children(node.id):
        if child.state is not NodeState.DONE:
            continue
        context = uow.contexts.get(child.context_id)
        assert context is not None, f"node {child.id} lost its context"
        about = context.parent_offer_ids
        bought: set[str] = set()
        for purchase in uow.purchases.for_context(context.id):
            offer = uow.offers.get(purchase.offer_id)
            assert offer is not None, f"purchase {purchase.id} lost its offer"
            bought.add(offer.id)
            known.append(
                KnownInfo(
                    offer.id,
                    about,
                    context.query,
                    offer.preview,
                    offer.private_info,
                    purchase.price,
                )
            )
        for info in known_purchases(uow, repository, child, policy):
            if policy is Policy.ALL or bought.intersection(info.about):
                known.append(
                    KnownInfo(
                        info.offer_id,
                        about,
                        info.query,
                        info.preview,
                        info.private_info,
                        info.price,
                    )
                )
    return known


def _offer_view(uow: UnitOfWork, offer: InfoOffer) -> OfferView:
    seller = uow.users.get(offer.seller_id)
    return OfferView(
        id=offer.id,
        seller=seller.name if seller is not None else offer.seller_id,
        preview=offer.preview,
        private_info=offer.private_info,
        price=offer.price,
    )
