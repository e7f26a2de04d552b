"""Every stored record goes through its table's row and comes back equal (``storage.rows``).

One sample per record type, with every field away from its default where the table allows
(and the variants with an optional nested record left empty), is written with its
``RowMap``'s values into the models' table on SQLite and read back through the same map.
The maps' columns are exactly their tables' (but for the columns a record does not keep).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, insert, select

from volition.bazaar.domain.bots import BotJob, BotKind, BotSeller, JobStatus
from volition.bazaar.domain.contexts import ContextStatus, DecisionContext, RevealPolicy
from volition.bazaar.domain.credentials import LLMCredential
from volition.bazaar.domain.escrow_records import Escrow, EscrowTerms, Settlement
from volition.bazaar.domain.forecasts import ForecastQuestion, ForecastStep, OfferScore, Resolution
from volition.bazaar.domain.ledger import EntryKind, JournalEntry, Posting, cash, earnings
from volition.bazaar.domain.matchers import Matcher
from volition.bazaar.domain.offers import InfoOffer, OfferStatus
from volition.bazaar.domain.purchases import Mechanism, Purchase
from volition.bazaar.domain.store import IdempotencyRecord
from volition.bazaar.domain.users import Token, User
from volition.bazaar.inspection.limits import InspectionLimits, Policy
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
from volition.bazaar.storage.models import Base
from volition.bazaar.storage.row_maps import MAPS
from volition.bazaar.storage.rows import RowMap
from volition.core.scoring import ScoringRule

T0 = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
T1 = T0 + timedelta(hours=1, seconds=0.5)

SAMPLES: dict[str, list[Any]] = {
    "users": [User("usr_1", "alice", "argon2$h", True, False, True, T0)],
    "tokens": [Token("a" * 64, "usr_1", T0, T1)],
    "contexts": [
        DecisionContext(
            "ctx_1", "usr_1", "Will it rain?", ("p1", "p2"), 500, 0.25, ("usr_2",), T0, T1,
            ContextStatus.INSPECTING, ("off_0",), "ctx_0", 2, RevealPolicy.ALL, True,
            attention=3, reading_cost=7,
        ),
        DecisionContext("ctx_2", "usr_1", "q", (), 0, 1.0, (), T0, None, ContextStatus.OPEN),
    ],
    "offers": [
        InfoOffer("off_1", "ctx_1", "usr_2", "80%", "radar", 300, T0, OfferStatus.WITHDRAWN,
                  True, False, 12),
        InfoOffer("off_2", "ctx_1", "usr_2", "80%", "radar", 0, T0,
                  escrow=EscrowTerms(Fraction(1, 3), 150)),
    ],
    "purchases": [
        Purchase("pur_1", "off_1", "ctx_1", "usr_1", "usr_2", 300, Mechanism.INSPECTION,
                 "ent_1", T0),
        Purchase("pur_2", "off_2", "ctx_1", "usr_1", "usr_2", 0, Mechanism.NAIVE, None, T0),
    ],
    "matchers": [
        Matcher("mat_1", "usr_2", ("rain", "oslo"), 10, 0.5, timedelta(hours=2), T0, 0.1, 0.2),
        Matcher("mat_2", "usr_2", (), 0, 0.0, None, T0),
    ],
    "journal_entries": [
        JournalEntry(
            "ent_1",
            EntryKind.PURCHASE,
            (Posting(cash("usr_1"), -300), Posting(earnings("usr_2"), 300)),
            T0,
            "bought off_1",
        )
    ],
    "idempotency_keys": [IdempotencyRecord("usr_1", "key-1", "post", "f" * 64, "ctx_1", T0)],
    "bots": [
        BotSeller("bot_1", "usr_2", "facts", BotKind.LLM, False, 400, T0, ("rain",), 5, 0.3,
                  timedelta(minutes=30), 0.4, 0.6, "pre", "priv", "be brief",
                  "http://127.0.0.1:9/v1", "small"),
        BotSeller("bot_2", "usr_2", "market", BotKind.BAYESIAN, True, 50, T0,
                  market='{"omega": []}', market_offer="o1", market_state="s1", cents_per_unit=3),
    ],
    "bot_jobs": [
        BotJob("bot_1", "ctx_1", JobStatus.RUNNING, 2, T0, T1, T1, "off_1", "timed out"),
        BotJob("bot_2", "ctx_1", JobStatus.PENDING, 0, T0, T0),
    ],
    "llm_credentials": [LLMCredential("usr_1", "https://api.example/v1", "m", "gAAAA", "…xyz", T0)],
    "inspections": [
        Inspection(
            "ins_1", "ctx_1", "usr_1", "offline",
            InspectionLimits(2, 3, 4, timedelta(seconds=90.5), 5, Policy.ALL),
            "nod_1", InspectionStatus.DONE, T0, T1, "operator-gpt",
        ),
        Inspection("ins_2", "ctx_2", "usr_1", "offline", InspectionLimits(), "nod_2",
                   InspectionStatus.RUNNING, T0),
    ],
    "inspection_nodes": [
        Node("nod_1", "ins_1", "ctx_1", None, 0, NodeState.ACTING, T1, 1,
             PendingDecision(True, ("off_1", "off_2"), 200, "why?"), "nod_3", ("off_0",),
             None, 7),
        Node("nod_2", "ins_1", "ctx_2", "nod_1", 1, NodeState.DONE, outcome=Outcome.GAVE_UP),
    ],
    "inspection_calls": [
        AgentCall("cal_1", "ins_1", "nod_1", 1, ("off_1",), ("off_0",), ("off_1", "off_0"),
                  Verdict.ACCEPTED, "buy", ("off_1",), 2, 300, 120, 40, 0.0125, T0, 3),
        AgentCall("cal_2", "ins_1", "nod_1", 0, (), (), (), Verdict.MALFORMED, None, (), 0, 0,
                  0, 0, 0.0, T0),
    ],
    "forecast_questions": [
        ForecastQuestion("ctx_1", "usr_1", ("yes", "no"), (0.25, 0.75), T1, "usr_3",
                         ScoringRule.BRIER, Resolution("yes", False, "usr_3", T1, -0.125)),
        ForecastQuestion("ctx_2", "usr_1", ("a", "b", "c"), (0.2, 0.3, 0.5), T1, None,
                         ScoringRule.LOG, Resolution(None, True, "usr_0", T1)),
        ForecastQuestion("ctx_3", "usr_1", ("a", "b"), (1.0, 0.0), T1, None, ScoringRule.LOG),
    ],
    "forecast_steps": [ForecastStep("ctx_1", 1, "nod_1", (0.5, 0.5), ("off_1",), T0)],
    "forecast_scores": [OfferScore("ctx_1", "off_1", "usr_2", 300, 1, 0.25, (1.0, 0.0), 0)],
    "escrows": [
        Escrow("pur_1", "off_1", "ctx_1", "usr_1", "usr_2", EscrowTerms(Fraction(1, 4), 90), T0),
        Escrow("pur_2", "off_2", "ctx_1", "usr_1", "usr_2", EscrowTerms(Fraction(1), 5), T0,
               Settlement(3, 2, 0.125, T1)),
        Escrow("pur_3", "off_3", "ctx_1", "usr_1", "usr_2", EscrowTerms(Fraction(1), 5), T0,
               Settlement(0, 5, None, T1)),
    ],
}  # fmt: skip

KEPT_ELSEWHERE = {
    "inspection_nodes": {"seq", "lease_owner", "lease_until"},  # order; leases (storage.leases)
    "inspection_calls": {"seq"},
}
JOINED = {"forecast_questions": "buyer_id"}  # a column of another table, read by a join
SKIPPED = {"journal_entries": "postings"}  # rows of their own, given back when read


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    """The models' tables on an in-memory SQLite (foreign keys off: one table at a time)."""
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_every_mapped_table_has_samples_and_every_map_its_table_columns() -> None:
    assert set(SAMPLES) == set(MAPS)
    for table, rows in MAPS.items():
        columns = set(Base.metadata.tables[table].c.keys())
        missing = {"buyer_id"} if table == "forecast_questions" else set()
        assert set(rows.columns) - missing == columns - KEPT_ELSEWHERE.get(table, set()), table
        assert all(type(s) is rows.record for s in SAMPLES[table])


