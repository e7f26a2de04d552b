"""The JSON shapes of inspections (issue 5): ids, states and numbers, never private info.

An inspection's tree shows each node's context id and, to whoever may see that context, its
query (the buyer's own follow-up question). What was bought is listed by offer id and price;
the private info itself is read where the rules allow, through ``GET /api/me/purchases``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from volition.bazaar.api.records import RecordPublic, Seconds, read_from
from volition.bazaar.api.text import TextChecked

__all__ = [
    "AgentCallPublic",
    "BoughtPublic",
    "InspectionCreate",
    "InspectionPublic",
    "InspectorPublic",
    "LimitsPublic",
    "NodePublic",
    "UsagePublic",
]

_MAX_GATHER_SECONDS = 30 * 24 * 3600


class InspectionCreate(TextChecked):
    """Start an inspection; every limit left out takes the server's default."""

    model_config = ConfigDict(extra="forbid", strict=True)

    agent: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=100,
            description="the buyer agent: 'offline' (the default) or 'llm', which needs an "
            "inspector",
        ),
    ] = None
    inspector: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=40,
            description="the operator's inspector to run on, by name (GET /api/inspectors); "
            "'offline' or none: the offline buyer; another name implies the llm agent",
        ),
    ] = None
    max_depth: Annotated[
        int | None, Field(ge=0, le=10, description="how deep follow-up contexts nest (0: none)")
    ] = None
    max_follow_ups: Annotated[
        int | None, Field(ge=0, le=10, description="follow-up contexts per node")
    ] = None
    min_offers: Annotated[
        int | None, Field(ge=0, le=1_000, description="a node decides once it has this many")
    ] = None
    gather_seconds: Annotated[
        float | None,
        Field(
            ge=0,
            le=_MAX_GATHER_SECONDS,
            allow_inf_nan=False,
            description="how long a node waits for offers before deciding with what it has",
        ),
    ] = None
    max_retries: Annotated[
        int | None, Field(ge=0, le=10, description="new tries after a malformed or illegal answer")
    ] = None
    policy: Annotated[
        Literal["with_parent", "all"] | None,
        Field(
            description="amnesia: which follow-up purchases reach you: 'with_parent' (only those "
            "about an offer you bought) or 'all' (every one, as in RIP)"
        ),
    ] = None


class LimitsPublic(RecordPublic):
    max_depth: int
    max_follow_ups: int
    min_offers: int
    gather_seconds: Seconds = read_from("gather_timeout", "gather_seconds")
    max_retries: int
    policy: str


class NodePublic(BaseModel):
    id: str
    parent_id: str | None
    depth: int
    context_id: str
    query: str | None = Field(description="the context's query, if you may see that context")
    state: str
    outcome: str | None
    offers: int | None = Field(description="offers on the context, if you may see it")
    skipped_by_record: int | None = Field(
        None,
        description=(
            "unread offers the inspector skips because their sellers' track records are below "
            "the context's record minimum, if you may see it"
        ),
    )
    follow_ups: int
    bought: list[str] = Field(description="the ids of the offers bought at this node")
    deadline: datetime | None


class BoughtPublic(BaseModel):
    offer_id: str
    node_id: str
    context_id: str
    price: int


class UsagePublic(BaseModel):
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost: float = Field(description="US dollars")


class InspectorPublic(BaseModel):
    """One of the operator's inspectors, as anyone may see it: never its URL or key."""

    name: str
    agent: str = Field(description="'offline' or 'llm'")
    description: str
    prompt_cents_per_million: int = Field(description="cents per million prompt tokens")
    completion_cents_per_million: int = Field(description="cents per million completion tokens")
    default: bool = Field(description="the one used when an inspection names none")


class InspectionPublic(BaseModel):
    id: str
    context_id: str
    buyer_id: str
    agent: str
    inspector: str | None = Field(
        description="the operator's inspector it runs on (None: started with a buyer's own "
        "endpoint before inspectors existed; it ends unread)"
    )
    status: str
    created_at: datetime
    finished_at: datetime | None
    limits: LimitsPublic
    nodes: list[NodePublic] = Field(description="the tree, root first, parents before children")
    bought: list[BoughtPublic]
    skipped_by_record: int = Field(
        0, description="offers skipped by their sellers' records, over the nodes you may see"
    )
    spent: int = Field(description="cents paid for everything bought in the tree")
    inspection_cost: int = Field(
        description="cents paid to the operator for the inspector's tokens, from the same budget"
    )
    usage: UsagePublic


class AgentCallPublic(RecordPublic):
    """One call of the buyer agent, as the operator's audit trail keeps it: no content."""

    id: str
    node_id: str
    attempt: int
    seen_offer_ids: list[str]
    ancestor_offer_ids: list[str]
    known_offer_ids: list[str]
    verdict: str
    action: str | None
    decided_ids: list[str]
    unknown_ids: int
    budget: int
    prompt_tokens: int
    completion_tokens: int
    cost: float
    at: datetime
    charged: int = Field(description="cents paid from the node's budget for this call's tokens")
