"""Bayesian bots over real HTTP, on SQLite and PostgreSQL: created with a market, answering
a matching root context and its child context as jobs; bad markets refused with the key."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.support.api import ok
from tests.support.bayesian import market_spec
from tests.support.bazaar import ApiWorld
from tests.support.databases import SQL_KINDS
from volition.agents.bayesian import Revelation, parse_revelation
from volition.bazaar.bot_dispatch import BotDispatcher
from volition.bazaar.domain import BotService, audit
from volition.bazaar.storage import SqlStore

pytestmark = pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)


def bayes(offer: str, **fields: Any) -> dict[str, Any]:
    return {
        "name": f"sells {offer}",
        "kind": "bayesian",
        "market": market_spec(),
        "market_offer": offer,
        "market_state": "i11_E",
        "cents_per_unit": 100,
        **fields,
    }


def run_bots(w: ApiWorld) -> int:
    return BotDispatcher(w.bazaar, BotService(w.bazaar)).run_due()


def test_a_bayesian_bot_created_over_the_api_answers_its_level(w: ApiWorld) -> None:
    first = ok(w.seller.post("/api/bots", json=bayes("o1", keywords=["forecast"])), 201)
    checker = ok(w.other_seller.post("/api/bots", json=bayes("o2", market_state=6)), 201)
    assert (first["kind"], first["price"], first["market_offer"]) == ("bayesian", 0, "o1")
    assert checker["market_state"] == "i11_E" and checker["price"] == 1
    assert checker["market"] == market_spec()  # the owner reads the market back
    assert ok(w.other_seller.get(f"/api/bots/{checker['id']}")) == checker
    listed = ok(w.operator.get("/api/bots?all=true"))
    assert "market_state" not in str(listed) and "i11_E" not in str(listed)  # private

    ctx = ok(w.buyer.post("/api/contexts", json={"query": "A forecast of E?", "budget": 500}), 201)
    assert run_bots(w) == 1 and run_bots(w) == 0  # the level-1 bot stays silent on the root
    [offer] = ok(w.buyer.get(f"/api/contexts/{ctx['id']}/offers"))
    assert offer["price"] == 0 and offer["preview"].startswith("market offer o1 at level 0")
    bought = ok(w.buyer.post(f"/api/offers/{offer['id']}/purchase"), 201)
    seen = ok(w.buyer.get(f"/api/offers/{bought['offer_id']}"))
    assert parse_revelation(seen["private_info"]) == Revelation("o1", {"I1": 1})

    child = {
        "query": "Is it accurate?",
        "budget": 100,
        "parent_offer_ids": [offer["id"]],
        "named_sellers": ["dave"],
    }
    child_ctx = ok(w.buyer.post("/api/contexts", json=child), 201)
    assert run_bots(w) == 1
    [check] = ok(w.other_seller.get(f"/api/contexts/{child_ctx['id']}/offers"))
    assert parse_revelation(check["private_info"]) == Revelation("o2", {"I2": 1})
    jobs = ok(w.other_seller.get(f"/api/bots/{checker['id']}/jobs"))
    assert {(j["context_id"], j["offer_id"]) for j in jobs} == {
        (ctx["id"], None),
        (child_ctx["id"], check["id"]),
    }
    changed = ok(w.other_seller.patch(f"/api/bots/{checker['id']}", json={"cents_per_unit": 500}))
    assert changed["price"] == 5
    assert audit(w.bazaar.store) == []


def test_bad_bayesian_bots_are_refused_over_the_api_and_change_nothing(w: ApiWorld) -> None:
    bot = ok(w.seller.post("/api/bots", json=bayes("o2")), 201)
    path = f"/api/bots/{bot['id']}"
    no_levels = {"world": market_spec()["world"]}
    cases: list[tuple[str, str, Any, str]] = [
        ("post", "/api/bots", bayes("o9"), "no offer 'o9'; its offers are o1, o2"),
        ("post", "/api/bots", bayes("o1", market_state="nowhere"), "unknown state 'nowhere'"),
        ("post", "/api/bots", bayes("o1", market=no_levels), "levels"),
        ("post", "/api/bots", bayes("o1", market={**no_levels, "levels": 3}), "levels"),
        ("post", "/api/bots", bayes("o1", market={**market_spec(), "world": "/etc/x"}), "inline"),
        ("post", "/api/bots", bayes("o1", market="{}"), "market"),
        ("post", "/api/bots", bayes("o1", cents_per_unit=0), "cents_per_unit"),
        ("post", "/api/bots", bayes("o2", price=9), "give 1, not 9"),
        ("post", "/api/bots", {k: v for k, v in bayes("o1").items() if k != "market"}, "market"),
        ("patch", path, {"market_offer": "o9"}, "no offer 'o9'"),
        ("patch", path, {"market_state": -1}, "market_state"),
    ]
    for method, url, body, message in cases:
        r: httpx.Response = w.seller.request(method, url, json=body)
        assert r.status_code == 422, (url, body, r.text)
        assert message in r.json()["message"], (message, r.text)
    assert ok(w.seller.get("/api/bots")) == [bot]
    store = w.bazaar.store
    assert isinstance(store, SqlStore)
    with pytest.raises(Exception, match=r"(?i)check|constraint"), store.engine.begin() as conn:
        conn.execute(text("UPDATE bots SET market = NULL"))  # the database refuses it too
