"""Migration 0011 (forecast questions) goes down and up with a database in use, and its
constraints hold on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect, text

from tests.bazaar.conftest import CHEAP_HASHER, PASSWORD, SQL_KINDS
from volition.bazaar.domain import Bazaar, ContextSpec, Store, audit
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.domain.forecasts import ForecastSpec
from volition.bazaar.errors import Conflict
from volition.bazaar.storage import SqlStore

TABLES = {"forecast_questions", "forecast_steps", "forecast_scores"}


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
def test_0011_goes_down_and_up_with_questions_stored(store: Store) -> None:
    from volition.bazaar.storage.migrate import downgrade, upgrade

    assert isinstance(store, SqlStore)
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    root = bazaar.bootstrap_operator("root", PASSWORD)
    alice = bazaar.register("alice", PASSWORD, buyer=True)
    bazaar.credit(root.id, alice.id, 1_000)
    forecasts = Forecasts(bazaar)
    closes = bazaar.clock() + timedelta(hours=1)
    context, question = forecasts.post(
        alice.id, ContextSpec("q", 100), ForecastSpec(("a", "b", "c"), closes)
    )
    assert forecasts.question(context.id) == question
    assert set(inspect(store.engine).get_table_names()) >= TABLES

    downgrade(store.engine, "0010")
    assert not TABLES & set(inspect(store.engine).get_table_names())
    assert bazaar.context(alice.id, context.id).id == context.id  # the context stays
    assert audit(store) == []
    upgrade(store.engine)
    assert set(inspect(store.engine).get_table_names()) >= TABLES
    assert forecasts.question(context.id) is None  # going down dropped the question


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
def test_forecast_constraints_refuse_bad_rows(store: Store) -> None:
    assert isinstance(store, SqlStore)
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    root = bazaar.bootstrap_operator("root", PASSWORD)
    alice = bazaar.register("alice", PASSWORD, buyer=True)
    bazaar.credit(root.id, alice.id, 1_000)
    forecasts = Forecasts(bazaar)
    closes = bazaar.clock() + timedelta(hours=1)
    context, question = forecasts.post(
        alice.id, ContextSpec("q", 100), ForecastSpec(("a", "b"), closes)
    )
    for statement in (
        "UPDATE forecast_questions SET rule = 'made-up'",
        "UPDATE forecast_questions SET annulled = true, outcome = 'a'",
    ):
        with pytest.raises(Exception, match=r"(?i)check|constraint"), store.engine.begin() as conn:
            conn.execute(text(statement))
    with pytest.raises(Conflict):
        forecasts.repository.add(question)  # one question per context
    assert forecasts.question(context.id) == question
