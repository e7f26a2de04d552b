"""A forecast question is posted in one unit of work with its context (``Forecasts.post``):
if its question cannot be stored, the context, its reservation and its announcement never
happen; when it can, the context is announced only once its question is there (so no bot or
inspector ever sees a question's context without its question). Memory, SQLite, PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.databases import one_store
from tests.support.inspection import World, make_world
from volition.bazaar.domain import ContextSpec, Event, EventKind, Store, audit
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.domain.forecasts import ForecastQuestion, ForecastSpec
from volition.bazaar.errors import Conflict


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    stores: Iterator[Store] = one_store(request.param, request, tmp_path)
    yield make_world(next(stores))
    next(stores, None)


class RefusingAdd:
    """A forecast repository whose ``add`` fails after the context was posted in the unit."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def within(self, uow: object) -> RefusingAdd:
        return RefusingAdd(self.inner.within(uow))

    def add(self, question: ForecastQuestion) -> None:
        raise Conflict("the question could not be stored")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _spec(world: World) -> ForecastSpec:
    return ForecastSpec(("yes", "no"), world.bazaar.clock() + timedelta(hours=1))


def test_a_question_that_cannot_be_stored_posts_nothing(world: World) -> None:
    bazaar, buyer = world.bazaar, world.buyer
    heard: list[Event] = []
    bazaar.subscribe(heard.append)
    before = (bazaar.balances(buyer.id), bazaar.contexts(buyer.id, mine=True))
    forecasts = Forecasts(bazaar, RefusingAdd(bazaar.store.forecast_repository()))
    with pytest.raises(Conflict, match="could not be stored"):
        forecasts.post(buyer.id, ContextSpec("Will it rain?", 500), _spec(world), key="k1")
    assert (bazaar.balances(buyer.id), bazaar.contexts(buyer.id, mine=True)) == before
    assert heard == []  # never announced
    assert audit(bazaar.store) == []
    # the same key then posts for real: nothing of the failed call was remembered
    context, question = Forecasts(bazaar).post(
        buyer.id, ContextSpec("Will it rain?", 500), _spec(world), key="k1"
    )
    assert question.context_id == context.id
    assert bazaar.balances(buyer.id).reserved == 500


def test_a_question_is_announced_only_once_it_is_stored(world: World) -> None:
    bazaar, buyer = world.bazaar, world.buyer
    seen_with_question: list[bool] = []

    def listener(event: Event) -> None:
        if event.kind is EventKind.CONTEXT_POSTED:
            seen_with_question.append(Forecasts(bazaar).question(event.context_id) is not None)

    bazaar.subscribe(listener)
    Forecasts(bazaar).post(buyer.id, ContextSpec("Rain?", 300), _spec(world))
    assert seen_with_question == [True]
    again, question = Forecasts(bazaar).post(
        buyer.id, ContextSpec("Snow?", 300), _spec(world), key="k2"
    )
    replay, same = Forecasts(bazaar).post(
        buyer.id, ContextSpec("Snow?", 300), _spec(world), key="k2"
    )
    assert (replay.id, same) == (again.id, question)  # a replay posts nothing more
    assert seen_with_question == [True, True]
    assert bazaar.balances(buyer.id).reserved == 600
