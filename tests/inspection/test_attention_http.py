"""The attention auction over real HTTP, on SQLite and PostgreSQL (docs/theory.md §5, The
attention auction): terms and bids posted and shown, hostile bids refused with nothing
changed, an inspection that reads only the highest bids and pays them to the buyer, racing
bids that together exceed the seller's cash."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.api import ok
from tests.support.databases import one_store
from tests.support.http_world import QUERY, served, wait_done
from tests.support.inspection import FUNDS, World, make_world
from tests.support.people import FakeClock
from volition.agents import OfflineBuyer
from volition.bazaar.domain import Store, audit


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    stores: Iterator[Store] = one_store(
        request.param, request, tmp_path, pg_db_fixture="inspection_pg_url"
    )
    yield make_world(next(stores), FakeClock())
    next(stores, None)


def _books(world: World) -> tuple[Any, ...]:
    with world.bazaar.store.begin(write=False) as uow:
        contexts = uow.contexts.find(limit=10**6)
        offers = [o for c in contexts for o in uow.offers.for_context(c.id)]
        return dict(uow.ledger.balances()), len(contexts), len(offers)


def _offer(client: httpx.Client, context_id: str, **fields: Any) -> httpx.Response:
    body = {"preview": "Paris rain forecast", "private_info": "80% rain", "price": 50} | fields
    return client.post(f"/api/contexts/{context_id}/offers", json=body)


def _cash(client: httpx.Client) -> int:
    cash: int = ok(client.get("/api/me"))["balances"]["cash"]
    return cash


def test_an_inspection_reads_the_highest_bids_and_pays_them_to_the_buyer(
    sql_world: World,
) -> None:
    world = sql_world
    names = [world.seller().name for _ in range(4)]
    engine = world.engine(OfflineBuyer(), max_depth=0, min_offers=3)
    with served(world, engine) as api:
        buyer, operator = api.sign_in("alice"), api.sign_in("root")
        sellers = [api.sign_in(n) for n in names]
        for n in names:
            ok(operator.post("/api/operator/credits", json={"user": n, "cents": 100}), 201)
        body = {"query": QUERY, "budget": 500, "attention": 2, "reading_cost": 5}
        context = ok(buyer.post("/api/contexts", json=body), 201)
        assert (context["attention"], context["reading_cost"]) == (2, 5)
        shown = ok(buyer.get(f"/api/contexts/{context['id']}"))
        assert (shown["attention"], shown["reading_cost"]) == (2, 5)

        before = _books(world)
        spam = _offer(sellers[3], context["id"], bid=1)
        assert spam.status_code == 422 and "reading cost of 5" in spam.json()["message"]
        assert _books(world) == before

        ids = [
            ok(_offer(s, context["id"], bid=b), 201)["id"]
            for s, b in zip(sellers[:3], (5, 40, 20), strict=True)
        ]
        listed = ok(buyer.get(f"/api/contexts/{context['id']}/offers"))
        assert {o["id"]: o["bid"] for o in listed} == dict(zip(ids, (5, 40, 20), strict=True))
        assert [_cash(s) for s in sellers] == [95, 60, 80, 100]

        started = ok(buyer.post(f"/api/contexts/{context['id']}/inspections", json={}), 202)
        done = wait_done(buyer, started["id"])
        (root,) = done["nodes"]
        bought = set(root["bought"])
        assert bought <= {ids[1], ids[2]}  # only what was read can be bought
        calls = engine.audit_trail(world.operator.id, started["id"])
        assert {i for c in calls for i in c.seen_offer_ids} == {ids[1], ids[2]}
        spent = sum(p.price for p, _ in world.bazaar.purchases(world.buyer.id))
        assert _cash(buyer) == FUNDS - spent + 60
        assert [_cash(s) for s in sellers] == [100, 60, 80, 100]  # the unread bid came back
        kinds = [e["kind"] for e in ok(buyer.get("/api/me/ledger"))]
        assert kinds.count("bid_payment") == 2
    assert audit(world.bazaar.store) == []


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [
        ("bid", -1, "bid"),
        ("bid", 10**13, "bid"),
        ("bid", 2.5, "bid"),
        ("bid", "5", "bid"),
        ("bid", True, "bid"),
        ("bid", None, "bid"),
    ],
)
def test_malformed_bids_are_refused_with_nothing_changed(
    sql_world: World, field: str, value: object, where: str
) -> None:
    world = sql_world
    name = world.seller().name
    with served(world, None) as api:
        buyer, seller = api.sign_in("alice"), api.sign_in(name)
        ok(api.sign_in("root").post("/api/operator/credits", json={"user": name, "cents": 10}), 201)
        context = ok(buyer.post("/api/contexts", json={"query": QUERY, "budget": 100}), 201)
        before = _books(world)
        r = _offer(seller, context["id"], **{field: value})
        assert r.status_code == 422, r.text
        assert where in r.text
        assert _books(world) == before


@pytest.mark.parametrize(
    "terms",
    [
        {"attention": 0},
        {"attention": -1},
        {"attention": 10**6},
        {"attention": 1.5},
        {"attention": "3"},
        {"reading_cost": -1},
        {"reading_cost": 10**13},
        {"reading_cost": 0.5},
    ],
)
def test_malformed_context_terms_are_refused_with_nothing_changed(
    sql_world: World, terms: dict[str, Any]
) -> None:
    world = sql_world
    with served(world, None) as api:
        buyer = api.sign_in("alice")
        before = _books(world)
        r = buyer.post("/api/contexts", json={"query": QUERY, "budget": 100} | terms)
        assert r.status_code == 422, r.text
        assert next(iter(terms)).replace("_", " ") in r.text.replace("_", " ")
        assert _books(world) == before


def test_hostile_bids_over_http(sql_world: World) -> None:
    """Beyond the cash, on another buyer's closed context, withdrawn twice, racing."""
    world = sql_world
    name = world.seller().name
    world.bazaar.register("bob", "correct horse battery", buyer=True)
    world.bazaar.credit(world.operator.id, world.bazaar.find_user("bob").id, 1_000)
    with served(world, None) as api:
        buyer, bob, seller = api.sign_in("alice"), api.sign_in("bob"), api.sign_in(name)
        ok(
            api.sign_in("root").post("/api/operator/credits", json={"user": name, "cents": 100}),
            201,
        )
        context = ok(buyer.post("/api/contexts", json={"query": QUERY, "budget": 100}), 201)

        before = _books(world)
        r = _offer(seller, context["id"], bid=101)
        assert r.status_code == 402 and "available cash (100 cents)" in r.json()["message"]
        assert _books(world) == before

        closed = ok(bob.post("/api/contexts", json={"query": QUERY, "budget": 10}), 201)
        ok(bob.post(f"/api/contexts/{closed['id']}/cancel"))
        before = _books(world)
        r = _offer(seller, closed["id"], bid=10)
        assert r.status_code == 409 and "cancelled" in r.json()["message"]
        assert _books(world) == before

        offer = ok(_offer(seller, context["id"], bid=30), 201)
        assert _cash(seller) == 70
        assert ok(seller.delete(f"/api/offers/{offer['id']}"))["status"] == "withdrawn"
        again = seller.delete(f"/api/offers/{offer['id']}")
        assert again.status_code == 409 and _cash(seller) == 100

        def bid(i: int) -> int:
            return _offer(seller, context["id"], bid=30, preview=f"race {i}").status_code

        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(bid, range(8)))
        assert sorted(codes) == [201] * 3 + [402] * 5
        assert _cash(seller) == 10
    assert audit(world.bazaar.store) == []


