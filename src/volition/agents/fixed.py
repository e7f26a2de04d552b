"""Agents that always answer the same: a fixed-text bot seller and a scripted buyer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from volition.agents.base import BuyerReply, SellerReply
from volition.agents.views import ContextView, Decision, NodeView, OfferDraft, Usage

__all__ = ["FixedSeller", "ScriptedBuyer"]


@dataclass(frozen=True)
class FixedSeller:
    """A bot seller with fixed text and price; it offers whenever the price fits the budget."""

    preview: str
    private_info: str
    price: int
    name: str = "fixed"

    def respond(self, view: ContextView) -> SellerReply:
        if self.price > view.max_budget:
            return SellerReply(None, Usage(calls=1))
        return SellerReply(OfferDraft(self.preview, self.private_info, self.price), Usage(calls=1))


@dataclass(frozen=True)
class ScriptedBuyer:
    """A buyer whose decision is a function of the view (for tests and experiments)."""

    policy: Callable[[NodeView], Decision]
    name: str = "scripted"

    def decide(self, view: NodeView) -> BuyerReply:
        return BuyerReply(self.policy(view), Usage(calls=1))
