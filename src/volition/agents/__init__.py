"""volition.agents: the buyer and seller interfaces and their implementations.

- :class:`BuyerAgent` decides at a node of an inspection (:class:`NodeView` in, a
  :class:`BuyerReply` with a :class:`Buy` or :class:`FollowUp` out); :class:`SellerAgent`
  answers a :class:`ContextView` with an :class:`OfferDraft` or nothing.
- :class:`OfflineBuyer`, the deterministic default; :class:`LLMBuyer` and :class:`LLMSeller`
  through any OpenAI-compatible :class:`Endpoint`; :class:`FixedSeller` and
  :class:`ScriptedBuyer`.
- :func:`violations`, the rules every decision is checked against.

Each name is imported on first use (PEP 562), so that ``import volition.agents`` (and the
``volition`` command) does not load the LLM client (``openai``) until an LLM agent is made.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from volition.agents import views  # plain dataclasses: cheap to load

if TYPE_CHECKING:
    from volition.agents.base import BuyerAgent, BuyerReply, SellerAgent, SellerReply
    from volition.agents.fixed import FixedSeller, ScriptedBuyer
    from volition.agents.llm import Endpoint, LLMBuyer, LLMSeller
    from volition.agents.offline import OfflineBuyer
    from volition.agents.rules import violations
    from volition.agents.views import (
        Buy,
        ContextView,
        Decision,
        FollowUp,
        KnownInfo,
        NodeView,
        OfferDraft,
        OfferView,
        Usage,
    )

__all__ = [
    "Buy",
    "BuyerAgent",
    "BuyerReply",
    "ContextView",
    "Decision",
    "Endpoint",
    "FixedSeller",
    "FollowUp",
    "KnownInfo",
    "LLMBuyer",
    "LLMSeller",
    "NodeView",
    "OfferDraft",
    "OfferView",
    "OfflineBuyer",
    "ScriptedBuyer",
    "SellerAgent",
    "SellerReply",
    "Usage",
    "violations",
]

_HOMES = {
    "BuyerAgent": "base",
    "BuyerReply": "base",
    "SellerAgent": "base",
    "SellerReply": "base",
    "FixedSeller": "fixed",
    "ScriptedBuyer": "fixed",
    "Endpoint": "llm",
    "LLMBuyer": "llm",
    "LLMSeller": "llm",
    "OfflineBuyer": "offline",
    "violations": "rules",
    **dict.fromkeys(views.__all__, "views"),
}
"""Each exported name -> the submodule of ``volition.agents`` that defines it."""


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
