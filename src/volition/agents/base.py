"""The two agent interfaces: every buyer is a buyer, every seller a seller."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from volition.agents.views import ContextView, Decision, NodeView, OfferDraft, Usage

__all__ = ["BuyerAgent", "BuyerReply", "SellerAgent", "SellerReply"]


@dataclass(frozen=True)
class BuyerReply:
    """A buyer's answer: a decision, or why none could be read from it; and its cost.

    ``decision`` is ``None`` when the answer was malformed (``error`` says why). A decision
    that is well formed may still break the rules; the engine checks it with
    :func:`volition.agents.rules.violations`, whatever the agent.
    """

    decision: Decision | None
    usage: Usage = field(default_factory=Usage)
    error: str | None = None


@dataclass(frozen=True)
class SellerReply:
    """A seller's answer: an offer, or none; and its cost."""

    offer: OfferDraft | None
    usage: Usage = field(default_factory=Usage)
    error: str | None = None


@runtime_checkable
class BuyerAgent(Protocol):
    """Decides at one node of an inspection: buy a subset of the offers, or follow up."""

    name: str

    def decide(self, view: NodeView) -> BuyerReply: ...


@runtime_checkable
class SellerAgent(Protocol):
    """Looks at a context and offers something for it, or nothing."""

    name: str

    def respond(self, view: ContextView) -> SellerReply: ...