@pytest.mark.parametrize("table", sorted(SAMPLES))
def test_a_record_goes_through_its_row_and_back(engine: Engine, table: str) -> None:
    rows = MAPS[table]
    t = Base.metadata.tables[table]
    for sample in SAMPLES[table]:
        values = rows.values(sample)
        joined = {c: values.pop(c) for c in [JOINED.get(table)] if c}
        skipped = {f: getattr(sample, f) for f in [SKIPPED.get(table)] if f}
        with engine.begin() as conn:
            conn.execute(t.delete())
            conn.execute(insert(t).values(values))
            row = conn.execute(select(t)).one()
        back = rows.record_of(dict(row._mapping) | joined, **skipped)
        assert back == sample
        assert repr(back) == repr(sample)  # the same types too: enums, tuples, floats
        assert rows.values(back) == rows.values(sample)


def test_only_and_exclude_choose_fields() -> None:
    rows = MAPS["users"]
    user = SAMPLES["users"][0]
    assert rows.values(user, only=("is_buyer", "name")) == {"name": "alice", "is_buyer": True}
    assert "id" not in rows.values(user, exclude=("id",))
    assert set(rows.values(user)) == {f.name for f in dataclasses.fields(User)}


def test_an_empty_nested_record_takes_its_absent_values() -> None:
    node = SAMPLES["inspection_nodes"][1]
    values = MAPS["inspection_nodes"].values(node)
    assert values["pending_follow_up"] is None
    assert values["pending_offer_ids"] == [] and values["pending_budget"] == 0
    question = SAMPLES["forecast_questions"][2]
    values = MAPS["forecast_questions"].values(question)
    assert values["resolved_at"] is None and values["annulled"] is False


def test_a_map_refuses_a_field_of_records_it_cannot_store() -> None:
    with pytest.raises(TypeError, match=r"JournalEntry\.postings holds records"):
        RowMap(JournalEntry)
    with pytest.raises(TypeError, match=r"Inspection\.limits holds records"):
        RowMap(Inspection)
