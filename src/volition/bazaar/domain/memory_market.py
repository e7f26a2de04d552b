"""The in-memory repositories of the market: contexts, offers, purchases, matchers
(``MemoryStore``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from volition.bazaar.domain.contexts import ANY_CONTEXT, ContextFilter, DecisionContext
from volition.bazaar.domain.errors_util import duplicate
from volition.bazaar.domain.matchers import BuyerRecord, Matcher
from volition.bazaar.domain.memory_table import MemoryTable
from volition.bazaar.domain.offers import InfoOffer
from volition.bazaar.domain.purchases import Purchase

__all__ = ["MemoryContexts", "MemoryMatchers", "MemoryOffers", "MemoryPurchases"]


class MemoryContexts:
    def __init__(self, table: MemoryTable[str, DecisionContext]) -> None:
        self._t = table

    def add(self, context: DecisionContext) -> None:
        self._t.put(context.id, context)

    def get(self, context_id: str, *, lock: bool = False) -> DecisionContext | None:
        return self._t.get(context_id)

    def get_many(
        self, context_ids: Sequence[str], *, exclusive: bool = False
    ) -> list[DecisionContext]:
        # (``exclusive``: writing units are serialised here, nothing to lock)
        return [c for i in dict.fromkeys(context_ids) if (c := self._t.get(i)) is not None]

    def update(self, context: DecisionContext) -> None:
        self._t.put(context.id, context)

    def find(
        self, where: ContextFilter = ANY_CONTEXT, *, limit: int = 100
    ) -> list[DecisionContext]:
        rows = [c for c in self._t.values() if where.keeps(c)]
        rows.sort(key=lambda c: (c.created_at, c.id), reverse=True)
        return rows[:limit]

    def children(self, context_id: str) -> list[DecisionContext]:
        return [c for c in self._t.values() if c.parent_context_id == context_id]

    def descendants(self, context_id: str) -> list[DecisionContext]:
        found: list[DecisionContext] = []
        stack = self.children(context_id)
        while stack:
            child = stack.pop()
            found.append(child)
            stack.extend(self.children(child.id))
        return found

    def family(self, context_id: str, parent_id: str | None) -> list[DecisionContext]:
        parent = self._t.get(parent_id) if parent_id is not None else None
        return self.children(context_id) + ([parent] if parent is not None else [])

    def due(self, now: datetime) -> list[DecisionContext]:
        return [c for c in self._t.values() if c.is_due(now)]


class MemoryOffers:
    def __init__(
        self,
        table: MemoryTable[str, InfoOffer],
        contexts: MemoryTable[str, DecisionContext],
        purchases: MemoryTable[str, Purchase],
    ) -> None:
        self._t = table
        self._contexts = contexts
        self._purchases = purchases

    def add(self, offer: InfoOffer) -> None:
        self._t.put(offer.id, offer)

    def get(self, offer_id: str, *, lock: bool = False) -> InfoOffer | None:
        return self._t.get(offer_id)

    def update(self, offer: InfoOffer) -> None:
        self._t.put(offer.id, offer)

    def for_context(self, context_id: str, *, lock: bool = False) -> list[InfoOffer]:
        rows = [o for o in self._t.values() if o.context_id == context_id]
        return sorted(rows, key=lambda o: (o.created_at, o.id))

    def set_inspected(self, offer_ids: Sequence[str]) -> None:
        for offer_id in offer_ids:
            if (offer := self._t.get(offer_id)) is not None:
                self._t.put(offer_id, replace(offer, inspected=True))

    def for_contexts(self, context_ids: Sequence[str]) -> list[InfoOffer]:
        wanted = set(context_ids)
        rows = [o for o in self._t.values() if o.context_id in wanted]
        return sorted(rows, key=lambda o: (o.created_at, o.id))

    def with_purchases(
        self, context_ids: Sequence[str], *, lock: bool = False
    ) -> tuple[list[InfoOffer], list[Purchase]]:
        wanted = set(context_ids)
        purchases = [p for p in self._purchases.values() if p.context_id in wanted]
        return self.for_contexts(context_ids), purchases

    def by_seller(self, seller_id: str) -> list[InfoOffer]:
        rows = [o for o in self._t.values() if o.seller_id == seller_id]
        return sorted(rows, key=lambda o: (o.created_at, o.id))

    def buyer_record(self, buyer_id: str) -> BuyerRecord:
        mine = {c.id for c in self._contexts.values() if c.buyer_id == buyer_id}
        offers = [o for o in self._t.values() if o.context_id in mine]
        bought = {p.offer_id for p in self._purchases.values()}
        return BuyerRecord(
            offers=len(offers),
            inspected=sum(o.inspected for o in offers),
            purchased=sum(o.id in bought for o in offers),
        )


class MemoryPurchases:
    def __init__(self, table: MemoryTable[str, Purchase]) -> None:
        self._t = table

    def add(self, purchase: Purchase) -> None:
        if self.for_offer(purchase.offer_id) is not None:
            raise duplicate("purchase of offer", purchase.offer_id)
        self._t.put(purchase.id, purchase)

    def add_many(self, purchases: Sequence[Purchase]) -> None:
        for purchase in purchases:
            self.add(purchase)

    def get(self, purchase_id: str) -> Purchase | None:
        return self._t.get(purchase_id)

    def for_offer(self, offer_id: str) -> Purchase | None:
        return next((p for p in self._t.values() if p.offer_id == offer_id), None)

    def for_buyer(self, buyer_id: str) -> list[Purchase]:
        rows = [p for p in self._t.values() if p.buyer_id == buyer_id]
        return sorted(rows, key=lambda p: (p.created_at, p.id), reverse=True)

    def for_context(self, context_id: str) -> list[Purchase]:
        return [p for p in self._t.values() if p.context_id == context_id]

    def for_contexts(self, context_ids: Sequence[str]) -> list[Purchase]:
        wanted = set(context_ids)
        return [p for p in self._t.values() if p.context_id in wanted]

    def all(self) -> list[Purchase]:
        return self._t.values()


class MemoryMatchers:
    def __init__(self, table: MemoryTable[str, Matcher]) -> None:
        self._t = table

    def add(self, matcher: Matcher) -> None:
        self._t.put(matcher.id, matcher)

    def get(self, matcher_id: str) -> Matcher | None:
        return self._t.get(matcher_id)

    def delete(self, matcher_id: str) -> None:
        self._t.delete(matcher_id)

    def for_seller(self, seller_id: str) -> list[Matcher]:
        return [m for m in self._t.values() if m.seller_id == seller_id]
