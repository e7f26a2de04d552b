"""The persisted state of inspections: plain frozen records of decisions and ids, no content.

Each record maps to one table row (tuples of ids to an array or JSON column). Nothing here
holds what an agent saw: no preview, private info or feedback text, only ids, states,
numbers, and the decisions taken (a follow-up's query is a decision; it also becomes the
child context's query in the bazaar, posted ``by_inspector``, so that what its buyer and its
sellers are shown of it follows ``volition.bazaar.domain.follow_ups``).

A node's life (one node per context)::

    soliciting -> gathering -> deciding -> done
                                  ^          |
                                  +- waiting +   (deciding to follow up opens a child)

A deciding step carries out its decision in the same unit of work (issue 15); ``acting`` is
the state an earlier version recorded a decision in before carrying it out, still stepped.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from volition.bazaar.inspection.limits import InspectionLimits

__all__ = [
    "READY",
    "AgentCall",
    "Inspection",
    "InspectionStatus",
    "Node",
    "NodeState",
    "Outcome",
    "PendingDecision",
    "Verdict",
]


class NodeState(enum.StrEnum):
    """Where a node is in its life."""

    SOLICITING = "soliciting"  # its context is posted; the bot sellers are still to be asked
    GATHERING = "gathering"  # waiting for offers (minimum count or deadline)
    DECIDING = "deciding"  # the buyer agent is to be asked
    ACTING = "acting"  # a decision recorded by an earlier version, to be carried out
    WAITING = "waiting"  # a child node is open; this node decides again when it is done
    DONE = "done"


READY = frozenset({NodeState.SOLICITING, NodeState.DECIDING, NodeState.ACTING})
"""States in which a node has work to do now (the others wait for offers, time or a child)."""


class Outcome(enum.StrEnum):
    """How a node ended."""

    BOUGHT = "bought"  # a legal Buy (possibly of nothing) was carried out
    NO_OFFERS = "no_offers"  # the deadline passed with no offers; the agent was not asked
    GAVE_UP = "gave_up"  # every answer was malformed or illegal; nothing bought
    CLOSED = "closed"  # the context was closed (expired, cancelled) from outside
    NO_AGENT = "no_agent"  # its inspector is not on this server (e.g. a buyer's own endpoint,
    # from before operator inspectors): nothing was read, nothing bought
    NO_BUDGET = "no_budget"  # a priced inspector had no budget left to be paid from


class InspectionStatus(enum.StrEnum):
    """An inspection runs until its root node is done."""

    RUNNING = "running"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class PendingDecision:
    """A legal decision being carried out: buy ``offer_ids``, or follow up about them."""

    follow_up: bool
    offer_ids: tuple[str, ...]
    budget: int = 0
    query: str = ""


@dataclass(frozen=True, slots=True)
class Inspection:
    """One inspection of a buyer's top-level context by a buyer agent.

    ``inspector``: the name of the operator's inspector it runs on (``offline`` for the
    offline buyer; None only for inspections started before inspectors existed).
    """

    id: str
    context_id: str
    buyer_id: str
    agent: str
    limits: InspectionLimits
    root_node_id: str
    status: InspectionStatus
    created_at: datetime
    finished_at: datetime | None = None
    inspector: str | None = None


@dataclass(frozen=True, slots=True)
class Node:
    """One node of the tree: a context being inspected.

    ``deadline``: when gathering ends whatever the offer count. ``pending``: the decision
    being carried out (state ``acting``). ``child_node_id``: the open child (``waiting``).
    ``bought``: the offers bought here, once done. ``version``: counts the stored changes; the
    repository refuses a change made from an older version (another worker moved the node).
    """

    id: str
    inspection_id: str
    context_id: str
    parent_node_id: str | None
    depth: int
    state: NodeState
    deadline: datetime | None = None
    follow_ups: int = 0
    pending: PendingDecision | None = None
    child_node_id: str | None = None
    bought: tuple[str, ...] = ()
    outcome: Outcome | None = None
    version: int = 0


class Verdict(enum.StrEnum):
    """What the engine made of one answer of the buyer agent."""

    ACCEPTED = "accepted"
    MALFORMED = "malformed"  # no decision could be read (or the agent failed)
    ILLEGAL = "illegal"  # a decision that breaks the rules of the node


@dataclass(frozen=True, slots=True)
class AgentCall:
    """The operator's audit record of one call of the buyer agent: ids, numbers, no content.

    ``charged``: the cents this call's tokens cost the buyer at the inspector's price
    (capped at what the node's reservation held), paid as an ``inspection_cost`` entry.

    The call read the private info of ``seen_offer_ids`` (the node's offers),
    ``ancestor_offer_ids`` (the offers above it) and ``known_offer_ids`` (bought below it).
    ``decided_ids`` keeps only ids of the node's offers (an agent's invented ids may carry
    anything, so they are only counted in ``unknown_ids``).
    """

    id: str
    inspection_id: str
    node_id: str
    attempt: int
    seen_offer_ids: tuple[str, ...]
    ancestor_offer_ids: tuple[str, ...]
    known_offer_ids: tuple[str, ...]
    verdict: Verdict
    action: str | None  # "buy", "follow_up", or None when malformed
    decided_ids: tuple[str, ...]
    unknown_ids: int
    budget: int
    prompt_tokens: int
    completion_tokens: int
    cost: float
    at: datetime
    charged: int = 0  # cents paid from the node's reservation for this call's tokens
