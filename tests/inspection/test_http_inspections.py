"""Inspections over HTTP, on the memory store and SQLite: start, follow the tree, audit; and
every bad request refused with the right status, changing nothing."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import httpx

from tests.support.api import ok
from tests.support.http_world import (
    BUDGET,
    CHECK_PRICE,
    CONFIRMATION,
    FORECAST,
    QUERY,
    offers_by_seller,
    served,
    wait_done,
    weather_bots,
    weather_engine,
)
from tests.support.inspection import FUNDS, PASSWORD, FakeClock, World, make_world
from volition.bazaar.api.inspection_report import inspection_report
from volition.bazaar.domain import audit
from volition.bazaar.domain.follow_ups import FORGOTTEN_QUERY
from volition.bazaar.inspection import InspectionStatus
from volition.bazaar.storage import SqlStore
from volition.bazaar.storage.models import Base


def test_an_inspection_follows_up_buys_and_shows_its_tree(world: World) -> None:
    _follow_up_story(world)


def test_the_same_story_on_postgresql(pg_url: str) -> None:
    store = SqlStore.open(pg_url, migrate=False)
    try:
        tables = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
        with store.engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        _follow_up_story(make_world(store, FakeClock()))
    finally:
        store.close()


def _follow_up_story(world: World) -> None:
    """Start (202), poll until done, then the tree, the purchases, the audit trail, the books."""
    bots = weather_bots(world, CONFIRMATION)
    engine = weather_engine(world)
    world.bazaar.register("bob", PASSWORD, buyer=True)
    with served(world, engine) as api:
        buyer, operator, bob = api.sign_in("alice"), api.sign_in("root"), api.sign_in("bob")
        context = ok(buyer.post("/api/contexts", json={"query": QUERY, "budget": BUDGET}), 201)
        r = buyer.post(f"/api/contexts/{context['id']}/inspections", json={"policy": "all"})
        started = ok(r, 202)
        assert r.headers["Location"] == f"/api/inspections/{started['id']}"
        assert started["context_id"] == context["id"] and started["agent"] == "offline"
        assert started["limits"]["policy"] == "all" and started["limits"]["max_depth"] == 1
        assert started["limits"]["min_offers"] == 2  # the server's default where none is given

        done = wait_done(buyer, started["id"])
        root_offers = offers_by_seller(world, context["id"])
        root, child = done["nodes"]
        assert (root["depth"], root["parent_id"], root["query"]) == (0, None, QUERY)
        assert (child["depth"], child["parent_id"]) == (1, root["id"])
        # its inspector read the stock tip and did not buy it: what it asked is forgotten
        assert child["query"] == FORGOTTEN_QUERY
        assert root["state"] == child["state"] == "done"
        assert root["outcome"] == child["outcome"] == "bought"
        assert (root["offers"], child["offers"]) == (2, 2)  # forecast + stocks; check + stocks
        child_offers = offers_by_seller(world, child["context_id"])
        check = child_offers[bots.checker.user_id]
        assert root["bought"] == [root_offers[bots.forecaster.user_id]]
        assert child["bought"] == [check]
        assert {(b["offer_id"], b["price"]) for b in done["bought"]} == {
            (root_offers[bots.forecaster.user_id], FORECAST.price),
            (check, CHECK_PRICE),
        }
        assert done["spent"] == FORECAST.price + CHECK_PRICE
        assert done["usage"]["calls"] == 3  # follow up, buy the check, buy the forecast
        assert done["finished_at"] is not None

        assert ok(buyer.get(f"/api/contexts/{context['id']}/inspection"))["id"] == done["id"]
        purchases = ok(buyer.get("/api/me/purchases"))
        assert {p["offer"]["private_info"] for p in purchases} == {
            FORECAST.private_info,
            CONFIRMATION,
        }
        assert {p["mechanism"] for p in purchases} == {"inspection"}
        me = ok(buyer.get("/api/me"))["balances"]
        assert (me["cash"], me["reserved"]) == (FUNDS - FORECAST.price - CHECK_PRICE, 0)
        assert ok(buyer.get(f"/api/contexts/{context['id']}"))["status"] == "decided"

        seen = ok(operator.get(f"/api/inspections/{done['id']}"))
        assert seen["nodes"][0]["query"] == QUERY
        assert seen["nodes"][1]["query"] is None  # an operator does not see follow-up contexts
        calls = ok(operator.get(f"/api/inspections/{done['id']}/audit"))
        assert [(c["node_id"], c["action"]) for c in calls] == [
            (root["id"], "follow_up"),
            (child["id"], "buy"),
            (root["id"], "buy"),
        ]
        assert calls[2]["known_offer_ids"] == [check]
        assert buyer.get(f"/api/inspections/{done['id']}/audit").status_code == 403
        assert bob.get(f"/api/inspections/{done['id']}/audit").status_code == 404
        assert bob.get(f"/api/inspections/{done['id']}").status_code == 404
        assert bob.get(f"/api/contexts/{context['id']}/inspection").status_code == 404
        assert api.anonymous.get(f"/api/inspections/{done['id']}").status_code == 401
    assert audit(world.bazaar.store) == []
    assert world.money() == FUNDS


def test_an_empty_body_starts_with_the_servers_limits(world: World) -> None:
    weather_bots(world, CONFIRMATION)
    engine = weather_engine(world, max_depth=0)
    with served(world, engine) as api:
        buyer = api.sign_in("alice")
        context = ok(buyer.post("/api/contexts", json={"query": QUERY, "budget": BUDGET}), 201)
        started = ok(buyer.post(f"/api/contexts/{context['id']}/inspections"), 202)
        assert started["limits"]["max_depth"] == 0
        assert started["limits"]["policy"] == "with_parent"
        done = wait_done(buyer, started["id"])
        assert len(done["nodes"]) == 1 and done["nodes"][0]["outcome"] == "bought"


def _snapshot(world: World, engine_inspections: Any) -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    with world.bazaar.store.begin(write=False) as uow:
        contexts = sorted((c.id, c.status.value) for c in uow.contexts.find(limit=10**6))
        entries = len(list(uow.ledger.entries()))
        balances = dict(uow.ledger.balances())
    return contexts, entries, balances, engine_inspections()


def _until_gathering(client: httpx.Client, inspection_id: str) -> None:
    deadline = time.monotonic() + 30
    while ok(client.get(f"/api/inspections/{inspection_id}"))["nodes"][0]["state"] != "gathering":
        assert time.monotonic() < deadline, "the root never started gathering"
        time.sleep(0.05)


def test_bad_requests_are_refused_and_change_nothing(world: World) -> None:
    bots = weather_bots(world, CONFIRMATION)
    # a root that waits (forever, on the test clock) for five offers keeps its context inspecting
    engine = weather_engine(world, min_offers=5)
    bob = world.bazaar.register("bob", PASSWORD, buyer=True)
    world.bazaar.credit(world.operator.id, bob.id, FUNDS)
    with served(world, engine) as api:
        buyer, other = api.sign_in("alice"), api.sign_in("bob")
        forecaster = world.bazaar.user(bots.forecaster.user_id).name
        seller = api.sign_in(forecaster)

        def post(client: httpx.Client, query: str) -> str:
            body = {"query": query, "budget": BUDGET}
            return str(ok(client.post("/api/contexts", json=body), 201)["id"])

        inspecting, open_one, closed = post(buyer, QUERY), post(buyer, QUERY), post(buyer, QUERY)
        bobs = post(other, QUERY)
        ok(buyer.post(f"/api/contexts/{closed}/cancel"))
        waiting = ok(buyer.post(f"/api/contexts/{inspecting}/inspections"), 202)["id"]
        _until_gathering(buyer, waiting)
        offer = ok(seller.post(f"/api/contexts/{open_one}/offers", json={
            "preview": "p", "private_info": "s", "price": 1}), 201)  # fmt: skip
        child_body = {"query": "follow-up", "budget": 10, "parent_offer_ids": [offer["id"]]}
        child = ok(buyer.post("/api/contexts", json=child_body), 201)["id"]

        def count() -> int:
            return sum(
                engine.repository.inspection_for_context(c) is not None
                for c in (inspecting, open_one, closed, bobs, child)
            )

        before = _snapshot(world, count)
        cases: list[tuple[httpx.Client, str, Any, int, str]] = [
            (api.anonymous, open_one, {}, 401, "sign in"),
            (buyer, "ctx_nothing", {}, 404, "no context"),
            (buyer, bobs, {}, 404, "no context"),
            (other, open_one, {}, 404, "no context"),
            (seller, open_one, {}, 404, "no context"),
            (buyer, child, {}, 422, "follow-up"),
            (buyer, closed, {}, 409, "cancelled"),
            (buyer, inspecting, {}, 409, "already"),
            (buyer, open_one, {"max_depth": -1}, 422, "max_depth"),
            (buyer, open_one, {"max_depth": 11}, 422, "max_depth"),
            (buyer, open_one, {"max_depth": True}, 422, "max_depth"),
            (buyer, open_one, {"max_depth": 5}, 422, "at most 3"),
            (buyer, open_one, {"max_follow_ups": 2.5}, 422, "max_follow_ups"),
            (buyer, open_one, {"min_offers": "3"}, 422, "min_offers"),
            (buyer, open_one, {"gather_seconds": -1}, 422, "gather_seconds"),
            (buyer, open_one, {"gather_seconds": 10**9}, 422, "gather_seconds"),
            (buyer, open_one, {"max_retries": 99}, 422, "max_retries"),
            (buyer, open_one, {"policy": "some"}, 422, "policy"),
            (buyer, open_one, {"policy": None, "budget": 5}, 422, "budget"),
            (buyer, open_one, {"agent": "gpt-5"}, 422, "not 'gpt-5'"),
            (buyer, open_one, [1, 2], 422, "body"),
        ]
        for client, context_id, body, status, words in cases:
            r = client.post(f"/api/contexts/{context_id}/inspections", json=body)
            assert r.status_code == status, (context_id, body, r.text)
            assert words in r.json()["message"], (body, r.text)
            assert _snapshot(world, count) == before, (context_id, body)
        # and reading someone else's or an unknown inspection
        assert buyer.get("/api/inspections/ins_nothing").status_code == 404
        assert buyer.get(f"/api/contexts/{open_one}/inspection").status_code == 404
        assert api.anonymous.get(f"/api/contexts/{inspecting}/inspection").status_code == 401
        # the open context can still be inspected afterwards
        limits = {"max_depth": 0, "max_follow_ups": 0, "min_offers": 4, "gather_seconds": 2}
        limits |= {"max_retries": 1, "policy": "all"}
        started = ok(buyer.post(f"/api/contexts/{open_one}/inspections", json=limits), 202)
        assert started["limits"] == {**limits, "gather_seconds": 2.0}
    assert audit(world.bazaar.store) == []


def test_every_server_inspects_with_the_platforms_engine(world: World) -> None:
    """The one assembly always holds an engine: a server without the story's own one
    inspects with the platform's (the offline buyer, the stored bots)."""
    with served(world, None) as api:
        buyer = api.sign_in("alice")
        context = ok(buyer.post("/api/contexts", json={"query": QUERY, "budget": BUDGET}), 201)
        seller = world.seller()  # the world's clock stands still: an offer, not time, decides
        world.bazaar.post_offer(
            seller.id, context["id"], preview="radar", private_info="rain at 2", price=10
        )
        limits = {"max_depth": 0, "min_offers": 1}
        r = buyer.post(f"/api/contexts/{context['id']}/inspections", json=limits)
        started = ok(r, 202)
        assert started["agent"] == "offline" and started["inspector"] == "offline"
        assert buyer.get("/api/inspections/ins_x").status_code == 404
        done = wait_done(buyer, started["id"])
        assert [n["offers"] for n in done["nodes"]] == [1]


def test_an_inspection_reads_done_only_once_its_root_is_done_too(world: World) -> None:
    """The engine marks the inspection done just before its root node; a report read between
    the two (or repeated after a crash there) still says running, with no finishing time."""
    weather_bots(world, CONFIRMATION)
    engine = weather_engine(world)
    context = world.post(QUERY, BUDGET)
    started = engine.start(world.buyer.id, context.id)
    engine.repository.update_inspection(
        replace(started, status=InspectionStatus.DONE, finished_at=world.bazaar.clock())
    )
    half = inspection_report(engine, world.buyer.id, started.id)
    assert (half.status, half.finished_at) == ("running", None)
    engine.run_until_idle()
    whole = inspection_report(engine, world.buyer.id, started.id)
    assert whole.status == "done" and whole.finished_at is not None
    assert [n.state for n in whole.nodes] == ["done", "done"]
