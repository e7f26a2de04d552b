"""Scripted agents for the engine's tests: a buyer answering from a list, and a stand-in for
kill -9. (The scripted OpenAI-protocol model server is ``volition.agents.scripted_server``; the
plugin's ``server`` fixture serves one.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from volition.agents import BuyerReply, NodeView, OfflineBuyer, Usage


@dataclass
class Script:
    """A buyer answering from a list of functions of the view, recording what it was shown."""

    answers: Iterator[Callable[[NodeView], object]]
    views: list[NodeView] = field(default_factory=list)
    name: str = "script"

    def decide(self, view: NodeView) -> BuyerReply:
        self.views.append(view)
        answer = next(self.answers)(view)
        if isinstance(answer, BuyerReply):
            return answer
        return BuyerReply(answer, Usage(prompt_tokens=10, completion_tokens=2, cost=0.01))  # type: ignore[arg-type]


@dataclass
class Recording:
    """The offline buyer, recording every view it is shown (everything the inspector read)."""

    inner: OfflineBuyer = field(default_factory=OfflineBuyer)
    views: list[NodeView] = field(default_factory=list)
    name: str = "offline"

    def decide(self, view: NodeView) -> BuyerReply:
        self.views.append(view)
        return self.inner.decide(view)


def script(*answers: Callable[[NodeView], object]) -> Script:
    return Script(iter(answers))


class Killed(BaseException):
    """Stands for kill -9: nothing after it runs, not even the step's clean-up."""
