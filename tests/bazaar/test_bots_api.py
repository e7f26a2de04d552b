"""Bots and LLM credentials over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.support.api import ok
from tests.support.bazaar import ApiWorld
from tests.support.databases import SQL_KINDS
from volition.bazaar.api import ApiSettings
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.bot_dispatch import BotDispatcher
from volition.bazaar.domain import BotService, audit
from volition.bazaar.platform import assemble
from volition.bazaar.secretbox import ENV_VAR, new_key
from volition.bazaar.server import build_app
from volition.bazaar.storage import SqlStore

pytestmark = pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)

KEY = "sk-test-VERYSECRET-9876543210"
FIXED = {
    "name": "fact checker",
    "kind": "fixed",
    "price": 60,
    "preview": "Checked against the registry",
    "private_info": "bot secret: the registry says it is false",
    "keywords": ["rain", "accurate"],
}


@pytest.fixture(autouse=True)
def master_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, new_key())


def run_bots(w: ApiWorld) -> int:
    return BotDispatcher(w.bazaar, BotService(w.bazaar)).run_due()


def post_context(client: httpx.Client, budget: int = 1_000, **fields: Any) -> dict[str, Any]:
    body = {"query": "Will it rain?", "budget": budget, **fields}
    result: dict[str, Any] = ok(client.post("/api/contexts", json=body), 201)
    return result


def test_a_seller_runs_a_bot_through_the_api(w: ApiWorld) -> None:
    bot = ok(w.seller.post("/api/bots", json=FIXED), 201)
    assert bot["active"] and bot["private_info"] == FIXED["private_info"]
    ctx = post_context(w.buyer)
    assert run_bots(w) == 1
    [offer] = ok(w.seller.get(f"/api/contexts/{ctx['id']}/offers"))
    assert offer["private_info"] == FIXED["private_info"] and offer["price"] == 60
    [job] = ok(w.seller.get(f"/api/bots/{bot['id']}/jobs"))
    assert (job["context_id"], job["status"], job["offer_id"]) == (ctx["id"], "done", offer["id"])
    paused = ok(w.seller.post(f"/api/bots/{bot['id']}/pause"))
    assert paused["active"] is False
    post_context(w.buyer)
    assert run_bots(w) == 0
    changed = ok(w.seller.patch(f"/api/bots/{bot['id']}", json={"active": True, "price": 70}))
    assert (changed["active"], changed["price"]) == (True, 70)
    assert run_bots(w) == 1
    assert [b["id"] for b in ok(w.seller.get("/api/bots"))] == [bot["id"]]
    ok(w.seller.delete(f"/api/bots/{bot['id']}"), 204)
    assert ok(w.seller.get("/api/bots")) == []
    assert len(ok(w.seller.get(f"/api/contexts/{ctx['id']}/offers"))) == 1  # offers stay
    assert audit(w.bazaar.store) == []


def test_privacy_matrix_with_a_bot_owner(w: ApiWorld) -> None:
    owner = w.api.sign_up("erin", ("seller",))
    bot = ok(owner.post("/api/bots", json=FIXED), 201)
    ctx = post_context(w.buyer)
    body = {"preview": "a forecast", "private_info": "seller secret", "price": 100}
    unsold = ok(w.seller.post(f"/api/contexts/{ctx['id']}/offers", json=body), 201)["id"]
    assert run_bots(w) == 1
    offers = ok(owner.get(f"/api/contexts/{ctx['id']}/offers"))
    [sold] = [o["id"] for o in offers if o["id"] != unsold]
    ok(w.buyer.post(f"/api/offers/{sold}/purchase"), 201)
    child = post_context(
        w.buyer,
        200,
        query="Is this accurate: a forecast",
        parent_offer_ids=[unsold],
        named_sellers=["erin", "carol"],
    )
    assert run_bots(w) == 1
    [deep] = [o["id"] for o in ok(owner.get(f"/api/contexts/{child['id']}/offers"))]
    ok(w.buyer.post(f"/api/offers/{deep}/purchase"), 201)
    viewers = {
        "anonymous": w.api.anonymous,
        "buyer": w.buyer,
        "other buyer": w.other_buyer,
        "seller": w.seller,
        "other seller": w.other_seller,
        "bot owner": owner,
        "operator": w.operator,
    }
    readers = {
        sold: {"buyer", "bot owner"},  # the bot's offer, bought
        unsold: {"seller"},
        deep: {"bot owner"},  # amnesia: bought below an offer the buyer did not buy
    }
    sees_child = {"buyer", "seller", "bot owner"}
    for offer, allowed in readers.items():
        for who, client in viewers.items():
            r = client.get(f"/api/offers/{offer}")
            if offer == deep and who not in sees_child:
                assert r.status_code == 404, who
                continue
            assert (ok(r)["private_info"] is not None) == (who in allowed), (offer, who)
    for who, client in viewers.items():
        status = client.get(f"/api/contexts/{child['id']}").status_code
        assert status == (200 if who in sees_child else 404), who
        if who != "bot owner":
            r = client.get(f"/api/bots/{bot['id']}")
            assert r.status_code in (401, 404), who
    listed = ok(w.operator.get("/api/bots?all=true"))
    assert [b["id"] for b in listed] == [bot["id"]]
    assert "private_info" not in listed[0] and FIXED["private_info"] not in str(listed)
    assert ok(w.seller.get("/api/bots")) == []  # carol has no bots; erin's are erin's


def test_the_llm_endpoint_is_stored_encrypted_and_shown_as_a_hint(w: ApiWorld) -> None:
    assert w.seller.get("/api/me/llm").status_code == 404
    body = {"base_url": "https://llm.example/v1", "model": "m", "api_key": KEY}
    shown = ok(w.seller.put("/api/me/llm", json=body))
    assert shown["key_hint"] == "...3210" and KEY not in str(shown)
    again = ok(w.seller.get("/api/me/llm"))
    assert again == shown
    assert w.buyer.get("/api/me/llm").status_code == 404  # one user's endpoint is theirs
    store = w.bazaar.store
    assert isinstance(store, SqlStore)
    with store.engine.connect() as conn:
        [row] = [str(tuple(r)) for r in conn.execute(text("SELECT * FROM llm_credentials"))]
    assert KEY not in row and "VERYSECRET" not in row
    ok(w.seller.delete("/api/me/llm"), 204)
    assert w.seller.get("/api/me/llm").status_code == 404


def test_bad_input_on_every_bot_endpoint_changes_nothing(w: ApiWorld) -> None:
    bot = ok(w.seller.post("/api/bots", json=FIXED), 201)
    path = f"/api/bots/{bot['id']}"
    llm = {"base_url": "https://x/v1", "model": "m", "api_key": KEY}
    cases: list[tuple[httpx.Client, str, str, Any, int]] = [
        (w.api.anonymous, "post", "/api/bots", FIXED, 401),
        (w.buyer, "post", "/api/bots", FIXED, 403),
        (w.seller, "post", "/api/bots", {**FIXED, "price": -1}, 422),
        (w.seller, "post", "/api/bots", {**FIXED, "price": "5"}, 422),
        (w.seller, "post", "/api/bots", {**FIXED, "kind": "oracle"}, 422),
        (w.seller, "post", "/api/bots", {**FIXED, "owner_id": "usr_x"}, 422),
        (w.seller, "post", "/api/bots", {**FIXED, "private_info": ""}, 422),
        (w.seller, "post", "/api/bots", {**FIXED, "private_info": "s" * 20_001}, 422),
        (w.seller, "post", "/api/bots", {**FIXED, "min_priority": 1.5}, 422),
        (w.seller, "post", "/api/bots", {**FIXED, "keywords": "rain"}, 422),
        (w.seller, "post", "/api/bots", {k: v for k, v in FIXED.items() if k != "name"}, 422),
        (w.seller, "post", "/api/bots", {**FIXED, "kind": "llm", "instructions": "x"}, 409),
        (w.seller, "post", "/api/bots", None, 422),
        (w.seller, "get", "/api/bots/bot_nope", None, 404),
        (w.other_seller, "get", path, None, 404),
        (w.other_seller, "patch", path, {"price": 1}, 404),
        (w.other_seller, "post", f"{path}/pause", None, 404),
        (w.other_seller, "delete", path, None, 404),
        (w.other_seller, "get", f"{path}/jobs", None, 404),
        (w.seller, "patch", path, {"price": -5}, 422),
        (w.seller, "patch", path, {"kind": "llm"}, 422),
        (w.seller, "patch", path, {"active": "no"}, 422),
        (w.seller, "patch", path, {"preview": ""}, 422),
        (w.seller, "get", "/api/bots?all=true", None, 403),
        (w.api.anonymous, "put", "/api/me/llm", llm, 401),
        (w.seller, "put", "/api/me/llm", {**llm, "base_url": "file:///etc/passwd"}, 422),
        (w.seller, "put", "/api/me/llm", {**llm, "api_key": ""}, 422),
        (w.seller, "put", "/api/me/llm", {**llm, "api_key": "a b"}, 422),
        (w.seller, "put", "/api/me/llm", {k: v for k, v in llm.items() if k != "model"}, 422),
        (w.seller, "delete", "/api/me/llm", None, 404),
    ]
    for client, method, url, body, status in cases:
        r = client.request(method, url, json=body)
        assert r.status_code == status, (method, url, body, r.text)
        assert r.json()["message"], (url, body)
        assert KEY not in r.text
    assert ok(w.seller.get("/api/bots")) == [bot]
    assert w.seller.get("/api/me/llm").status_code == 404
    assert audit(w.bazaar.store) == []


def test_the_master_key_is_a_file_beside_sqlite_and_required_on_postgresql(
    w: ApiWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR)  # read when a server starts: one started without it
    quiet = ApiSettings(expiry_sweep_seconds=0, run_inspections=False)
    with (
        serve_in_thread(build_app(assemble(w.bazaar), quiet)) as url,
        httpx.Client(base_url=url, headers=w.seller.headers) as seller,
    ):
        _store_a_key_without_a_master_key(w, seller)


def _store_a_key_without_a_master_key(w: ApiWorld, seller: httpx.Client) -> None:
    assert ok(seller.get("/api/bots")) == []  # bots need no master key
    body = {"base_url": "https://llm.example/v1", "model": "m", "api_key": KEY}
    store = w.bazaar.store
    assert isinstance(store, SqlStore)
    r = seller.put("/api/me/llm", json=body)
    if store.dialect == "sqlite":
        assert r.status_code == 200, r.text
        database = store.engine.url.database
        assert database is not None
        key_file = Path(database + ".key")
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert KEY not in key_file.read_text()
    else:
        assert r.status_code == 500 and ENV_VAR in r.json()["message"]
        assert KEY not in r.text
        assert seller.get("/api/me/llm").status_code == 404
