"""Matchers: a seller's standing filter that fills their inbox with contexts (THEORY.md §5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from volition.bazaar.domain.contexts import DecisionContext

__all__ = ["Matcher"]


@dataclass(frozen=True, slots=True)
class Matcher:
    """Which contexts a seller wants to hear about.

    A context matches when it contains any of ``keywords`` in its query (case-insensitive; no
    keywords matches every query), its budget is at least ``min_budget``, its priority at least
    ``min_priority``, and it is at most ``max_age`` old (None: any age).
    """

    id: str
    seller_id: str
    keywords: tuple[str, ...]
    min_budget: int
    min_priority: float
    max_age: timedelta | None
    created_at: datetime

    def matches(self, context: DecisionContext, now: datetime) -> bool:
        """Whether ``context`` passes this matcher at time ``now``."""
        if context.budget < self.min_budget or context.priority < self.min_priority:
            return False
        if self.max_age is not None and now - context.created_at > self.max_age:
            return False
        if not self.keywords:
            return True
        query = context.query.casefold()
        return any(word.casefold() in query for word in self.keywords)
