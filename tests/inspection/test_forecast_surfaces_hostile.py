"""Hostile visits to what issue 13 added (forecast questions, their resolution, track records),
over HTTP on SQLite and PostgreSQL: after a question is inspected with a follow-up the buyer
must forget and then resolved, no new endpoint or page shows any offer's private info to anyone
who did not buy it (the buyer, a stranger, the resolving operator, an anonymous visitor), and
hostile names and bodies are refused with a clear 4xx, never a 500, with nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.api import ok
from tests.support.databases import one_store
from tests.support.http_world import (
    BUDGET,
    QUERY,
    REFUTATION,
    served,
    wait_done,
    weather_bots,
    weather_engine,
)
from tests.support.inspection import FUNDS, World, make_world
from tests.support.people import PASSWORD, FakeClock
from tests.support.web import WebClient
from volition.bazaar.domain import audit

HOUR = 3600
# a distinctive piece of each seller's private info (tests/support/http_world.py)
SECRETS = {"80% chance", "ACME", "last week's model run"}


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    for store in one_store(request.param, request, tmp_path, pg_db_fixture="inspection_pg_url"):
        yield make_world(store, FakeClock())


def _web(base_url: str, name: str) -> WebClient:
    client = WebClient(base_url=base_url, timeout=60)
    r = client.submit("/signin", "/signin", {"name": name, "password": PASSWORD})
    assert r.status_code == 303, r.text
    return client


def _bought_secrets(world: World, buyer_id: str) -> set[str]:
    """The pieces of private info ``buyer_id`` bought (and so may read)."""
    texts = [view.private_info or "" for _, view in world.bazaar.purchases(buyer_id)]
    return {s for s in SECRETS if any(s in t for t in texts)}


def test_no_forecast_surface_shows_private_info_to_anyone_who_did_not_buy_it(
    sql_world: World,
) -> None:
    world = sql_world
    bots = weather_bots(world, REFUTATION)
    world.bazaar.register("bob", PASSWORD, buyer=True)
    sellers = [world.bazaar.user(b.user_id).name for b in (bots.forecaster, bots.stocks)]
    sellers.append(world.bazaar.user(bots.checker.user_id).name)
    with served(world, weather_engine(world)) as api:
        alice, bob, root = api.sign_in("alice"), api.sign_in("bob"), api.sign_in("root")
        body = {"query": QUERY, "budget": BUDGET}
        body["forecast"] = {"outcomes": ["rain", "dry"], "closes_in_seconds": HOUR}
        context = ok(alice.post("/api/contexts", json=body), 201)["id"]
        started = ok(alice.post(f"/api/contexts/{context}/inspections", json={}), 202)
        wait_done(alice, started["id"])
        with world.bazaar.store.begin(write=False) as uow:
            children = [c.id for c in uow.contexts.children(context)]
        assert children, "the story's inspection follows up on the forecast"
        world.clock.advance(HOUR)
        resolved = root.post(f"/api/contexts/{context}/resolve", json={"outcome": "dry"})
        outputs = {("root", "resolve"): ok(resolved).__repr__() + resolved.text}

        paths = [f"/api/contexts/{context}", f"/api/contexts/{context}/forecast"]
        paths += [f"/api/contexts/{c}/forecast" for c in children]
        paths += [f"/api/contexts/{c}" for c in children]
        paths += [f"/api/sellers/{name}/record" for name in sellers]
        pages = [f"/contexts/{context}/forecast", f"/contexts/{context}"]
        pages += [f"/sellers/{name}/record" for name in sellers]
        pages += [f"/contexts/{c}/forecast" for c in children]
        viewers = {"anonymous": api.anonymous, "alice": alice, "bob": bob, "root": root}
        for who, client in viewers.items():
            for path in paths:
                r = client.get(path)
                assert r.status_code < 500, (who, path, r.text)
                outputs[(who, path)] = r.text
        for who in ("alice", "bob", "root"):
            page_client = _web(api.base_url, who)
            try:
                for path in pages:
                    r = page_client.get(path)
                    assert r.status_code < 500, (who, path, r.text)
                    outputs[(who, path)] = r.text
            finally:
                page_client.close()
        with httpx.Client(base_url=api.base_url) as anonymous_pages:
            for path in pages:
                outputs[("anonymous", path)] = anonymous_pages.get(path).text

        # the page of the question and the buyer's forecast were really shown (not all 404s)
        assert "rain" in outputs[("alice", f"/contexts/{context}/forecast")]
        assert ok(alice.get(f"/api/contexts/{context}/forecast"))["outcome"] == "dry"

        with world.bazaar.store.begin(write=False) as uow:
            posted = [
                o.private_info for c in (context, *children) for o in uow.offers.for_context(c)
            ]
        assert all(any(s in t for t in posted) for s in SECRETS)  # every secret was on offer
        allowed = {"alice": _bought_secrets(world, world.bazaar.find_user("alice").id)}
        assert "last week's model run" not in allowed["alice"]  # the follow-up is forgotten
        for (who, where), text in outputs.items():
            for secret in SECRETS - allowed.get(who, set()):
                assert secret not in text, f"{secret!r} reached {who} at {where}"
    assert audit(world.bazaar.store) == [] and world.money() == FUNDS


def test_hostile_names_and_bodies_on_the_forecast_endpoints_are_clear_4xx(
    sql_world: World,
) -> None:
    world = sql_world
    with served(world, None) as api:
        alice, mallory = api.sign_in("alice"), api.sign_up("mallory")
        names = ["nobody", "x" * 5_000, "%00", "..%2F..%2Fetc%2Fpasswd", "alice'--", "%F0%9F%92%A5"]
        for name in names:
            for path in (f"/api/sellers/{name}/record", f"/api/bots/{name}/record"):
                r = api.anonymous.get(path)
                assert r.status_code in (404, 422), (path[:80], r.status_code, r.text[:200])
                assert "message" in r.json(), r.text[:200]
            page = api.anonymous.get(f"/sellers/{name}/record")
            assert page.status_code in (404, 422) and "<html" in page.text.lower(), name[:40]
        # a buyer who never sold has an empty record, not an error
        assert ok(api.anonymous.get("/api/sellers/alice/record"))["offers"] == 0

        body = {"query": QUERY, "budget": BUDGET}
        body["forecast"] = {"outcomes": ["rain", "dry"], "closes_in_seconds": HOUR}
        question = ok(alice.post("/api/contexts", json=body), 201)["id"]
        world.clock.advance(HOUR)
        url = f"/api/contexts/{question}/resolve"
        before = ok(alice.get(f"/api/contexts/{question}/forecast"))
        root = api.sign_in("root")
        for hostile in (
            {"outcome": "rain" * 500_000},  # 2 MB
            {"outcome": ""},
            {"outcome": None, "annulled": False},
            {"annulled": "yes"},
            [],
            "rain",
        ):
            r = root.post(url, json=hostile)
            assert r.status_code in (413, 422), (str(hostile)[:60], r.status_code)
        r = root.post(url, content=b"{not json", headers={"content-type": "application/json"})
        assert r.status_code == 422
        # another user's question: neither the stranger's resolve nor their forecast read moves it
        assert mallory.post(url, json={"annulled": True}).status_code == 403
        assert ok(alice.get(f"/api/contexts/{question}/forecast")) == before
        assert ok(root.post(url, json={"outcome": "rain"}))["outcome"] == "rain"
    assert audit(world.bazaar.store) == [] and world.money() == FUNDS
