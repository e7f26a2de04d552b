"""The SQL repositories of what sellers post and sell: offers, purchases, matchers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, case, delete, func, insert, select, update
from sqlalchemy.sql.elements import BindParameter

from volition.bazaar.domain.matchers import BuyerRecord, Matcher
from volition.bazaar.domain.offers import InfoOffer
from volition.bazaar.domain.purchases import Purchase
from volition.bazaar.storage.row_maps import MATCHER, OFFER, PURCHASE
from volition.bazaar.storage.sql_repository import SqlRepository
from volition.bazaar.storage.tables import PU, C, M, O

__all__ = ["SqlMatchers", "SqlOffers", "SqlPurchases"]

_ID: BindParameter[str] = bindparam("id")
_OFFER = select(O).where(O.c.id == _ID)
_OFFER_LOCKED = _OFFER.with_for_update(key_share=True)
_PURCHASE_OF_OFFER = select(PU).where(PU.c.offer_id == _ID)
_OFFERS_OF_CONTEXT = select(O).where(O.c.context_id == _ID).order_by(O.c.created_at, O.c.id)
_OFFERS_OF_CONTEXT_LOCKED = _OFFERS_OF_CONTEXT.with_for_update(key_share=True)
_INSERT_PURCHASE = insert(PU)
_INSERT_OFFER = insert(O)  # values as parameters: the statement is built and hashed once
# a purchase's columns beside its offer's in one row: labelled apart (both have ``id``, ...)
_PURCHASE_LABELS = {c.name: f"purchase_{c.name}" for c in PU.c}
_OFFERS_WITH_PURCHASES = (
    select(O, *(PU.c[name].label(label) for name, label in _PURCHASE_LABELS.items()))
    .outerjoin(PU, PU.c.offer_id == O.c.id)
    .where(O.c.context_id.in_(bindparam("ids", expanding=True)))
    .order_by(O.c.created_at, O.c.id)
)
_OFFERS_WITH_PURCHASES_LOCKED = _OFFERS_WITH_PURCHASES.with_for_update(key_share=True, of=O)


class SqlOffers(SqlRepository):
    def add(self, offer: InfoOffer) -> None:
        self.conn.execute(_INSERT_OFFER, OFFER.values(offer))

    def get(self, offer_id: str, *, lock: bool = False) -> InfoOffer | None:
        return self._record(OFFER, _OFFER_LOCKED if lock else _OFFER, {"id": offer_id})

    def update(self, offer: InfoOffer) -> None:
        # The content is immutable: only the status and the inspected flag change.
        self.conn.execute(
            update(O)
            .where(O.c.id == offer.id)
            .values(status=offer.status.value, inspected=offer.inspected)
        )

    def for_context(self, context_id: str, *, lock: bool = False) -> list[InfoOffer]:
        stmt = _OFFERS_OF_CONTEXT_LOCKED if lock else _OFFERS_OF_CONTEXT
        return self._records(OFFER, stmt, {"id": context_id})

    def set_inspected(self, offer_ids: Sequence[str]) -> None:
        if offer_ids:
            self.conn.execute(update(O).where(O.c.id.in_(list(offer_ids))).values(inspected=True))

    def for_contexts(self, context_ids: Sequence[str]) -> list[InfoOffer]:
        if not context_ids:
            return []
        ids = list(dict.fromkeys(context_ids))
        stmt = select(O).where(O.c.context_id.in_(ids)).order_by(O.c.created_at, O.c.id)
        return self._records(OFFER, stmt)

    def with_purchases(
        self, context_ids: Sequence[str], *, lock: bool = False
    ) -> tuple[list[InfoOffer], list[Purchase]]:
        if not context_ids:
            return [], []
        stmt = _OFFERS_WITH_PURCHASES_LOCKED if lock else _OFFERS_WITH_PURCHASES
        offers: list[InfoOffer] = []
        purchases: list[Purchase] = []
        for row in self.conn.execute(stmt, {"ids": list(dict.fromkeys(context_ids))}):
            values = row._mapping
            offers.append(OFFER.record_of(values))
            if values["purchase_id"] is not None:  # bought (the join's other side is null)
                bought = {name: values[label] for name, label in _PURCHASE_LABELS.items()}
                purchases.append(PURCHASE.record_of(bought))
        purchases.sort(key=lambda p: p.id)  # as ``SqlPurchases.for_contexts`` orders them
        return offers, purchases

    def by_seller(self, seller_id: str) -> list[InfoOffer]:
        stmt = select(O).where(O.c.seller_id == seller_id).order_by(O.c.created_at, O.c.id)
        return self._records(OFFER, stmt)

    def buyer_record(self, buyer_id: str) -> BuyerRecord:
        stmt = (
            select(
                func.count(O.c.id),
                func.coalesce(func.sum(case((O.c.inspected, 1), else_=0)), 0),
                func.count(PU.c.id),
            )
            .select_from(O.join(C, O.c.context_id == C.c.id).outerjoin(PU, PU.c.offer_id == O.c.id))
            .where(C.c.buyer_id == buyer_id)
        )
        offers, inspected, purchased = self.conn.execute(stmt).one()
        return BuyerRecord(int(offers), int(inspected), int(purchased))


class SqlPurchases(SqlRepository):
    def add(self, purchase: Purchase) -> None:
        self.add_many([purchase])

    def add_many(self, purchases: Sequence[Purchase]) -> None:
        if purchases:
            self.conn.execute(_INSERT_PURCHASE, [PURCHASE.values(p) for p in purchases])

    def get(self, purchase_id: str) -> Purchase | None:
        return self._record(PURCHASE, select(PU).where(PU.c.id == purchase_id))

    def for_offer(self, offer_id: str) -> Purchase | None:
        return self._record(PURCHASE, _PURCHASE_OF_OFFER, {"id": offer_id})

    def for_buyer(self, buyer_id: str) -> list[Purchase]:
        stmt = (
            select(PU)
            .where(PU.c.buyer_id == buyer_id)
            .order_by(PU.c.created_at.desc(), PU.c.id.desc())
        )
        return self._records(PURCHASE, stmt)

    def for_context(self, context_id: str) -> list[Purchase]:
        stmt = select(PU).where(PU.c.context_id == context_id).order_by(PU.c.id)
        return self._records(PURCHASE, stmt)

    def for_contexts(self, context_ids: Sequence[str]) -> list[Purchase]:
        if not context_ids:
            return []
        ids = list(dict.fromkeys(context_ids))
        stmt = select(PU).where(PU.c.context_id.in_(ids)).order_by(PU.c.id)
        return self._records(PURCHASE, stmt)

    def all(self) -> list[Purchase]:
        return self._records(PURCHASE, select(PU).order_by(PU.c.id))


class SqlMatchers(SqlRepository):
    def add(self, matcher: Matcher) -> None:
        self.conn.execute(insert(M).values(MATCHER.values(matcher)))

    def get(self, matcher_id: str) -> Matcher | None:
        return self._record(MATCHER, select(M).where(M.c.id == matcher_id))

    def delete(self, matcher_id: str) -> None:
        self.conn.execute(delete(M).where(M.c.id == matcher_id))

    def for_seller(self, seller_id: str) -> list[Matcher]:
        stmt = select(M).where(M.c.seller_id == seller_id).order_by(M.c.created_at, M.c.id)
        return self._records(MATCHER, stmt)
