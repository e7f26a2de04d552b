"""The pages' form models: what they give back to the browser, and how they read fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from volition.bazaar.domain.record_minimum import RecordMinimum
from volition.bazaar.web import form_models
from volition.bazaar.web.form_models import ContextForm, MatcherForm, OfferForm, PostedForm
from volition.errors import InputError

FORMS = [
    getattr(form_models, name)
    for name in form_models.__all__
    if name.endswith("Form") and name != "PostedForm"
]
NEVER_ECHOED = {"csrf_token", "idempotency_key", "password", "api_key"}


@pytest.mark.parametrize("form", FORMS)
@given(secret=st.text(min_size=1, max_size=20).filter(lambda t: "\x00" not in t))
def test_echo_never_gives_back_a_token_key_or_password(form: type[PostedForm], secret: str) -> None:
    fields = {name: secret for name in form.model_fields}
    echoed = form(**fields).echo()
    assert not NEVER_ECHOED & set(echoed)
    assert set(echoed) == set(form.model_fields) - NEVER_ECHOED
    assert all(value == secret for value in echoed.values())


def test_a_nul_in_any_field_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="preview"):
        OfferForm(preview="a\x00b")


def test_the_context_form_reads_money_minutes_and_lists() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    form = ContextForm(
        query="rain?",
        budget="12.50",
        priority="0.7",
        pages="https://a.example\nhttps://b.example",
        sellers="bob, carol",
        expires="30",
        reading_cost="0.25",
        attention="2",
    )
    spec = form.spec(now)
    assert (spec.budget, spec.priority, spec.reading_cost, spec.attention) == (1250, 0.7, 25, 2)
    assert spec.pages == ("https://a.example", "https://b.example")
    assert spec.named_sellers == ("bob", "carol")
    assert spec.expires_at == now + timedelta(minutes=30)
    assert spec.record_minimum is None  # blank: every seller


def test_the_context_form_reads_a_record_minimum() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    form = ContextForm(query="q", budget="1", record_min_value=" 0.5 ", refuse_newcomers="1")
    assert form.spec(now).record_minimum == RecordMinimum(0, 0.5, None, admit_newcomers=False)
    form = ContextForm(query="q", budget="1", record_min_offers="4", record_max_gap="0.3")
    assert form.spec(now).record_minimum == RecordMinimum(4, None, 0.3)
    for fields, words in (
        ({"record_min_offers": "2.5"}, "minimum offers bought must be a whole number"),
        ({"record_min_offers": "-1"}, "minimum offers bought must be a whole number"),
        ({"record_min_value": "lots"}, "minimum value per dollar must be a number"),
        ({"record_max_gap": "nan"}, "maximum calibration gap must be a number"),
        ({"record_max_gap": "inf"}, "maximum calibration gap must be a number"),
    ):
        with pytest.raises(InputError, match=words):
            ContextForm(query="q", budget="1", **fields).spec(now)


@pytest.mark.parametrize(
    ("fields", "words"),
    [({"price": "ten"}, "the price"), ({"price": "1", "bid": "1.234"}, "the bid")],
)
def test_the_offer_form_names_the_field_it_cannot_read(fields: dict[str, str], words: str) -> None:
    with pytest.raises(InputError, match=words):
        OfferForm(**fields).terms()


def test_the_matcher_form_reads_blank_as_no_condition() -> None:
    assert MatcherForm().matcher() == {
        "keywords": (),
        "min_budget": 0,
        "min_priority": 0.0,
        "max_age": None,
        "min_inspection_rate": 0.0,
        "min_purchase_rate": 0.0,
    }
