"""What the buyer agent sees at a node, read by the engine from the store (docs/theory.md §4-5).

Only the engine reads unbought private info, and only to put it in front of the agent call
that inspects it; nothing read here is persisted. ``known`` follows the inspection's policy:
a node always sees what its own children bought (that is what a follow-up is for, as RIP's
x^{n-1} sees x^n); deeper purchases reach it under ``all``, and under ``with_parent`` only
along a chain of bought offers (a grandchild's purchase about a child offer the child bought).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from volition.agents import KnownInfo, NodeView, OfferView
from volition.bazaar.domain import DecisionContext, InfoOffer, OfferStatus, Purchase, UnitOfWork
from volition.bazaar.domain.ledger import hold
from volition.bazaar.inspection.limits import InspectionLimits, Policy
from volition.bazaar.inspection.records import Node, NodeState
from volition.bazaar.inspection.repository import InspectionRepository

__all__ = ["Contexts", "SellerNames", "Snapshot", "build_view", "inspected_offers", "read_tree"]


def inspected_offers(uow: UnitOfWork, context_id: str) -> list[InfoOffer]:
    """The offers of a context the inspector has read: active and marked inspected."""
    return _inspected(uow.offers.for_context(context_id))


def _inspected(offers: Sequence[InfoOffer]) -> list[InfoOffer]:
    return [o for o in offers if o.status is OfferStatus.ACTIVE and o.inspected]


def read_tree(
    uow: UnitOfWork,
    repository: InspectionRepository,
    node: Node,
    *,
    seen: Contexts,
) -> Snapshot:
    """What ``node``'s view is built from, in a fixed number of statements whatever the tree's
    size (issue 15): its context (held locked by the step: not read again); the inspection's
    nodes only if the node followed up before (else it has no descendants); the contexts of
    the chain and of the finished descendants from ``seen`` (read once per engine: only
    their fixed fields are used); then their offers with their purchases (the descendants'
    kept), in one read."""
    own = uow.contexts.get(node.context_id)
    assert own is not None, f"node {node.id} lost its context {node.context_id}"
    nodes = repository.nodes(node.inspection_id) if node.follow_ups else [node]
    tree = _Tree(nodes, node)
    chain = seen.chain(own)
    if chain is None:  # an ancestor this engine has not seen: found through the nodes
        if not node.follow_ups:
            tree = _Tree(repository.nodes(node.inspection_id), node)
        chain_ids = [n.context_id for n in tree.chain(node)]
        found = seen.of(uow, chain_ids)
        chain = [found[i] for i in chain_ids[:-1]] + [own]
    seen.remember(chain)  # (its own context is a child's ancestor once it follows up)
    below = tree.done_below(node)
    contexts = seen.of(uow, [n.context_id for n in below]) | {c.id: c for c in chain}
    context_ids = [c.id for c in chain] + [n.context_id for n in below]
    found_offers, bought = uow.offers.with_purchases(context_ids)  # one read for both
    below_ids = {n.context_id for n in below}
    purchases = [p for p in bought if p.context_id in below_ids]
    offers = {o.id: o for o in found_offers}
    return Snapshot(tree, tuple(chain), contexts, offers, purchases)


class Contexts:
    """Contexts by id as an engine saw them, each read once, at most ``limit`` kept: only
    what never changes once a context is posted is read from them (its query, pages, parent
    offers, parent context): never its status, which the step reads locked."""

    def __init__(self, limit: int = 4096) -> None:
        self._seen: dict[str, DecisionContext] = {}
        self._limit = limit

    def remember(self, contexts: Iterable[DecisionContext]) -> None:
        for context in contexts:
            if len(self._seen) >= self._limit:
                self._seen.clear()
            self._seen[context.id] = context

    def known(self, context_id: str) -> DecisionContext | None:
        """The context as this engine saw it, if it did (its fixed fields only)."""
        return self._seen.get(context_id)

    def chain(self, context: DecisionContext) -> list[DecisionContext] | None:
        """``context``'s ancestors (the root first) and ``context`` last; None when one of
        them was not seen."""
        chain = [context]
        while (parent_id := chain[-1].parent_context_id) is not None:
            parent = self._seen.get(parent_id)
            if parent is None:
                return None
            chain.append(parent)
        chain.reverse()
        return chain

    def of(self, uow: UnitOfWork, context_ids: Sequence[str]) -> dict[str, DecisionContext]:
        """The contexts ``context_ids`` by id, those not seen yet in one read (remembered)."""
        missing = [i for i in dict.fromkeys(context_ids) if i not in self._seen]
        if missing:
            self.remember(uow.contexts.get_many(missing))
        return {i: self._seen[i] for i in context_ids if i in self._seen}


class SellerNames:
    """Sellers' names by id, each read once (a user's name never changes), at most
    ``limit`` kept, with whether each was a seller when read."""

    def __init__(self, limit: int = 4096) -> None:
        self._names: dict[str, tuple[str, bool]] = {}
        self._limit = limit

    def of(self, uow: UnitOfWork, user_ids: Sequence[str]) -> dict[str, str]:
        """The names of ``user_ids`` that exist; those not known yet in one read."""
        missing = [i for i in dict.fromkeys(user_ids) if i not in self._names]
        if missing:
            if len(self._names) + len(missing) > self._limit:
                self._names.clear()
            self._names.update({u.id: (u.name, u.is_seller) for u in uow.users.get_many(missing)})
        return {i: found[0] for i in user_ids if (found := self._names.get(i)) is not None}

    def sellers(self, uow: UnitOfWork, user_ids: Sequence[str]) -> tuple[str, ...]:
        """The names of the sellers among ``user_ids``, in their order, once each."""
        names = self.of(uow, user_ids)
        return tuple(names[i] for i in dict.fromkeys(user_ids) if i in names and self._names[i][1])


def build_view(
    uow: UnitOfWork,
    snapshot: Snapshot,
    node: Node,
    limits: InspectionLimits,
    max_depth: int,
    *,
    names: SellerNames,
    balance: int | None = None,
) -> NodeView:
    """The ``NodeView`` of ``node`` from ``snapshot`` (``read_tree``): its offers with private
    info, what is known, the limits; the sellers' names not known yet and the reservation's
    balance (unless given) are read here."""
    chain = snapshot.chain
    shown_by = {c.id: _inspected(snapshot.of(c.id)) for c in chain}
    shown = [o for c in chain for o in shown_by[c.id]]
    sellers = names.of(uow, [o.seller_id for o in shown])
    context = chain[-1]
    return NodeView(
        context_id=context.id,
        query_chain=tuple(c.query for c in chain),
        offers=tuple(_offer_view(o, sellers) for o in shown_by[context.id]),
        remaining_budget=uow.ledger.balance(hold(context.id)) if balance is None else balance,
        depth=node.depth,
        max_depth=max_depth,
        follow_ups_left=max(0, limits.max_follow_ups - node.follow_ups),
        known=tuple(_known(snapshot, node, limits.policy)),
        context_pages=chain[0].pages,
        about=context.parent_offer_ids,
        ancestor_offers=tuple(_offer_view(o, sellers) for c in chain[:-1] for o in shown_by[c.id]),
    )


class _Tree:
    """The nodes of one inspection, by id and by parent."""

    def __init__(self, nodes: Sequence[Node], node: Node) -> None:
        self.by_id = {n.id: n for n in nodes}
        self.by_id[node.id] = node  # the caller's copy of the node is the one that counts
        self.children: dict[str, list[Node]] = {}
        for n in self.by_id.values():
            if n.parent_node_id is not None:
                self.children.setdefault(n.parent_node_id, []).append(n)

    def chain(self, node: Node) -> list[Node]:
        """The root first, ``node`` last."""
        chain: list[Node] = []
        cursor: Node | None = node
        while cursor is not None:
            chain.append(cursor)
            parent = cursor.parent_node_id
            cursor = self.by_id.get(parent) if parent else None
            assert parent is None or cursor is not None, f"node {parent} is missing"
        chain.reverse()
        return chain

    def done_below(self, node: Node) -> list[Node]:
        """The finished descendants reached through finished children."""
        found: list[Node] = []
        stack = [c for c in self.children.get(node.id, []) if c.state is NodeState.DONE]
        while stack:
            child = stack.pop()
            found.append(child)
            stack.extend(c for c in self.children.get(child.id, []) if c.state is NodeState.DONE)
        return found


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The nodes, contexts (``chain``: the root's first), offers and purchases a view shows."""

    tree: _Tree
    chain: tuple[DecisionContext, ...]
    contexts: dict[str, DecisionContext]
    offers: dict[str, InfoOffer]
    purchases: list[Purchase]

    def of(self, context_id: str) -> list[InfoOffer]:
        """The offers of one context, oldest first."""
        return [o for o in self.offers.values() if o.context_id == context_id]

    def marked(self, offers: Sequence[InfoOffer]) -> Snapshot:
        """This snapshot with ``offers`` as they are now (marked inspected)."""
        return replace(self, offers={**self.offers, **{o.id: o for o in offers}})


def _known(snapshot: Snapshot, node: Node, policy: Policy) -> list[KnownInfo]:
    """What the finished children of ``node`` (and, by ``policy``, their descendants) bought.

    ``about`` is always re-anchored to the offers of ``node`` that the child context is about.
    """
    known: list[KnownInfo] = []
    for child in snapshot.tree.children.get(node.id, []):
        if child.state is not NodeState.DONE:
            continue
        context = snapshot.contexts[child.context_id]
        about = context.parent_offer_ids
        bought: set[str] = set()
        for purchase in (p for p in snapshot.purchases if p.context_id == context.id):
            offer = snapshot.offers.get(purchase.offer_id)
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
        for info in _known(snapshot, child, policy):
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


def _offer_view(offer: InfoOffer, sellers: dict[str, str]) -> OfferView:
    return OfferView(
        id=offer.id,
        seller=sellers.get(offer.seller_id, offer.seller_id),
        preview=offer.preview,
        private_info=offer.private_info,
        price=offer.price,
        escrow_cap=offer.escrow.cap if offer.escrow is not None else 0,
    )
