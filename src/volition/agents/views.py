"""What an agent is allowed to see, and what it may answer (docs/theory.md §5, docs/design.md).

Rules, state and observation are kept apart (as OpenSpiel keeps Game, State and Observer):
the inspection engine owns the rules and the tree; an agent sees only a *view*:

- a buyer sees a :class:`NodeView`: the chain of queries from the root context to this
  node, the offers of this node *with their private info* (the inspector reads them; amnesia
  forgets what is not bought), what was bought in its child contexts, the remaining budget,
  its depth and the moves allowed;
- a seller sees a :class:`ContextView`: a context's public fields, never another seller's
  private info.

Money is in integer cents throughout, as in the bazaar's ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Buy",
    "ContextView",
    "Decision",
    "FollowUp",
    "KnownInfo",
    "NodeView",
    "OfferDraft",
    "OfferView",
    "Usage",
]


@dataclass(frozen=True)
class OfferView:
    """An offer as the inspector reads it: public preview, private info, price (cents).

    ``escrow_cap``: a pay-on-resolution offer's cap (cents), held in escrow from the budget
    when it is bought on top of its price and settled when the forecast question resolves
    (a share of the realised marginal value, docs/theory.md §4); 0: the price alone."""

    id: str
    seller: str
    preview: str
    private_info: str
    price: int
    escrow_cap: int = 0

    @property
    def cost(self) -> int:
        """What buying it takes from the budget now: its price and its escrow cap."""
        return self.price + self.escrow_cap


@dataclass(frozen=True)
class KnownInfo:
    """Private info bought in a child context, about some of this node's offers."""

    offer_id: str
    about: tuple[str, ...]
    query: str
    preview: str
    private_info: str
    price: int


@dataclass(frozen=True)
class NodeView:
    """The buyer's view of one node of an inspection tree."""

    context_id: str
    query_chain: tuple[str, ...]
    offers: tuple[OfferView, ...]
    remaining_budget: int
    depth: int = 0
    max_depth: int = 0
    follow_ups_left: int = 0
    known: tuple[KnownInfo, ...] = ()
    context_pages: tuple[str, ...] = ()
    about: tuple[str, ...] = ()
    """For a follow-up node: the ids of the parent's offers it is about."""
    ancestor_offers: tuple[OfferView, ...] = ()
    """The offers of the nodes above this one, root first (the inspector read them)."""
    feedback: tuple[str, ...] = ()
    """Why earlier answers for this node were rejected (the engine retries with them)."""
    outcomes: tuple[str, ...] = ()
    """For a forecast question: its outcomes; a purchase then carries a forecast over them."""
    forecast: tuple[float, ...] = ()
    """For a forecast question: the forecast so far (the prior, or after the last purchase)."""

    @property
    def query(self) -> str:
        """The query of this node (the last of the chain)."""
        return self.query_chain[-1]

    @property
    def can_follow_up(self) -> bool:
        """Whether a follow-up context is an allowed move here."""
        return (
            self.depth < self.max_depth
            and self.follow_ups_left > 0
            and self.remaining_budget > 0
            and bool(self.offers)
        )

    def offer(self, offer_id: str) -> OfferView | None:
        """The node's offer with this id, if any."""
        return next((o for o in self.offers if o.id == offer_id), None)


@dataclass(frozen=True)
class Buy:
    """Buy these offers of the node (possibly none) and end the node.

    On a forecast question (``NodeView.outcomes``), ``forecast`` is the distribution over the
    outcomes once these offers are bought, from what is bought (docs/theory.md §3)."""

    offer_ids: tuple[str, ...] = ()
    reason: str = ""
    forecast: tuple[float, ...] | None = None


@dataclass(frozen=True)
class FollowUp:
    """Open a child context about some offers, with part of the remaining budget."""

    query: str
    budget: int
    about: tuple[str, ...]
    reason: str = ""


Decision = Buy | FollowUp


@dataclass(frozen=True)
class ContextView:
    """A context as a seller sees it: public fields only."""

    context_id: str
    query: str
    max_budget: int
    priority: float = 0.5
    context_pages: tuple[str, ...] = ()
    about_previews: tuple[str, ...] = ()
    """The public previews of the parent offers a follow-up context is about."""


@dataclass(frozen=True)
class OfferDraft:
    """What a seller offers: a public preview, the private info, a price (cents)."""

    preview: str
    private_info: str
    price: int


@dataclass(frozen=True)
class Usage:
    """What one agent call cost: tokens and money (US dollars), zero for offline agents."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    calls: int = field(default=1)

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.cost + other.cost,
            self.calls + other.calls,
        )
