"""Pay-on-resolution offers over HTTP on SQLite and PostgreSQL (issue 13): a seller asks a
share of the realised marginal value, held in escrow from the buyer's budget at purchase up to
a cap and settled at resolution; the amounts are checked against values computed here, an
annulled question refunds every escrow, refusals change nothing, and the ledger audit stays
clean throughout, also when resolutions and purchases race."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.api import Api, ok
from tests.support.databases import one_store
from tests.support.http_world import QUERY, served
from tests.support.inspection import FUNDS, World, make_world
from tests.support.people import FakeClock
from volition.bazaar.domain import audit
from volition.bazaar.domain.forecast_service import Forecasts

HOUR = 3600
STAKE = 400  # the question's max_escrow: cents per unit of score
BUDGET = 1_000


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    for store in one_store(request.param, request, tmp_path, pg_db_fixture="inspection_pg_url"):
        yield make_world(store, FakeClock())


def _question(client: httpx.Client, closes: int = HOUR, **forecast: Any) -> dict[str, Any]:
    question = {"outcomes": ["rain", "dry"], "closes_in_seconds": closes, "max_escrow": STAKE}
    body = {"query": QUERY, "budget": BUDGET, "forecast": question | forecast}
    return ok(client.post("/api/contexts", json=body), 201)  # type: ignore[no-any-return]


def _offer(
    client: httpx.Client, context_id: str, price: int, rate: Any, cap: Any
) -> httpx.Response:
    body = {
        "preview": "rain or dry?",
        "private_info": "the model run says rain",
        "price": price,
        "pay_on_resolution": {"rate": rate, "cap": cap},
    }
    return client.post(f"/api/contexts/{context_id}/offers", json=body)


def _state(world: World, context_id: str) -> tuple[Any, ...]:
    """Everything a refusal must leave as it was: the books, the offers, escrows, question."""
    store = world.bazaar.store
    with store.begin(write=False) as uow:
        return (
            uow.ledger.balances(),
            uow.offers.for_context(context_id),
            uow.escrows.for_context(context_id),
            uow.purchases.all(),
            store.forecast_repository().get(context_id),
        )


def _step(world: World, context_id: str, node: str, forecast: tuple[float, ...], *ids: str) -> None:
    """The inspection engine's side: a purchase step of the forecast's path."""
    forecasts = Forecasts(world.bazaar)
    forecasts.propose(context_id, node, forecast)
    forecasts.confirm(node, ids)


def _people(api: Api) -> tuple[httpx.Client, httpx.Client, httpx.Client, httpx.Client]:
    buyer, operator = api.sign_in("alice"), api.sign_in("root")
    carol = api.sign_up("carol", roles=("seller",))
    dave = api.sign_up("dave", roles=("seller",))
    return buyer, operator, carol, dave


def test_escrows_are_held_at_purchase_and_settled_at_resolution(sql_world: World) -> None:
    world = sql_world
    with served(world, None) as api:
        buyer, operator, carol, dave = _people(api)
        context = _question(buyer)
        assert context["forecast"]["max_escrow"] == STAKE
        cid = context["id"]
        first = ok(_offer(carol, cid, 100, 0.5, 300), 201)
        assert first["pay_on_resolution"] == {"rate": 0.5, "cap": 300}
        second = ok(_offer(dave, cid, 0, 1, 50), 201)  # instead of a price
        shown = ok(api.anonymous.get(f"/api/offers/{first['id']}"))
        assert shown["pay_on_resolution"] == {"rate": 0.5, "cap": 300}
        assert shown["private_info"] is None

        ok(buyer.post(f"/api/offers/{first['id']}/purchase"), 201)
        ok(buyer.post(f"/api/offers/{second['id']}/purchase"), 201)
        mine = ok(buyer.get(f"/api/contexts/{cid}"))
        assert mine["remaining"] == BUDGET - 100 - 300 - 50  # prices and caps held
        held = ok(buyer.get(f"/api/contexts/{cid}/forecast"))["escrows"]
        assert {e["offer_id"]: (e["cap"], e["settled"], e["payment"]) for e in held} == {
            first["id"]: (300, False, None),
            second["id"]: (50, False, None),
        }
        assert audit(world.bazaar.store) == []

        _step(world, cid, "node-1", (0.8, 0.2), first["id"])
        _step(world, cid, "node-2", (0.6, 0.4), second["id"])  # a step away from the outcome
        world.clock.advance(HOUR)
        ok(operator.post(f"/api/contexts/{cid}/resolve", json={"outcome": "rain"}))

        paid = math.floor(0.5 * STAKE * math.log(0.8 / 0.5))  # floor(rate * stake * value)
        assert paid == 94
        settled = ok(buyer.get(f"/api/contexts/{cid}/forecast"))
        escrows = {e["offer_id"]: e for e in settled["escrows"]}
        assert (escrows[first["id"]]["payment"], escrows[first["id"]]["refund"]) == (94, 206)
        assert escrows[first["id"]]["realised_value"] == pytest.approx(math.log(1.6))
        assert (escrows[second["id"]]["payment"], escrows[second["id"]]["refund"]) == (0, 50)
        scores = {s["offer_id"]: s["price"] for s in settled["scores"]}
        assert scores == {first["id"]: 100 + 94, second["id"]: 0}  # price and payment

        me = ok(buyer.get("/api/me"))["balances"]
        assert me["cash"] == FUNDS - 100 - 94 and me["reserved"] == 0
        assert ok(carol.get("/api/me"))["balances"]["earnings"] == 100 + 94
        assert ok(dave.get("/api/me"))["balances"]["earnings"] == 0
        kinds = [e["kind"] for e in ok(carol.get("/api/me/ledger"))]
        assert kinds.count("escrow_payment") == 1
        record = ok(api.anonymous.get("/api/sellers/carol/record"))
        assert record["value_per_dollar"] == pytest.approx(math.log(1.6) / 1.94)
        assert audit(world.bazaar.store) == [] and world.money() == FUNDS

        before = _state(world, cid)
        r = operator.post(f"/api/contexts/{cid}/resolve", json={"outcome": "dry"})
        assert r.status_code == 409 and "already resolved" in r.json()["message"]
        r = operator.post(f"/api/contexts/{cid}/resolve", json={"annulled": True})
        assert r.status_code == 409
        assert _state(world, cid) == before
        assert audit(world.bazaar.store) == []


def test_an_annulled_question_refunds_every_escrow(sql_world: World) -> None:
    world = sql_world
    with served(world, None) as api:
        buyer, operator, carol, dave = _people(api)
        cid = _question(buyer)["id"]
        offers = [ok(_offer(s, cid, 10, 1, STAKE), 201)["id"] for s in (carol, dave)]
        for offer_id in offers:
            ok(buyer.post(f"/api/offers/{offer_id}/purchase"), 201)
        _step(world, cid, "node-1", (0.99, 0.01), *offers)
        world.clock.advance(HOUR)
        ok(operator.post(f"/api/contexts/{cid}/resolve", json={"annulled": True}))
        escrows = ok(buyer.get(f"/api/contexts/{cid}/forecast"))["escrows"]
        assert [(e["payment"], e["refund"], e["realised_value"]) for e in escrows] == [
            (0, STAKE, None),
            (0, STAKE, None),
        ]
        assert ok(buyer.get("/api/me"))["balances"]["cash"] == FUNDS - 20
        assert ok(carol.get("/api/me"))["balances"]["earnings"] == 10
        assert audit(world.bazaar.store) == [] and world.money() == FUNDS


def test_an_offer_bought_outside_the_path_is_refunded(sql_world: World) -> None:
    world = sql_world
    with served(world, None) as api:
        buyer, operator, carol, _ = _people(api)
        cid = _question(buyer)["id"]
        offer_id = ok(_offer(carol, cid, 0, 1, 7), 201)["id"]
        ok(buyer.post(f"/api/offers/{offer_id}/purchase"), 201)  # no step: no realised value
        world.clock.advance(HOUR)
        ok(operator.post(f"/api/contexts/{cid}/resolve", json={"outcome": "dry"}))
        (escrow,) = ok(buyer.get(f"/api/contexts/{cid}/forecast"))["escrows"]
        assert (escrow["payment"], escrow["refund"]) == (0, 7)
        assert ok(buyer.get("/api/me"))["balances"]["cash"] == FUNDS
        assert audit(world.bazaar.store) == []


BAD_TERMS: list[tuple[Any, Any, str]] = [
    (0, 10, "rate"),
    (-0.5, 10, "rate"),
    (1.5, 10, "rate"),
    (1e-9, 10, "decimal places"),
    (0.1234567, 10, "decimal places"),
    ("0.5", 10, "rate"),
    (True, 10, "rate"),
    (None, 10, "rate"),
    (0.5, 0, "cap"),
    (0.5, -10, "cap"),
    (0.5, 10**13, "cap"),
    (0.5, 1.5, "cap"),
    (0.5, "10", "cap"),
    (0.5, None, "cap"),
    (0.5, STAKE + 1, "accepts escrow caps up to 400"),
    (0.5, 10**9, "accepts escrow caps up to 400"),
]


def test_hostile_terms_are_refused_and_nothing_changes(sql_world: World) -> None:
    world = sql_world
    with served(world, None) as api:
        buyer, _, carol, _ = _people(api)
        cid = _question(buyer)["id"]
        before = _state(world, cid)
        for rate, cap, word in BAD_TERMS:
            r = _offer(carol, cid, 10, rate, cap)
            assert r.status_code == 422, (rate, cap, r.text)
            assert word in r.text, (word, r.text)
        url = f"/api/contexts/{cid}/offers"
        for terms in ({"rate": 0.5}, {"cap": 5}, {"rate": 0.5, "cap": 5, "stake": 1}, [0.5, 5]):
            body = {"preview": "p", "private_info": "s", "price": 1, "pay_on_resolution": terms}
            assert carol.post(url, json=body).status_code == 422, terms
        assert _state(world, cid) == before

        plain = ok(buyer.post("/api/contexts", json={"query": QUERY, "budget": 100}), 201)
        r = _offer(carol, plain["id"], 10, 0.5, 10)
        assert r.status_code == 422 and "not a forecast question" in r.json()["message"]
        closed = _question(buyer, max_escrow=0)
        r = _offer(carol, closed["id"], 10, 0.5, 10)
        assert r.status_code == 422 and "takes no pay-on-resolution" in r.json()["message"]
        for stake in (-1, 10**13, 1.5, "9"):
            r = buyer.post(
                "/api/contexts",
                json={
                    "query": QUERY,
                    "budget": 10,
                    "forecast": {
                        "outcomes": ["a", "b"],
                        "closes_in_seconds": 60,
                        "max_escrow": stake,
                    },
                },
            )
            assert r.status_code == 422 and "max_escrow" in r.text, (stake, r.text)
        for context_id in (plain["id"], closed["id"]):
            assert ok(buyer.get(f"/api/contexts/{context_id}/offers")) == []
        assert audit(world.bazaar.store) == []


def test_a_purchase_must_fit_price_and_cap_and_strangers_are_refused(sql_world: World) -> None:
    world = sql_world
    with served(world, None) as api:
        buyer, operator, carol, dave = _people(api)
        bob = api.sign_up("bob")
        cid = _question(buyer)["id"]
        big = ok(_offer(carol, cid, BUDGET - STAKE + 1, 1, STAKE), 201)["id"]
        before = _state(world, cid)
        r = buyer.post(f"/api/offers/{big}/purchase")
        assert r.status_code == 402 and "holds 400 in escrow" in r.json()["message"]
        assert bob.post(f"/api/offers/{big}/purchase").status_code in (403, 404)
        assert carol.post(f"/api/offers/{big}/purchase").status_code in (403, 404)
        assert buyer.post("/api/offers/off_nothing/purchase").status_code == 404
        r = _offer(buyer, cid, 1, 0.5, 10)  # a buyer is no seller, and not on its own context
        assert r.status_code == 403
        assert _state(world, cid) == before

        fits = ok(_offer(dave, cid, BUDGET - STAKE, 1, STAKE), 201)["id"]
        ok(buyer.post(f"/api/offers/{fits}/purchase"), 201)
        assert ok(buyer.get(f"/api/contexts/{cid}"))["remaining"] == 0
        assert ok(bob.get(f"/api/contexts/{cid}/forecast"))["escrows"] is None  # the buyer's
        assert ok(carol.get(f"/api/contexts/{cid}/forecast"))["escrows"] is None
        world.clock.advance(HOUR)
        after = _state(world, cid)
        for client in (bob, carol, dave, buyer):
            r = client.post(f"/api/contexts/{cid}/resolve", json={"annulled": True})
            assert r.status_code == 403
        assert _state(world, cid)[2] == after[2]
        ok(operator.post(f"/api/contexts/{cid}/resolve", json={"annulled": True}))
        assert ok(buyer.get("/api/me"))["balances"]["cash"] == FUNDS - (BUDGET - STAKE)
        assert audit(world.bazaar.store) == [] and world.money() == FUNDS


def _race(calls: list[Callable[[], httpx.Response]]) -> list[int]:
    """Run ``calls`` at once (a barrier); their status codes."""
    barrier = threading.Barrier(len(calls))
    codes: list[int] = []

    def run(call: Callable[[], httpx.Response]) -> None:
        barrier.wait()
        codes.append(call().status_code)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return codes


def test_racing_resolutions_and_purchases_keep_the_books(sql_world: World) -> None:
    world = sql_world
    with served(world, None) as api:
        buyer, _, carol, dave = _people(api)
        operators = [api.sign_in("root") for _ in range(4)]
        early = _question(buyer)["id"]  # closes first
        late = _question(buyer, closes=2 * HOUR)["id"]
        sellers = (carol, dave)
        early_offers = [ok(_offer(s, early, 5, 0.25, 100), 201)["id"] for s in sellers]
        late_offers = [ok(_offer(s, late, 5, 0.25, 100), 201)["id"] for s in sellers]
        for offer_id in early_offers:
            ok(buyer.post(f"/api/offers/{offer_id}/purchase"), 201)
        _step(world, early, "early-1", (0.9, 0.1), *early_offers)
        world.clock.advance(HOUR)

        def resolve(client: httpx.Client, outcome: str) -> Callable[[], httpx.Response]:
            return lambda: client.post(f"/api/contexts/{early}/resolve", json={"outcome": outcome})

        def buy(offer_id: str) -> Callable[[], httpx.Response]:
            return lambda: buyer.post(f"/api/offers/{offer_id}/purchase")

        calls = [resolve(c, ("rain", "dry")[i % 2]) for i, c in enumerate(operators)]
        codes = _race(calls + [buy(o) for o in late_offers] + [buy(o) for o in late_offers])
        assert sorted(codes) == sorted([200, 409, 409, 409, 201, 201, 409, 409])
        assert audit(world.bazaar.store) == []
        outcome = ok(buyer.get(f"/api/contexts/{early}/forecast"))["outcome"]
        expected = math.floor(0.25 * STAKE * math.log(0.9 / 0.5)) if outcome == "rain" else 0
        escrows = ok(buyer.get(f"/api/contexts/{early}/forecast"))["escrows"]
        assert [e["payment"] for e in escrows] == [expected, expected]

        _step(world, late, "late-1", (0.3, 0.7), *late_offers)
        world.clock.advance(HOUR)
        calls = [
            (lambda c=c: c.post(f"/api/contexts/{late}/resolve", json={"outcome": "dry"}))
            for c in operators
        ]
        assert sorted(_race(calls)) == [200, 409, 409, 409]
        escrows = ok(buyer.get(f"/api/contexts/{late}/forecast"))["escrows"]
        paid = math.floor(0.25 * STAKE * math.log(0.7 / 0.5))
        assert [(e["payment"], e["refund"]) for e in escrows] == [(paid, 100 - paid)] * 2
        assert audit(world.bazaar.store) == [] and world.money() == FUNDS
