"""The LLM bot seller: a model that knows something and offers it where it helps."""

from __future__ import annotations

from dataclasses import dataclass

from volition.agents.base import SellerReply
from volition.agents.llm.endpoint import Endpoint, call_json
from volition.agents.llm.prompts import SellerAnswer, seller_messages
from volition.agents.views import ContextView, OfferDraft

__all__ = ["LLMSeller"]


@dataclass(frozen=True)
class LLMSeller:
    """Offers what ``knowledge`` says about a context's query, at a price it chooses."""

    endpoint: Endpoint
    knowledge: str
    name: str = "llm-seller"

    def respond(self, view: ContextView) -> SellerReply:
        call = call_json(self.endpoint, seller_messages(view, self.knowledge), SellerAnswer)
        if call.answer is None:
            return SellerReply(None, call.usage, call.error)
        answer = call.answer
        if not answer.offer:
            return SellerReply(None, call.usage)
        if not answer.private_info.strip():
            return SellerReply(None, call.usage, "the offer had no private info")
        price = min(answer.price, view.max_budget)
        return SellerReply(OfferDraft(answer.preview, answer.private_info, price), call.usage)
