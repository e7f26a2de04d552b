"""Migration 0011 (forecast questions) goes down and up with a database in use, and its
constraints hold on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import inspect, text

from tests.support.databases import SQL_KINDS
from tests.support.people import CHEAP_HASHER, PASSWORD
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

    downgrade(store.engine, "0010")  # through 0012 (the attention auction) and 0011
    assert not TABLES & set(inspect(store.engine).get_table_names())
    with store.engine.connect() as conn:  # the context stays (read raw: the models are 0012's)
        kept = conn.execute(text("SELECT id FROM contexts WHERE id = :id"), {"id": context.id})
        assert kept.scalar_one() == context.id
    upgrade(store.engine)
    assert set(inspect(store.engine).get_table_names()) >= TABLES
    assert bazaar.context(alice.id, context.id).id == context.id
    assert audit(store) == []
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


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
def test_a_step_confirmed_while_resolving_is_never_left_unscored(store: Store) -> None:
    """Purchase steps and resolutions race: every confirmed step is in the scored path, or
    was confirmed too late and refused; never a step the resolution did not score."""
    import threading

    from volition.bazaar.domain.forecasts import Resolution

    assert isinstance(store, SqlStore)
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    root = bazaar.bootstrap_operator("root", PASSWORD)
    alice = bazaar.register("alice", PASSWORD, buyer=True)
    bazaar.credit(root.id, alice.id, 1_000)
    forecasts = Forecasts(bazaar)
    repo = forecasts.repository
    for round_ in range(6):
        closes = bazaar.clock() + timedelta(hours=1)
        context, _ = forecasts.post(
            alice.id, ContextSpec(f"q{round_}", 10), ForecastSpec(("a", "b"), closes)
        )
        for n in range(4):
            repo.propose(context.id, f"{context.id}:n{n}", (0.6, 0.4))
        barrier = threading.Barrier(8)
        outcomes: list[str] = []

        def confirm(n: int, cid: str = context.id, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            repo.confirm(f"{cid}:n{n}", (), bazaar.clock())

        def resolve(
            cid: str = context.id,
            barrier: threading.Barrier = barrier,
            outcomes: list[str] = outcomes,
            closes: datetime = closes,
        ) -> None:
            barrier.wait()
            for _ in range(10):  # a stale path is resolved again, as a caller would
                steps = repo.steps(cid)
                try:
                    won = repo.resolve(
                        cid, Resolution("a", False, root.id, closes, 0.0), [], len(steps)
                    )
                except Conflict:
                    continue
                outcomes.append(f"won {len(steps)}" if won else "lost")
                return

        threads = [threading.Thread(target=confirm, args=(n,)) for n in range(4)]
        threads += [threading.Thread(target=resolve) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        [won] = [o for o in outcomes if o.startswith("won")]
        assert outcomes.count("lost") == 3
        assert int(won.split()[1]) == len(repo.steps(context.id))  # all confirmed were scored
    assert audit(store) == []
