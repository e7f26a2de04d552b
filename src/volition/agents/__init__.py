"""volition.agents: the buyer and seller interfaces and their implementations.

- :class:`BuyerAgent` decides at a node of an inspection (:class:`NodeView` in, a
  :class:`BuyerReply` with a :class:`Buy` or :class:`FollowUp` out); :class:`SellerAgent`
  answers a :class:`ContextView` with an :class:`OfferDraft` or nothing.
- :class:`OfflineBuyer`, the deterministic default; :class:`LLMBuyer` and :class:`LLMSeller`
  through any OpenAI-compatible :class:`Endpoint`; :class:`FixedSeller` and
  :class:`ScriptedBuyer`.
- :func:`violations`, the rules every decision is checked against.
"""

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
