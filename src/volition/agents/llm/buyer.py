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
        try:
            return BuyerReply(_decision(call.answer, view.outcomes), call.usage)
        except ValueError as exc:  # a forecast that names no outcome of the question
            return BuyerReply(None, call.usage, str(exc))


def _decision(answer: BuyerAnswer, outcomes: tuple[str, ...]) -> Decision:
    if answer.action == "buy":
        return Buy(tuple(answer.buy), answer.reason, _forecast(answer.forecast, outcomes))
    return FollowUp(answer.query, answer.budget, tuple(answer.about), answer.reason)


def _forecast(
    given: list[float] | dict[str, float] | None, outcomes: tuple[str, ...]
) -> tuple[float, ...] | None:
    """The answer's forecast in the order of ``outcomes`` (a list, or a mapping by label);
    whether it is a distribution is the rules' to judge (``volition.agents.rules``)."""
    if given is None or not outcomes:
        return None
    if isinstance(given, dict):
        unknown = sorted(set(given) - set(outcomes))
        if unknown or len(given) != len(outcomes):
            raise ValueError(
                f"the forecast must give a probability to each of {', '.join(outcomes)} "
                f"and nothing else (got {', '.join(map(str, given)) or 'nothing'})"
            )
        return tuple(given[o] for o in outcomes)
    return tuple(given)
