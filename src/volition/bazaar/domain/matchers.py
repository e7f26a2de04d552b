"""Matchers: a seller's standing filter that fills their inbox with contexts (docs/theory.md §5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from volition.bazaar.domain.contexts import DecisionContext
from volition.bazaar.domain.words import contains_phrase, words

__all__ = ["BuyerRecord", "Matcher"]


@dataclass(frozen=True, slots=True)
class BuyerRecord:
    """How a buyer has treated the offers on their contexts so far.

    The rates are smoothed (Laplace: one success and one failure added), so a new buyer with
    no offers yet counts as 1/2 rather than 0 or 1: sellers can ask for buyers who inspect and
    buy, and newcomers are not shut out.
    """

    offers: int = 0
    inspected: int = 0
    purchased: int = 0

    @property
    def inspection_rate(self) -> float:
        """Smoothed share of offers the buyer's inspector has read."""
        return (self.inspected + 1) / (self.offers + 2)

    @property
    def purchase_rate(self) -> float:
        """Smoothed share of offers the buyer has bought."""
        return (self.purchased + 1) / (self.offers + 2)


@dataclass(frozen=True, slots=True)
class Matcher:
    """Which contexts a seller wants to hear about.

    A context matches when its query contains any of ``keywords`` as whole words (ignoring
    case and accents: ``domain.words``; no keywords matches every query), its budget is at
    least ``min_budget``, its priority at least ``min_priority``, it is at most ``max_age``
    old (None: any age), and its buyer's smoothed inspection and purchase rates
    (``BuyerRecord``) are at least the minimums.
    """

    id: str
    seller_id: str
    keywords: tuple[str, ...]
    min_budget: int
    min_priority: float
    max_age: timedelta | None
    created_at: datetime
    min_inspection_rate: float = 0.0
    min_purchase_rate: float = 0.0

    @property
    def needs_buyer_record(self) -> bool:
        """Whether matching needs the buyer's record (a rate minimum is set)."""
        return self.min_inspection_rate > 0 or self.min_purchase_rate > 0

    def matches(
        self, context: DecisionContext, now: datetime, buyer: BuyerRecord | None = None
    ) -> bool:
        """Whether ``context`` (posted by a buyer with record ``buyer``) passes at ``now``."""
        if context.budget < self.min_budget or context.priority < self.min_priority:
            return False
        record = buyer or BuyerRecord()
        if record.inspection_rate < self.min_inspection_rate:
            return False
        if record.purchase_rate < self.min_purchase_rate:
            return False
        if self.max_age is not None and now - context.created_at > self.max_age:
            return False
        if not self.keywords:
            return True
        query = words(context.query)
        return any(contains_phrase(query, keyword) for keyword in self.keywords)
