"""SQLAlchemy models of the inspection tables (registered on ``Base`` by models.py).

One row per record of ``volition.bazaar.inspection.records``: ids, states, numbers and
decisions, never what an agent saw. Nodes carry a lease (``lease_owner``, ``lease_until``:
the worker stepping the node, and until when) and a ``version`` that every change bumps.
Migration 0005 creates exactly these tables; 0008 adds the inspector of an inspection and the
cents each agent call was charged.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from volition.bazaar.storage.columns import (
    ID,
    Base,
    id_column,
    list_column,
    money_column,
    not_negative,
    one_of,
    ref_column,
    when_column,
)

__all__ = ["AgentCallRow", "InspectionRow", "NodeRow"]

NODE_STATES = ("soliciting", "gathering", "deciding", "acting", "waiting", "done")
OUTCOMES = ("bought", "no_offers", "gave_up", "closed", "no_agent", "no_budget")


class InspectionRow(Base):
    __tablename__ = "inspections"
    __table_args__ = (
        one_of("inspections", "status", "running", "done"),
        one_of("inspections", "policy", "with_parent", "all"),
        CheckConstraint(
            "max_depth >= 0 AND max_follow_ups >= 0 AND min_offers >= 0 AND max_retries >= 0 "
            "AND gather_timeout_seconds >= 0",
            name="ck_inspections_limits",
        ),
    )

    id: Mapped[str] = id_column()
    context_id: Mapped[str] = ref_column("contexts.id", unique=True)
    buyer_id: Mapped[str] = ref_column("users.id", index=True)
    agent: Mapped[str] = mapped_column(String(40))
    inspector: Mapped[str | None] = mapped_column(String(40), nullable=True)  # migration 0008
    max_depth: Mapped[int] = mapped_column(Integer)
    max_follow_ups: Mapped[int] = mapped_column(Integer)
    min_offers: Mapped[int] = mapped_column(Integer)
    gather_timeout_seconds: Mapped[float] = mapped_column(Float)
    max_retries: Mapped[int] = mapped_column(Integer)
    policy: Mapped[str] = mapped_column(String(16))
    root_node_id: Mapped[str] = mapped_column(ID)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = when_column()
    finished_at: Mapped[datetime | None] = when_column(nullable=True)


class NodeRow(Base):
    __tablename__ = "inspection_nodes"
    __table_args__ = (
        one_of("inspection_nodes", "state", *NODE_STATES),
        one_of("inspection_nodes", "outcome", *OUTCOMES, nullable=True),
        CheckConstraint(
            "depth >= 0 AND follow_ups >= 0 AND version >= 0 AND pending_budget >= 0",
            name="ck_inspection_nodes_counts",
        ),
        CheckConstraint(
            "(lease_owner IS NULL AND lease_until IS NULL) "
            "OR (lease_owner IS NOT NULL AND lease_until IS NOT NULL)",
            name="ck_inspection_nodes_lease",
        ),
        CheckConstraint(
            "(state = 'acting') = (pending_follow_up IS NOT NULL)",
            name="ck_inspection_nodes_pending",
        ),
        # the ready query (claim) and the gathering ones (poll, deadlines)
        Index("ix_inspection_nodes_state_lease", "state", "lease_until"),
        Index("ix_inspection_nodes_state_deadline", "state", "deadline"),
    )

    # ``seq`` orders nodes as they were added (ids are random)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(ID, unique=True)
    inspection_id: Mapped[str] = ref_column("inspections.id", index=True)
    context_id: Mapped[str] = ref_column("contexts.id", unique=True)
    parent_node_id: Mapped[str | None] = ref_column(
        "inspection_nodes.id", nullable=True, index=True
    )
    depth: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    deadline: Mapped[datetime | None] = when_column(nullable=True)
    follow_ups: Mapped[int] = mapped_column(Integer)
    pending_follow_up: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    pending_offer_ids: Mapped[list[str]] = list_column()
    pending_budget: Mapped[int] = money_column()
    pending_query: Mapped[str] = mapped_column(Text)
    child_node_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    bought: Mapped[list[str]] = list_column()
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    lease_owner: Mapped[str | None] = mapped_column(String(120), nullable=True)
    lease_until: Mapped[datetime | None] = when_column(nullable=True)


class AgentCallRow(Base):
    __tablename__ = "inspection_calls"
    __table_args__ = (
        one_of("inspection_calls", "verdict", "accepted", "malformed", "illegal"),
        one_of("inspection_calls", "action", "buy", "follow_up", nullable=True),
        CheckConstraint(
            "attempt >= 0 AND unknown_ids >= 0 AND budget >= 0 AND prompt_tokens >= 0 "
            "AND completion_tokens >= 0 AND cost >= 0",
            name="ck_inspection_calls_counts",
        ),
        not_negative("inspection_calls", "charged"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(ID, unique=True)
    inspection_id: Mapped[str] = ref_column("inspections.id", index=True)
    node_id: Mapped[str] = ref_column("inspection_nodes.id", index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    seen_offer_ids: Mapped[list[str]] = list_column()
    ancestor_offer_ids: Mapped[list[str]] = list_column()
    known_offer_ids: Mapped[list[str]] = list_column()
    verdict: Mapped[str] = mapped_column(String(16))
    action: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decided_ids: Mapped[list[str]] = list_column()
    unknown_ids: Mapped[int] = mapped_column(Integer)
    budget: Mapped[int] = money_column()
    prompt_tokens: Mapped[int] = mapped_column(Integer)
    completion_tokens: Mapped[int] = mapped_column(Integer)
    cost: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = when_column()
    charged: Mapped[int] = money_column(server_default="0")  # migration 0008
