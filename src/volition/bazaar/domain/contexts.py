"""Decision contexts: what a buyer wants to know, with a reserved budget (docs/theory.md §5)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from volition.bazaar.domain.record_minimum import RecordMinimum

__all__ = [
    "ACTIVE",
    "ANY_CONTEXT",
    "ContextFilter",
    "ContextProgress",
    "ContextStatus",
    "DecisionContext",
    "Disclosure",
    "RevealPolicy",
]


class ContextStatus(enum.StrEnum):
    """The life of a context: open -> (inspecting) -> decided | expired | cancelled."""

    OPEN = "open"  # accepting offers
    INSPECTING = "inspecting"  # the buyer's inspector is reading offers (next issue)
    DECIDED = "decided"  # the buyer is done; unspent budget released
    EXPIRED = "expired"  # its time ran out; unspent budget released
    CANCELLED = "cancelled"  # the buyer withdrew it; unspent budget released


ACTIVE = frozenset({ContextStatus.OPEN, ContextStatus.INSPECTING})


class RevealPolicy(enum.StrEnum):
    """Which purchases of a child context reach its buyer (docs/theory.md §5, Amnesia).

    ``WITH_PARENT`` (the default): a purchase only when the buyer may read a parent offer it
    concerns (so what an inspector bought below an offer the buyer did not buy stays
    forgotten). ``ALL``: every purchase, as in the formal RIP of docs/theory.md §4. The
    policy is the child's own, chosen by whoever posts it (only the buyer of its parent
    offers' context may);
    it is stored on every context but has no effect on a top-level one.
    """

    WITH_PARENT = "with_parent"
    ALL = "all"


class Disclosure(enum.StrEnum):
    """How much of a follow-up context its viewer is shown (``follow_ups``, docs/theory.md §5).

    ``FULL``: everything, as posted. ``FORGOTTEN``: the buyer, when amnesia covers what the
    inspector wrote there (its query, budget, the offers it is about): a notice instead.
    ``WITHHELD``: an invited seller, when an offer it is about refuses quotation: a notice
    instead of the query.
    """

    FULL = "full"
    FORGOTTEN = "forgotten"
    WITHHELD = "withheld"


@dataclass(frozen=True, slots=True)
class DecisionContext:
    """A buyer's question with its budget.

    A top-level context reserves ``budget`` from the buyer's cash. A child context (non-empty
    ``parent_offer_ids``, all offers of ``parent_context_id``) is a follow-up question about those
    offers; its budget comes from the parent's reservation and returns there while the parent is
    active. ``named_seller_ids``, when not empty, are the only sellers who may offer.
    ``reveal`` says which of a child context's purchases reach the buyer (``RevealPolicy``).
    ``by_inspector``: a follow-up the buyer's inspector posted (what it wrote there is inside
    the amnesia boundary); a buyer's own follow-ups are theirs. ``disclosure`` is not stored:
    it says whether this copy, made for one viewer, has what an inspector wrote replaced by a
    notice (``Disclosure``, ``follow_ups.disclose``). ``attention``: how many of its offers its
    inspector reads (None: all); ``reading_cost``: the least an offer must bid to be read
    (``attention``, docs/theory.md §5). A follow-up has its own, unlimited and 0 by default.
    ``record_minimum``: the least track record a seller needs for its offers to be read
    (``record_minimum``; None: every seller); a follow-up without its own takes its parent's.
    """

    id: str
    buyer_id: str
    query: str
    pages: tuple[str, ...]
    budget: int
    priority: float
    named_seller_ids: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    status: ContextStatus
    parent_offer_ids: tuple[str, ...] = ()
    parent_context_id: str | None = None
    depth: int = 0
    reveal: RevealPolicy = RevealPolicy.WITH_PARENT
    by_inspector: bool = False
    disclosure: Disclosure = Disclosure.FULL
    attention: int | None = None
    reading_cost: int = 0
    record_minimum: RecordMinimum | None = None

    @property
    def is_child(self) -> bool:
        """Whether this is a follow-up context about offers of another context."""
        return self.parent_context_id is not None

    @property
    def is_active(self) -> bool:
        """Whether it still accepts offers and purchases (ignoring the clock)."""
        return self.status in ACTIVE

    def is_due(self, now: datetime) -> bool:
        """Whether it is active but past its expiry."""
        return self.is_active and self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True, slots=True)
class ContextFilter:
    """Which contexts a listing keeps: with a status among ``statuses`` (empty: any), only
    top-level ones if ``top_level_only``, and only ``buyer_id``'s if given."""

    statuses: tuple[ContextStatus, ...] = ()
    top_level_only: bool = False
    buyer_id: str | None = None

    def keeps(self, context: DecisionContext) -> bool:
        """Whether ``context`` passes this filter."""
        return (
            (not self.statuses or context.status in self.statuses)
            and not (self.top_level_only and context.is_child)
            and (self.buyer_id is None or context.buyer_id == self.buyer_id)
        )


ANY_CONTEXT = ContextFilter()


@dataclass(frozen=True, slots=True)
class ContextProgress:
    """A context as stored, with how many active offers it has (what an inspection waits on)."""

    context: DecisionContext
    active_offers: int
