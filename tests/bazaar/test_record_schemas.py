"""The API's output schemas are read from the domain's records by one conversion
(``volition.bazaar.api.records``): every record field is either shown or deliberately hidden,
so a field added to a record cannot be dropped, or shown, without a decision here."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import AliasChoices

from volition.bazaar.api.records import RecordPublic
from volition.bazaar.api.schemas import (
    BalancesPublic,
    ContextPublic,
    EntryPublic,
    MatcherPublic,
    MePublic,
    OfferPublic,
    PostingPublic,
    PurchasePublic,
    RecordMinimumPublic,
    UserPublic,
)
from volition.bazaar.api.schemas_bots import BotJobPublic, BotPublic, BotSummary, CredentialPublic
from volition.bazaar.api.schemas_escrow import EscrowPublic
from volition.bazaar.api.schemas_forecasts import TrackRecordPublic
from volition.bazaar.api.schemas_inspections import AgentCallPublic, LimitsPublic
from volition.bazaar.domain import (
    Balances,
    BotJob,
    BotSeller,
    DecisionContext,
    JournalEntry,
    LLMCredential,
    Matcher,
    OfferView,
    Posting,
    Purchase,
    User,
)
from volition.bazaar.domain.escrow_records import Escrow
from volition.bazaar.domain.forecasts import TrackRecord
from volition.bazaar.domain.record_minimum import RecordMinimum
from volition.bazaar.inspection import AgentCall, InspectionLimits

_BOT_OWNER_ONLY = {
    "min_budget",
    "min_priority",
    "max_age",
    "min_inspection_rate",
    "min_purchase_rate",
    "preview",
    "private_info",
    "instructions",
    "base_url",
    "model",
    "market",
    "market_offer",
    "market_state",
    "cents_per_unit",
}

_ESCROW_READ_OUT = {"rate", "cap", "settled", "payment", "refund", "realised_value"}
_ESCROW_READ_OUT_OF = {"terms", "settlement"}

# schema -> (its record, the record fields it deliberately does not show, the fields given)
SCHEMAS: dict[type[RecordPublic], tuple[type, set[str], set[str]]] = {
    UserPublic: (User, {"password_hash"}, set()),
    MePublic: (User, {"password_hash"}, {"balances"}),
    BalancesPublic: (Balances, set(), set()),
    EntryPublic: (JournalEntry, set(), set()),
    PostingPublic: (Posting, set(), set()),
    ContextPublic: (DecisionContext, {"by_inspector"}, {"remaining", "forecast"}),
    OfferPublic: (OfferView, set(), set()),
    PurchasePublic: (Purchase, {"buyer_id", "entry_id"}, {"offer"}),
    MatcherPublic: (Matcher, {"seller_id"}, set()),
    RecordMinimumPublic: (RecordMinimum, set(), set()),
    BotSummary: (BotSeller, _BOT_OWNER_ONLY, set()),
    BotPublic: (BotSeller, set(), set()),
    BotJobPublic: (BotJob, {"bot_id", "created_at", "lease_until"}, set()),
    CredentialPublic: (LLMCredential, {"user_id", "secret"}, set()),
    LimitsPublic: (InspectionLimits, set(), set()),
    AgentCallPublic: (AgentCall, {"inspection_id"}, set()),
    TrackRecordPublic: (TrackRecord, {"seller_id"}, {"seller"}),  # shown by name
    # an escrow's terms and settlement are shown read out, as the given fields
    EscrowPublic: (Escrow, {"context_id", "buyer_id"} | _ESCROW_READ_OUT_OF, _ESCROW_READ_OUT),
}


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    return found.union(*(_all_subclasses(c) for c in found)) if found else found


def _read(schema: type[RecordPublic]) -> dict[str, str]:
    """Each schema field -> the record attribute it is read from."""
    read = {}
    for name, field in schema.model_fields.items():
        alias = field.validation_alias
        names = [a for a in alias.choices if a != name] if isinstance(alias, AliasChoices) else []
        read[name] = str(names[0]) if names else name
    return read


def test_every_record_schema_is_listed_here() -> None:
    assert _all_subclasses(RecordPublic) == set(SCHEMAS)


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.__name__)
def test_every_record_field_is_shown_or_hidden_on_purpose(schema: type[RecordPublic]) -> None:
    record, hidden, given = SCHEMAS[schema]
    fields = {f.name for f in dataclasses.fields(record)}
    read = set(_read(schema).values()) - given
    assert fields - hidden == read, (
        f"{record.__name__}'s fields and {schema.__name__}'s differ: show a new field in the "
        "schema or list it as hidden in this test"
    )
    assert not hidden & read, f"{schema.__name__} shows what this test says it hides"


NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_a_credentials_secret_never_reaches_its_json() -> None:
    credential = LLMCredential("usr_1", "https://llm.example", "m", "sk-secret-123", "sk-…123", NOW)
    shown = CredentialPublic.of(credential).model_dump_json()
    assert "sk-secret-123" not in shown and "usr_1" not in shown
    assert json.loads(shown)["key_hint"] == "sk-…123"


def test_values_shown_in_another_form_are_converted() -> None:
    matcher = Matcher("mat_1", "usr_1", ("rain",), 5, 0.25, timedelta(minutes=2), NOW, 0.5, 0.0)
    assert MatcherPublic.of(matcher).model_dump(mode="json") == {
        "id": "mat_1",
        "keywords": ["rain"],
        "min_budget": 5,
        "min_priority": 0.25,
        "max_age_seconds": 120.0,
        "min_inspection_rate": 0.5,
        "min_purchase_rate": 0.0,
        "created_at": "2026-01-01T12:00:00Z",
    }
    no_age = dataclasses.replace(matcher, max_age=None)
    assert MatcherPublic.of(no_age).max_age_seconds is None
    # the JSON a client reads back parses into the same schema
    again = MatcherPublic.model_validate_json(MatcherPublic.of(matcher).model_dump_json())
    assert again == MatcherPublic.of(matcher)


def test_an_operator_listing_bots_sees_no_private_info() -> None:
    fields = {f.name for f in dataclasses.fields(BotSeller)}
    assert "private_info" in fields and "private_info" not in BotSummary.model_fields
    assert "instructions" not in BotSummary.model_fields
