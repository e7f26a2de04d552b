"""The LLM buyer: the inspector as a model behind an OpenAI-compatible endpoint."""

from __future__ import annotations

from dataclasses import dataclass

from volition.agents.base import BuyerReply
from volition.agents.llm.endpoint import Endpoint, call_json
from volition.agents.llm.prompts import BuyerAnswer, buyer_messages
from volition.agents.views import Buy, Decision, FollowUp, NodeView

__all__ = ["LLMBuyer"]


@dataclass(frozen=True)
class LLMBuyer:
    """Asks a model for the node's decision; a malformed answer comes back as an error."""

    endpoint: Endpoint
    name: str = "llm"

    def decide(self, view: NodeView) -> BuyerReply:
        call = call_json(self.endpoint, buyer_messages(view), BuyerAnswer)
        if call.answer is None:
            return BuyerReply(None, call.usage, call.error)
        return BuyerReply(_decision(call.answer), call.usage)


def _decision(answer: BuyerAnswer) -> Decision:
    if answer.action == "buy":
        return Buy(tuple(answer.buy), answer.reason)
    return FollowUp(answer.query, answer.budget, tuple(answer.about), answer.reason)
