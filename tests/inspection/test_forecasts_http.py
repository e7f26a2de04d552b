"""Forecast questions over HTTP on SQLite and PostgreSQL (issue 13): a question is posted,
inspected by the offline buyer, resolved by its resolver only, once, after its close time; the
scores are checked against values computed here from the stories' texts; refusals change
nothing and the books stay balanced, also when resolutions race.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.api import ok
from tests.support.databases import one_store
from tests.support.http_world import (
    BUDGET,
    CONFIRMATION,
    QUERY,
    REFUTATION,
    offers_by_seller,
    served,
    wait_done,
    weather_bots,
    weather_engine,
)
from tests.support.inspection import FUNDS, World, make_world
from tests.support.people import PASSWORD, FakeClock
from volition.bazaar.domain import Store, audit

HOUR = 3600
QUESTION = {"outcomes": ["rain", "dry"], "closes_in_seconds": HOUR}


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    for store in one_store(request.param, request, tmp_path, pg_db_fixture="inspection_pg_url"):
        yield make_world(store, FakeClock())


def _post(client: httpx.Client, **forecast: Any) -> dict[str, Any]:
    body = {"query": QUERY, "budget": BUDGET, "forecast": QUESTION | forecast}
    return ok(client.post("/api/contexts", json=body), 201)  # type: ignore[no-any-return]


def _snapshot(world: World, context_id: str) -> tuple[Any, ...]:
    """Everything a refused resolution must leave as it was."""
    store: Store = world.bazaar.store
    repo = store.forecast_repository()
    with store.begin(write=False) as uow:
        balances = uow.ledger.balances()
    return (repo.get(context_id), repo.scores(context_id), repo.steps(context_id), balances)


def test_a_question_is_posted_inspected_resolved_and_scored(sql_world: World) -> None:
    world = sql_world
    bots = weather_bots(world, CONFIRMATION)
    world.bazaar.register("bob", PASSWORD, buyer=True)
    with served(world, weather_engine(world)) as api:
        buyer, operator, bob = api.sign_in("alice"), api.sign_in("root"), api.sign_in("bob")
        context = _post(buyer)
        shown = context["forecast"]
        assert shown["outcomes"] == ["rain", "dry"] and shown["prior"] == [0.5, 0.5]
        assert shown["rule"] == "log" and shown["resolver"] is None and not shown["resolved"]
        assert shown["path"] == [
            {"seq": 0, "forecast": [0.5, 0.5], "offer_ids": [], "withheld": False}
        ]
        assert context["expires_at"] == shown["closes_at"]  # the context closes with it
        public = ok(api.anonymous.get(f"/api/contexts/{context['id']}"))["forecast"]
        assert public["outcomes"] == ["rain", "dry"] and public["path"] is None

        started = ok(buyer.post(f"/api/contexts/{context['id']}/inspections", json={}), 202)
        wait_done(buyer, started["id"])
        forecaster = offers_by_seller(world, context["id"])[bots.forecaster.user_id]
        seen = ok(buyer.get(f"/api/contexts/{context['id']}/forecast"))
        # the follow-up bought the check, whose preview says "rain" once: weights 0.5 * 2 and
        # 0.5 * 1; then the forecast, which says "rain" twice: weights 2/3 * 3 and 1/3 * 1
        path = [(s["seq"], s["forecast"], s["withheld"]) for s in seen["path"]]
        assert path == [
            (0, [0.5, 0.5], False),
            (1, [pytest.approx(2 / 3), pytest.approx(1 / 3)], False),
            (2, [pytest.approx(6 / 7), pytest.approx(1 / 7)], False),
        ]
        assert seen["path"][2]["offer_ids"] == [forecaster]

        url = f"/api/contexts/{context['id']}/resolve"
        before = _snapshot(world, context["id"])
        r = operator.post(url, json={"outcome": "rain"})
        assert r.status_code == 409 and "closes at" in r.json()["message"]
        world.clock.advance(HOUR)
        r = buyer.post(url, json={"outcome": "rain"})  # the operator resolves, not the buyer
        assert r.status_code == 403 and "operator" in r.json()["message"]
        r = bob.post(url, json={"outcome": "rain"})
        assert r.status_code == 403
        r = operator.post(url, json={"outcome": "snow"})
        assert r.status_code == 422 and "'rain', 'dry'" in r.json()["message"]
        r = operator.post(url, json={"outcome": "rain", "annulled": True})
        assert r.status_code == 422
        r = operator.post(url, json={})
        assert r.status_code == 422
        assert _snapshot(world, context["id"]) == before
        assert audit(world.bazaar.store) == []

        resolved = ok(operator.post(url, json={"outcome": "rain"}))
        assert resolved["resolved"] and resolved["outcome"] == "rain"
        assert resolved["final_score"] is None  # the buyer's only
        mine = ok(buyer.get(f"/api/contexts/{context['id']}/forecast"))
        assert mine["final_score"] == pytest.approx(math.log(6 / 7))
        values = {s["offer_id"]: s["realised_value"] for s in mine["scores"]}
        check = next(i for i in values if i != forecaster)
        assert values == {
            check: pytest.approx(math.log(2 / 3) - math.log(1 / 2)),
            forecaster: pytest.approx(math.log(6 / 7) - math.log(2 / 3)),
        }

        after = _snapshot(world, context["id"])
        r = operator.post(url, json={"outcome": "dry"})
        assert r.status_code == 409 and "already resolved" in r.json()["message"]
        assert _snapshot(world, context["id"]) == after

        name = world.bazaar.user(bots.forecaster.user_id).name
        record = ok(api.anonymous.get(f"/api/sellers/{name}/record"))
        assert (record["offers"], record["questions"]) == (1, 1)
        assert record["mean_value"] == pytest.approx(math.log(9 / 7))
        assert record["value_per_dollar"] == pytest.approx(math.log(9 / 7) / 3.0)  # 300 cents
        assert record["mean_confidence"] == pytest.approx(6 / 7)
        assert record["hit_rate"] == 1.0
        assert record["calibration_gap"] == pytest.approx(6 / 7 - 1)
        assert api.anonymous.get("/api/sellers/nobody/record").status_code == 404
        assert audit(world.bazaar.store) == [] and world.money() == FUNDS


def test_amnesia_withholds_a_step_whose_offers_the_buyer_may_not_read(sql_world: World) -> None:
    world = sql_world
    weather_bots(world, REFUTATION)
    with served(world, weather_engine(world)) as api:
        buyer, operator = api.sign_in("alice"), api.sign_in("root")
        context = _post(buyer)
        started = ok(buyer.post(f"/api/contexts/{context['id']}/inspections", json={}), 202)
        wait_done(buyer, started["id"])
        seen = ok(buyer.get(f"/api/contexts/{context['id']}/forecast"))
        # the refutation was bought below the forecast, which was not bought: forgotten
        assert [(s["seq"], s["forecast"], s["offer_ids"], s["withheld"]) for s in seen["path"]] == [
            (0, [0.5, 0.5], [], False),
            (1, None, [], True),
        ]
        world.clock.advance(HOUR)
        ok(operator.post(f"/api/contexts/{context['id']}/resolve", json={"outcome": "dry"}))
        mine = ok(buyer.get(f"/api/contexts/{context['id']}/forecast"))
        # neither the forgotten offer's score nor the final score, which carries it, is shown
        assert mine["scores"] == [] and mine["final_score"] is None
        assert mine["outcome"] == "dry"
        assert audit(world.bazaar.store) == []


def test_a_named_resolver_annuls_and_nothing_is_scored(sql_world: World) -> None:
    world = sql_world
    bots = weather_bots(world, CONFIRMATION)
    world.bazaar.register("bob", PASSWORD, buyer=True)
    with served(world, weather_engine(world)) as api:
        buyer, operator, bob = api.sign_in("alice"), api.sign_in("root"), api.sign_in("bob")
        context = _post(buyer, resolver="bob", rule="brier", prior=[0.2, 0.8])
        assert context["forecast"]["resolver"] == "bob"
        started = ok(buyer.post(f"/api/contexts/{context['id']}/inspections", json={}), 202)
        wait_done(buyer, started["id"])
        world.clock.advance(HOUR)
        url = f"/api/contexts/{context['id']}/resolve"
        assert operator.post(url, json={"annulled": True}).status_code == 403
        done = ok(bob.post(url, json={"annulled": True}))
        assert done["annulled"] and done["outcome"] is None
        assert bob.post(url, json={"outcome": "rain"}).status_code == 409
        mine = ok(buyer.get(f"/api/contexts/{context['id']}/forecast"))
        assert mine["scores"] == [] and mine["final_score"] is None
        name = world.bazaar.user(bots.forecaster.user_id).name
        assert ok(api.anonymous.get(f"/api/sellers/{name}/record"))["offers"] == 0
        assert audit(world.bazaar.store) == [] and world.money() == FUNDS


def test_racing_resolutions_one_wins(sql_world: World) -> None:
    world = sql_world
    with served(world, None) as api:
        buyer = api.sign_in("alice")
        context = _post(buyer)
        world.clock.advance(HOUR)
        operators = [api.sign_in("root") for _ in range(8)]
        url = f"/api/contexts/{context['id']}/resolve"
        results: list[tuple[int, str]] = []
        barrier = threading.Barrier(len(operators))

        def resolve(client: httpx.Client, outcome: str) -> None:
            barrier.wait()
            results.append((client.post(url, json={"outcome": outcome}).status_code, outcome))

        threads = [
            threading.Thread(target=resolve, args=(c, ("rain", "dry")[i % 2]))
            for i, c in enumerate(operators)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [o for status, o in results if status == 200]
        assert len(winners) == 1 and sorted(s for s, _ in results)[1:] == [409] * 7
        shown = ok(buyer.get(f"/api/contexts/{context['id']}/forecast"))
        assert shown["outcome"] == winners[0]
        assert audit(world.bazaar.store) == [] and world.money() == FUNDS


BAD_QUESTIONS = [
    ({"outcomes": []}, "outcomes"),
    ({"outcomes": ["yes"]}, "outcomes"),
    ({"outcomes": [f"o{i}" for i in range(10_000)]}, "outcomes"),
    ({"outcomes": ["yes", "yes"]}, "distinct"),
    ({"outcomes": ["yes", "no\x00"]}, "outcomes"),
    ({"outcomes": ["yes", "   "]}, "outcome label"),
    ({"outcomes": ["yes", "x" * 500]}, "outcomes"),
    ({"outcomes": ["yes", 3]}, "outcomes"),
    ({"prior": [0.5, 0.6]}, "sum"),
    ({"prior": [1.5, -0.5]}, "probabilities"),
    ({"prior": [1.0]}, "2 probabilities"),
    ({"rule": "made-up"}, "rule"),
    ({"closes_in_seconds": 0}, "closes_in_seconds"),
    ({"closes_in_seconds": None}, "closes_at"),
    ({"closes_in_seconds": None, "closes_at": "tomorrow"}, "ISO 8601"),
    ({"closes_in_seconds": None, "closes_at": "2020-01-01T00:00:00+00:00"}, "future"),
    ({"closes_in_seconds": None, "closes_at": "2099-01-01T00:00:00"}, "zone"),
    ({"unexpected": 1}, "unexpected"),
]


def test_hostile_questions_are_refused_and_nothing_is_reserved(sql_world: World) -> None:
    world = sql_world
    with served(world, None) as api:
        buyer, other = api.sign_in("alice"), api.sign_up("mallory")
        for forecast, word in BAD_QUESTIONS:
            body = {"query": QUERY, "budget": BUDGET, "forecast": QUESTION | forecast}
            r = buyer.post("/api/contexts", json=body)
            assert r.status_code == 422, (forecast, r.text)
            assert word in r.text, (word, r.text)
        body = {"query": QUERY, "budget": BUDGET, "forecast": QUESTION | {"resolver": "nobody"}}
        assert buyer.post("/api/contexts", json=body).status_code == 404
        assert ok(buyer.get("/api/me"))["balances"]["reserved"] == 0
        assert ok(buyer.get("/api/contexts?mine=true")) == []

        plain = ok(buyer.post("/api/contexts", json={"query": QUERY, "budget": 10}), 201)
        assert plain["forecast"] is None
        assert buyer.get(f"/api/contexts/{plain['id']}/forecast").status_code == 404
        world.clock.advance(HOUR)
        r = other.post(f"/api/contexts/{plain['id']}/resolve", json={"outcome": "rain"})
        assert r.status_code == 404
        for bad in ("ctx_nope", "x" * 300, "ctx%00"):
            assert other.post(
                f"/api/contexts/{bad}/resolve", json={"outcome": "a"}
            ).status_code in (
                404,
                422,
            )
        question = _post(buyer, closes_in_seconds=HOUR)
        world.clock.advance(HOUR)
        url = f"/api/contexts/{question['id']}/resolve"
        assert other.post(url, json={"outcome": "rain"}).status_code == 403
        assert other.post(url, json={"outcome": "rain\x00"}).status_code == 422
        assert other.post(url, json={"outcome": 1}).status_code == 422
        assert other.post(url, json={"outcome": "rain", "x": 1}).status_code == 422
        assert buyer.get(f"/api/contexts/{question['id']}/forecast").json()["resolved"] is False
        assert audit(world.bazaar.store) == []
