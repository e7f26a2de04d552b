"""The ``RowMap`` of every stored record, by the table that holds it.

One line per record type: its fields are its table's columns (``rows``), so a repository
writes ``USER.values(user)`` and reads ``USER.record_of(row)`` instead of copying each field
by hand, both ways.
"""

from __future__ import annotations

from typing import Any

from volition.bazaar.domain.bots import BotJob, BotSeller
from volition.bazaar.domain.contexts import DecisionContext
from volition.bazaar.domain.credentials import LLMCredential
from volition.bazaar.domain.forecasts import ForecastQuestion, ForecastStep, OfferScore, Resolution
from volition.bazaar.domain.ledger import JournalEntry
from volition.bazaar.domain.matchers import Matcher
from volition.bazaar.domain.offers import InfoOffer
from volition.bazaar.domain.purchases import Purchase
from volition.bazaar.domain.record_minimum import RecordMinimum
from volition.bazaar.domain.store import IdempotencyRecord
from volition.bazaar.domain.users import Token, User
from volition.bazaar.inspection.limits import InspectionLimits
from volition.bazaar.inspection.records import AgentCall, Inspection, Node, PendingDecision
from volition.bazaar.storage.rows import RowMap

__all__ = [
    "BOT",
    "BOT_JOB",
    "CALL",
    "CONTEXT",
    "CREDENTIAL",
    "ENTRY",
    "FORECAST_QUESTION",
    "FORECAST_SCORE",
    "FORECAST_STEP",
    "IDEMPOTENCY",
    "INSPECTION",
    "MAPS",
    "MATCHER",
    "NODE",
    "OFFER",
    "PURCHASE",
    "RESOLUTION",
    "TOKEN",
    "USER",
]

USER = RowMap(User)
TOKEN = RowMap(Token)
CONTEXT = RowMap(
    DecisionContext,
    skip=("disclosure",),  # made per viewer, not stored
    nested={"record_minimum": RowMap(RecordMinimum, prefix="record_")},
)
OFFER = RowMap(InfoOffer)
PURCHASE = RowMap(Purchase)
MATCHER = RowMap(Matcher)
ENTRY = RowMap(JournalEntry, skip=("postings",))  # postings: rows of their own
IDEMPOTENCY = RowMap(IdempotencyRecord)
BOT = RowMap(BotSeller)
BOT_JOB = RowMap(BotJob)
CREDENTIAL = RowMap(LLMCredential)
INSPECTION = RowMap(Inspection, nested={"limits": RowMap(InspectionLimits)})
NODE = RowMap(
    Node,
    nested={
        "pending": RowMap(
            PendingDecision,
            prefix="pending_",
            absent={"pending_offer_ids": [], "pending_budget": 0, "pending_query": ""},
        )
    },
)
CALL = RowMap(AgentCall)
RESOLUTION = RowMap(
    Resolution,
    columns={"by_id": "resolved_by", "at": "resolved_at"},
    present="resolved_at",
    absent={"annulled": False},
)
FORECAST_QUESTION = RowMap(ForecastQuestion, nested={"resolution": RESOLUTION})
FORECAST_STEP = RowMap(ForecastStep)
FORECAST_SCORE = RowMap(OfferScore)

MAPS: dict[str, RowMap[Any]] = {
    "users": USER,
    "tokens": TOKEN,
    "contexts": CONTEXT,
    "offers": OFFER,
    "purchases": PURCHASE,
    "matchers": MATCHER,
    "journal_entries": ENTRY,
    "idempotency_keys": IDEMPOTENCY,
    "bots": BOT,
    "bot_jobs": BOT_JOB,
    "llm_credentials": CREDENTIAL,
    "inspections": INSPECTION,
    "inspection_nodes": NODE,
    "inspection_calls": CALL,
    "forecast_questions": FORECAST_QUESTION,
    "forecast_steps": FORECAST_STEP,
    "forecast_scores": FORECAST_SCORE,
}
"""Each table's map (a test round-trips a record of each through its table)."""
