"""volition.bazaar.inspection: the recursive inspection engine (docs/theory.md §4-5, issue 5).

An :class:`InspectionEngine` runs a buyer agent over a tree of contexts on a
:class:`volition.bazaar.domain.Bazaar`: bot sellers (:class:`Bot`) are asked for offers, the
agent reads the offers, buys some (paid by inspection) or follows up in a child context, and
every answer is held to the rules with bounded retries. State is kept as decisions and ids in
an :class:`InspectionRepository`; an operator-only audit trail records each agent call.
Workers share the work through leases on the nodes; an :class:`InspectionRunner` is the loop
of ``volition serve`` (a thread) and ``volition worker`` (the foreground).
"""

from volition.bazaar.inspection.bots import Bot, BotPool, SellerPool, solicit
from volition.bazaar.inspection.engine import InspectionEngine
from volition.bazaar.inspection.judging import Judgement, judge
from volition.bazaar.inspection.limits import InspectionLimits, Policy
from volition.bazaar.inspection.pricing import Pricing
from volition.bazaar.inspection.records import (
    AgentCall,
    Inspection,
    InspectionStatus,
    Node,
    NodeState,
    Outcome,
    PendingDecision,
    Verdict,
)
from volition.bazaar.inspection.repository import (
    InspectionRepository,
    MemoryInspectionRepository,
    StaleNode,
)
from volition.bazaar.inspection.runner import InspectionRunner

__all__ = [
    "AgentCall",
    "Bot",
    "BotPool",
    "Inspection",
    "InspectionEngine",
    "InspectionLimits",
    "InspectionRepository",
    "InspectionRunner",
    "InspectionStatus",
    "Judgement",
    "MemoryInspectionRepository",
    "Node",
    "NodeState",
    "Outcome",
    "PendingDecision",
    "Policy",
    "Pricing",
    "SellerPool",
    "StaleNode",
    "Verdict",
    "judge",
    "solicit",
]