def test_the_python_client_posts_terms_and_bids(sql_world: World) -> None:
    from volition.bazaar.client import BazaarClient
    from volition.bazaar.errors import InsufficientFunds

    world = sql_world
    name = world.seller().name
    world.bazaar.credit(world.operator.id, world.bazaar.find_user(name).id, 50)
    with served(world, None) as api, BazaarClient(api.base_url) as alice:
        alice.sign_in("alice", "correct horse battery")
        context = alice.post_context(QUERY, 100, attention=1, reading_cost=10)
        assert (context.attention, context.reading_cost) == (1, 10)
        plain = alice.post_context(QUERY, 100)
        assert (plain.attention, plain.reading_cost) == (None, 0)
        with BazaarClient(api.base_url) as seller:
            seller.sign_in(name, "correct horse battery")
            offer = seller.post_offer(
                context.id, preview="radar", private_info="rain", price=5, bid=20
            )
            assert offer.bid == 20 and seller.offer(offer.id).bid == 20
            with pytest.raises(InsufficientFunds, match="available cash"):
                seller.post_offer(context.id, preview="more", private_info="x", price=5, bid=31)
            assert seller.post_offer(plain.id, preview="p", private_info="x", price=5).bid == 0
            assert seller.me().balances.cash == 30
    assert audit(world.bazaar.store) == []


def test_volition_ask_and_offer_post_terms_and_bids(
    sql_world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from volition.cli import run

    world = sql_world
    name = world.seller().name
    world.bazaar.credit(world.operator.id, world.bazaar.find_user(name).id, 50)
    with served(world, None) as api:
        login = ["--url", api.base_url, "--password", "correct horse battery"]
        ask = ["ask", QUERY, "--budget", "100", "--attention", "2", "--reading-cost", "5"]
        assert run([*ask, *login, "--user", "alice", "--json"]) == 0
        context = json.loads(capsys.readouterr().out)["context"]
        assert (context["attention"], context["reading_cost"]) == (2, 5)
        offer = ["offer", context["id"], "--preview", "radar", "--private-info", "rain"]
        offer += ["--price", "10", *login, "--user", name]
        assert run([*offer, "--bid", "20"]) == 0
        assert "bidding 20 cents" in capsys.readouterr().out
        assert run([*offer, "--bid", "4"]) == 2
        assert "reading cost of 5 cents" in capsys.readouterr().err
        assert run([*offer, "--bid", "31"]) == 2
        assert "available cash (30 cents)" in capsys.readouterr().err
        assert run([*ask, *login, "--user", "alice", "--attention", "0"]) == 2
        assert "attention" in capsys.readouterr().err
    assert world.bazaar.balances(world.bazaar.find_user(name).id).cash == 30
    assert audit(world.bazaar.store) == []
