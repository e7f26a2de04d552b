"""Hostile visits to what stop 20 changed in the forecast surfaces, over real HTTP:

- a question is posted in one unit with its context: racing posts of one question under one
  idempotency key make one context, one question and one reservation (never a context without
  its question), and the key reused for another question is refused with nothing changed;
- escrows and track records are read out by the one record conversion (``RecordPublic``): an
  escrow shows exactly its public fields (never its buyer or context ids) and only to the
  question's buyer; a track record never shows the seller's user id.

On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.api import ok
from tests.support.databases import one_store
from tests.support.http_world import QUERY, served
from tests.support.inspection import FUNDS, World, make_world
from tests.support.people import FakeClock
from volition.bazaar.domain import audit
from volition.bazaar.domain.forecast_service import Forecasts

HOUR = 3600
ESCROW_FIELDS = {
    "purchase_id",
    "offer_id",
    "seller_id",
    "rate",
    "cap",
    "held_at",
    "settled",
    "payment",
    "refund",
    "realised_value",
}
RECORD_FIELDS = {
    "seller",
    "offers",
    "questions",
    "mean_value",
    "value_per_dollar",
    "mean_confidence",
    "hit_rate",
    "calibration_gap",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    for store in one_store(request.param, request, tmp_path, pg_db_fixture="inspection_pg_url"):
        yield make_world(store, FakeClock())


def _body(outcomes: tuple[str, ...] = ("rain", "dry")) -> dict[str, Any]:
    forecast = {"outcomes": list(outcomes), "closes_in_seconds": HOUR, "max_escrow": 300}
    return {"query": QUERY, "budget": 1_000, "forecast": forecast}


def test_racing_posts_of_one_question_under_one_key_post_it_once(sql_world: World) -> None:
    world = sql_world
    with served(world, None) as api:
        buyer = api.sign_in("alice")
        headers = {"Idempotency-Key": "question-1"}
        answers: list[httpx.Response] = []
        start = threading.Barrier(6, timeout=30)

        def post() -> None:
            start.wait()
            answers.append(buyer.post("/api/contexts", json=_body(), headers=headers))

        threads = [threading.Thread(target=post) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        codes = sorted(r.status_code for r in answers)
        assert len(answers) == 6 and set(codes) <= {201, 409}, codes
        posted = {r.json()["id"] for r in answers if r.status_code == 201}
        assert len(posted) == 1, posted  # every success is the same context
        [context_id] = posted
        mine = world.bazaar.contexts(world.buyer.id, mine=True)
        assert [c.id for c in mine] == [context_id]  # one context, and it is a question
        assert Forecasts(world.bazaar).question(context_id) is not None
        assert world.bazaar.balances(world.buyer.id).reserved == 1_000  # reserved once

        # the same key for another question: refused, nothing changed
        before = (world.bazaar.balances(world.buyer.id), len(mine))
        other = buyer.post("/api/contexts", json=_body(("up", "down")), headers=headers)
        assert other.status_code in (200, 201, 409)
        if other.status_code == 409:
            assert "idempotency key" in other.json()["message"]
        else:  # the outcomes are not part of the context's request: the first is replayed
            assert other.json()["id"] == context_id
        after = (
            world.bazaar.balances(world.buyer.id),
            len(world.bazaar.contexts(world.buyer.id, mine=True)),
        )
        assert after == before
        assert Forecasts(world.bazaar).question(context_id).outcomes == ("rain", "dry")  # type: ignore[union-attr]
        assert audit(world.bazaar.store) == [] and world.money() == FUNDS


def test_escrows_show_their_public_fields_to_the_buyer_only(sql_world: World) -> None:
    world = sql_world
    with served(world, None) as api:
        buyer, other_buyer = api.sign_in("alice"), api.sign_up("bob")
        carol = api.sign_up("carol", roles=("seller",))
        dave = api.sign_up("dave", roles=("seller",))
        cid = ok(buyer.post("/api/contexts", json=_body()), 201)["id"]
        terms = {"rate": 0.5, "cap": 300}
        offer = ok(
            carol.post(
                f"/api/contexts/{cid}/offers",
                json={"preview": "p", "private_info": "SECRET-carol", "price": 10}
                | {"pay_on_resolution": terms},
            ),
            201,
        )
        ok(buyer.post(f"/api/offers/{offer['id']}/purchase"), 201)

        [escrow] = ok(buyer.get(f"/api/contexts/{cid}/forecast"))["escrows"]
        assert set(escrow) == ESCROW_FIELDS  # never the buyer's or the context's id
        assert (escrow["offer_id"], escrow["cap"], escrow["settled"]) == (offer["id"], 300, False)
        assert world.buyer.id not in str(escrow)
        for viewer in (carol, dave, other_buyer, api.anonymous):  # its seller included
            shown = viewer.get(f"/api/contexts/{cid}/forecast")
            if shown.status_code == 200:
                assert shown.json()["escrows"] is None
                assert "SECRET-carol" not in shown.text
            else:
                assert shown.status_code == 404  # may not see the context at all

        record = ok(api.anonymous.get("/api/sellers/carol/record"))
        assert set(record) == RECORD_FIELDS and record["seller"] == "carol"
        carol_id = world.bazaar.find_user("carol").id
        assert carol_id not in str(record)
        for hostile in ("carol%00", "x" * 5_000, "..%2f..%2fetc", "' OR 1=1 --"):
            r = api.anonymous.get(f"/api/sellers/{hostile}/record")
            assert r.status_code in (404, 422), (hostile, r.status_code)
