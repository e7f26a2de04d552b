"""Sellers' inbox: matchers on contexts and on buyers' records (``matchers``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta

from volition.bazaar.domain.checks import check_cents, check_text
from volition.bazaar.domain.contexts import ACTIVE, ContextFilter, DecisionContext
from volition.bazaar.domain.ids import new_id
from volition.bazaar.domain.matchers import BuyerRecord, Matcher
from volition.bazaar.domain.service_base import ServiceBase
from volition.bazaar.domain.words import check_keyword
from volition.bazaar.errors import Forbidden, NotFound
from volition.errors import InputError

__all__ = ["Inbox"]


class Inbox(ServiceBase):
    """Sellers' matchers and the inbox they fill."""

    def add_matcher(
        self,
        actor_id: str,
        *,
        keywords: Sequence[str] = (),
        min_budget: int = 0,
        min_priority: float = 0.0,
        max_age: timedelta | None = None,
        min_inspection_rate: float = 0.0,
        min_purchase_rate: float = 0.0,
    ) -> Matcher:
        """Add a matcher that fills the seller's inbox with contexts that pass it."""
        for value, what in (
            (min_inspection_rate, "inspection rate"),
            (min_purchase_rate, "purchase rate"),
        ):
            if not (math.isfinite(value) and 0.0 <= value <= 1.0):
                raise InputError(f"the minimum buyer {what} must be in [0, 1], not {value}")
        if len(keywords) > self.settings.max_keywords:
            raise InputError(f"at most {self.settings.max_keywords} keywords per matcher")
        words = tuple(check_keyword(check_text(w, "a keyword", 100)) for w in keywords)
        check_cents(min_budget, "the minimum budget")
        if min_budget < 0:
            raise InputError("the minimum budget cannot be negative")
        if not (math.isfinite(min_priority) and 0.0 <= min_priority <= 1.0):
            raise InputError(f"the minimum priority must be in [0, 1], not {min_priority}")
        if max_age is not None and max_age <= timedelta(0):
            raise InputError("the age limit must be positive")
        with self.store.begin() as uow:
            seller = self._user(uow, actor_id)
            if not seller.is_seller:
                raise Forbidden("only sellers have matchers; sign up with the seller role")
            matcher = Matcher(
                new_id("mat"),
                seller.id,
                words,
                min_budget,
                float(min_priority),
                max_age,
                self.clock(),
                float(min_inspection_rate),
                float(min_purchase_rate),
            )
            uow.matchers.add(matcher)
            return matcher

    def remove_matcher(self, actor_id: str, matcher_id: str) -> None:
        """Delete one of your matchers."""
        with self.store.begin() as uow:
            matcher = uow.matchers.get(matcher_id)
            if matcher is None or matcher.seller_id != actor_id:
                raise NotFound(f"you have no matcher {matcher_id}")
            uow.matchers.delete(matcher_id)

    def matchers(self, actor_id: str) -> list[Matcher]:
        """Your matchers."""
        with self.store.begin(write=False) as uow:
            self._user(uow, actor_id)
            return uow.matchers.for_seller(actor_id)

    def inbox(self, actor_id: str, limit: int = 100) -> list[DecisionContext]:
        """Active contexts for this seller: public ones passing a matcher, any naming them, and
        follow-ups asking about their offers; never their own. Newest first."""
        now = self.clock()
        with self.store.begin(write=False) as uow:
            seller = self._user(uow, actor_id)
            matchers = uow.matchers.for_seller(actor_id)
            records: dict[str, BuyerRecord] = {}

            def record(buyer_id: str) -> BuyerRecord | None:
                if not any(m.needs_buyer_record for m in matchers):
                    return None
                if buyer_id not in records:
                    records[buyer_id] = uow.offers.buyer_record(buyer_id)
                return records[buyer_id]

            found: dict[str, DecisionContext] = {}
            for c in uow.contexts.find(ContextFilter(tuple(ACTIVE)), limit=1000):
                if c.buyer_id == seller.id or c.is_due(now):
                    continue
                if seller.id in c.named_seller_ids:
                    found[c.id] = c  # named: asked directly, top-level or follow-up
                elif (
                    not c.is_child
                    and not c.named_seller_ids
                    and any(m.matches(c, now, record(c.buyer_id)) for m in matchers)
                ):
                    found[c.id] = c
            for offer in uow.offers.by_seller(seller.id):
                for child in uow.contexts.children(offer.context_id):
                    if child.is_active and offer.id in child.parent_offer_ids:
                        found[child.id] = child
            rows = sorted(found.values(), key=lambda c: (c.created_at, c.id), reverse=True)
            return [self._shown(uow, seller, c) for c in rows[:limit]]
