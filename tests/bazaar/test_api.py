"""The HTTP API over real HTTP (uvicorn + httpx) on SQLite and PostgreSQL.

These tests show that the faults of the authors' platform cannot happen here: sellers are
paid, budgets cannot be overspent or inflated, private info stays private, and nobody makes
themselves an operator.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.support.api import PASSWORD, ok
from tests.support.bazaar import ApiWorld
from tests.support.databases import SQL_KINDS
from volition.bazaar.domain import audit

pytestmark = pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)


def me(client: httpx.Client) -> dict[str, Any]:
    result: dict[str, Any] = ok(client.get("/api/me"))
    return result


def post_context(client: httpx.Client, budget: int = 1_000, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = ok(
        client.post("/api/contexts", json={"query": "Will it rain?", "budget": budget, **fields}),
        201,
    )
    return result


def post_offer(client: httpx.Client, ctx: str, price: int = 300, secret: str = "yes") -> str:
    body = {"preview": "a forecast", "private_info": secret, "price": price}
    offer_id: str = ok(client.post(f"/api/contexts/{ctx}/offers", json=body), 201)["id"]
    return offer_id


def test_a_buyer_and_a_seller_complete_a_purchase_and_the_seller_is_paid(w: ApiWorld) -> None:
    ctx = post_context(w.buyer, 1_000)
    assert ctx["remaining"] == 1_000
    assert me(w.buyer)["balances"] == {"cash": 9_000, "reserved": 1_000, "earnings": 0}
    ok(w.seller.post("/api/me/matchers", json={"keywords": ["rain"]}), 201)
    assert [c["id"] for c in ok(w.seller.get("/api/me/inbox"))] == [ctx["id"]]
    offer = post_offer(w.seller, ctx["id"], 300, "80% chance")
    assert ok(w.buyer.get(f"/api/offers/{offer}"))["private_info"] is None
    purchase = ok(w.buyer.post(f"/api/offers/{offer}/purchase"), 201)
    assert purchase["mechanism"] == "naive"
    assert purchase["offer"]["private_info"] == "80% chance"
    assert me(w.seller)["balances"]["earnings"] == 300
    again = w.buyer.post(f"/api/offers/{offer}/purchase")
    assert again.status_code == 409 and "only once" in again.json()["message"]
    assert me(w.seller)["balances"]["earnings"] == 300
    [bought] = ok(w.buyer.get("/api/me/purchases"))
    assert bought["offer"]["private_info"] == "80% chance"
    ok(w.buyer.post(f"/api/contexts/{ctx['id']}/decide"))
    assert me(w.buyer)["balances"] == {"cash": 9_700, "reserved": 0, "earnings": 0}
    kinds = [e["kind"] for e in ok(w.buyer.get("/api/me/ledger"))]
    assert kinds == ["release", "purchase", "reserve", "credit"]
    assert audit(w.bazaar.store) == []


def test_budgets_cannot_be_overspent_or_inflated(w: ApiWorld) -> None:
    r = w.buyer.post("/api/contexts", json={"query": "q", "budget": 10_001})
    assert r.status_code == 402 and "available cash" in r.json()["message"]
    for bad in (-1, 1.5, "100", None):
        r = w.buyer.post("/api/contexts", json={"query": "q", "budget": bad})
        assert r.status_code == 422, (bad, r.text)
    ctx = post_context(w.buyer, 500)
    a = post_offer(w.seller, ctx["id"], 400)
    b = post_offer(w.other_seller, ctx["id"], 200)
    ok(w.buyer.post(f"/api/offers/{a}/purchase"), 201)
    r = w.buyer.post(f"/api/offers/{b}/purchase")
    assert r.status_code == 402 and r.json()["error"] == "insufficient_funds"
    r = w.buyer.post("/api/me/ledger", json={"cash": 10**9})
    assert r.status_code == 405
    r = w.buyer.post("/api/operator/credits", json={"user": "alice", "cents": 10**6})
    assert r.status_code == 403
    assert me(w.buyer)["balances"] == {"cash": 9_500, "reserved": 100, "earnings": 0}
    assert me(w.other_seller)["balances"]["earnings"] == 0


def test_private_info_privacy_matrix(w: ApiWorld) -> None:
    ctx = post_context(w.buyer)
    sold = post_offer(w.seller, ctx["id"], 100, "sold secret")
    unsold = post_offer(w.seller, ctx["id"], 100, "unsold secret")
    ok(w.buyer.post(f"/api/offers/{sold}/purchase"), 201)
    child = post_context(w.buyer, 200, parent_offer_ids=[unsold])
    deep = post_offer(w.seller, child["id"], 50, "deep secret")
    ok(w.buyer.post(f"/api/offers/{deep}/purchase"), 201)
    viewers = {
        "anonymous": w.api.anonymous,
        "buyer": w.buyer,
        "other buyer": w.other_buyer,
        "seller": w.seller,
        "other seller": w.other_seller,
        "operator": w.operator,
    }
    allowed = {
        sold: {"buyer", "seller"},
        unsold: {"seller"},
        deep: {"seller"},  # amnesia: bought below an offer the buyer did not buy
    }
    for offer, readers in allowed.items():
        for who, client in viewers.items():
            r = client.get(f"/api/offers/{offer}")
            listed = client.get(f"/api/contexts/{r.json().get('context_id', child['id'])}/offers")
            if offer == deep and who not in ("buyer", "seller"):
                assert r.status_code == 404 and listed.status_code == 404, who
                continue
            secret = r.json()["private_info"]
            assert (secret is not None) == (who in readers), (offer, who)
            [in_list] = [o for o in listed.json() if o["id"] == offer]
            assert in_list["private_info"] == secret, (offer, who)
    for who, client in viewers.items():
        ids = [c["id"] for c in ok(client.get("/api/contexts"))]
        assert child["id"] not in ids, who
        status = client.get(f"/api/contexts/{child['id']}").status_code
        assert status == (200 if who in ("buyer", "seller") else 404), who
    ok(w.buyer.post(f"/api/offers/{unsold}/purchase"), 201)
    assert ok(w.buyer.get(f"/api/offers/{deep}"))["private_info"] == "deep secret"
    purchases = ok(w.other_buyer.get("/api/me/purchases"))
    assert purchases == []


def test_a_follow_up_posted_with_reveal_all_shows_its_purchases_to_its_buyer(
    w: ApiWorld,
) -> None:
    ctx = post_context(w.buyer)
    assert ctx["reveal"] == "with_parent"
    unsold = post_offer(w.seller, ctx["id"], 100, "unsold secret")
    child = post_context(w.buyer, 200, parent_offer_ids=[unsold], reveal="all")
    assert child["reveal"] == "all"
    assert ok(w.seller.get(f"/api/contexts/{child['id']}"))["reveal"] == "all"
    deep = post_offer(w.seller, child["id"], 50, "deep secret")
    ok(w.buyer.post(f"/api/offers/{deep}/purchase"), 201)
    assert ok(w.buyer.get(f"/api/offers/{deep}"))["private_info"] == "deep secret"
    assert ok(w.buyer.get(f"/api/offers/{unsold}"))["private_info"] is None
    for client in (w.api.anonymous, w.other_buyer, w.other_seller, w.operator):
        assert client.get(f"/api/offers/{deep}").status_code == 404


def test_nobody_can_make_themselves_operator(w: ApiWorld) -> None:
    anonymous = w.api.anonymous
    for body in (
        {"name": "mallory", "password": PASSWORD, "is_operator": True},
        {"name": "mallory", "password": PASSWORD, "roles": ["operator"]},
    ):
        r = anonymous.post("/api/users", json=body)
        assert r.status_code == 422, r.text
    r = w.buyer.post("/api/operator/operators", json={"user": "alice"})
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert me(w.buyer)["is_operator"] is False
    assert ok(w.operator.post("/api/operator/operators", json={"user": "bob"}))["is_operator"]


def test_tokens_are_required_checked_and_revocable(w: ApiWorld) -> None:
    anonymous = w.api.anonymous
    r = anonymous.get("/api/me")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert "sign in" in r.json()["message"]
    r = anonymous.get("/api/me", headers={"Authorization": "Bearer forged"})
    assert r.status_code == 401
    r = anonymous.post("/api/tokens", json={"name": "alice", "password": "wrong password"})
    assert r.status_code == 401
    client = w.api.sign_in("alice")
    ok(client.delete("/api/tokens/current"), 204)
    assert client.get("/api/me").status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("post", "/api/contexts", {"budget": 5}, 422),
        ("post", "/api/contexts", {"query": "q", "budget": 5, "priority": 2}, 422),
        ("post", "/api/contexts", {"query": "x" * 2_001, "budget": 5}, 422),
        ("post", "/api/contexts", {"query": "q", "budget": 5, "pages": ["file:///etc"]}, 422),
        ("post", "/api/contexts", {"query": "q", "budget": 5, "parent_offer_ids": ["no"]}, 404),
        ("post", "/api/contexts", {"query": "q", "budget": 5, "reveal": "everything"}, 422),
        ("post", "/api/contexts/ctx_nope/cancel", None, 404),
        (
            "post",
            "/api/contexts/ctx_nope/offers",
            {"preview": "p", "private_info": "s", "price": 1},
            404,
        ),
        ("get", "/api/contexts/ctx_nope", None, 404),
        ("get", "/api/offers/off_nope", None, 404),
        ("delete", "/api/offers/off_nope", None, 404),
        ("post", "/api/offers/off_nope/purchase", None, 404),
        ("delete", "/api/me/matchers/mat_nope", None, 404),
        ("post", "/api/me/matchers", {"min_priority": -1}, 422),
        ("post", "/api/operator/credits", {"user": "alice", "cents": 5}, 403),
        ("post", "/api/users", {"name": "x"}, 422),
        ("post", "/api/users", {"name": "alice", "password": PASSWORD}, 409),
        ("post", "/api/users", {"name": "Bad Name!", "password": PASSWORD}, 422),
    ],
)
def test_bad_input_gets_a_4xx_with_a_message_and_changes_nothing(
    w: ApiWorld, method: str, path: str, body: Any, status: int
) -> None:
    before = me(w.buyer)["balances"]
    r = w.buyer.request(method, path, json=body)
    assert r.status_code == status, r.text
    assert r.json()["message"]
    assert me(w.buyer)["balances"] == before
    assert audit(w.bazaar.store) == []


def test_bad_input_on_real_resources_changes_nothing(w: ApiWorld) -> None:
    ctx = post_context(w.buyer, 100)["id"]
    before = {who: me(c)["balances"] for who, c in (("buyer", w.buyer), ("seller", w.seller))}
    offers = f"/api/contexts/{ctx}/offers"
    cases: list[tuple[Any, str, str, Any, int]] = [
        (w.seller, "post", offers, {"preview": "p", "private_info": "s"}, 422),
        (w.seller, "post", offers, {"preview": "p", "private_info": "s", "price": "5"}, 422),
        (w.seller, "post", offers, {"preview": "p", "private_info": "s" * 20_001, "price": 1}, 422),
        (w.seller, "post", offers, {"preview": "p", "private_info": "s", "price": 1, "x": 1}, 422),
        (w.seller, "post", offers, None, 422),
        (w.api.anonymous, "post", offers, {"preview": "p", "private_info": "s", "price": 1}, 401),
        (w.other_buyer, "post", offers, {"preview": "p", "private_info": "s", "price": 1}, 403),
        (w.buyer, "post", offers, {"preview": "p", "private_info": "s", "price": 1}, 403),
        (w.api.anonymous, "post", "/api/tokens", {"name": "alice"}, 422),
        (w.seller, "post", "/api/me/matchers", {"keywords": "rain"}, 422),
        (w.seller, "post", "/api/me/matchers", {"min_purchase_rate": 2}, 422),
        (w.buyer, "get", "/api/contexts?limit=0", None, 422),
        (w.buyer, "get", "/api/contexts?status=bogus", None, 422),
        (w.api.anonymous, "get", "/api/contexts?mine=true", None, 401),
        (w.operator, "post", "/api/operator/credits", {"user": "nobody", "cents": 5}, 404),
        (w.operator, "post", "/api/operator/credits", {"user": "alice", "cents": 0}, 422),
        (w.operator, "post", f"/api/contexts/{ctx}/cancel", None, 403),
    ]
    for client, method, path, body, status in cases:
        r = client.request(method, path, json=body)
        assert r.status_code == status, (path, body, r.text)
        assert r.json()["message"], (path, body)
    assert ok(w.buyer.get(offers)) == []
    after = {who: me(c)["balances"] for who, c in (("buyer", w.buyer), ("seller", w.seller))}
    assert after == before
    assert audit(w.bazaar.store) == []


def test_someone_elses_context_and_offer(w: ApiWorld) -> None:
    ctx = post_context(w.buyer, 100)
    offer = post_offer(w.seller, ctx["id"], 50)
    assert w.other_buyer.post(f"/api/contexts/{ctx['id']}/cancel").status_code == 403
    assert w.other_buyer.post(f"/api/offers/{offer}/purchase").status_code == 403
    assert w.other_seller.delete(f"/api/offers/{offer}").status_code == 403
    r = w.seller.post(
        f"/api/contexts/{ctx['id']}/offers",
        json={"preview": "p", "private_info": "s", "price": -5},
    )
    assert r.status_code == 422
    assert ok(w.seller.delete(f"/api/offers/{offer}"))["status"] == "withdrawn"
    assert w.buyer.post(f"/api/offers/{offer}/purchase").status_code == 409
    assert ok(w.buyer.post(f"/api/contexts/{ctx['id']}/cancel"))["status"] == "cancelled"
    assert me(w.buyer)["balances"]["cash"] == 10_000


def test_oversize_bodies_are_refused(w: ApiWorld) -> None:
    huge = {"query": "q" * 300_000, "budget": 1}
    r = w.buyer.post("/api/contexts", json=huge)
    assert r.status_code == 413 and r.json()["error"] == "too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the body arrives chunked
        yield b'{"query": "'
        for _ in range(100):
            yield b"q" * 10_000
        yield b'", "budget": 1}'

    r = w.buyer.post(
        "/api/contexts", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["error"] == "too_large"
    assert ok(w.buyer.get("/api/contexts", params={"mine": True})) == []


def test_idempotency_key_header(w: ApiWorld) -> None:
    headers = {"Idempotency-Key": "ctx-1"}
    body = {"query": "q", "budget": 1_000}
    first = ok(w.buyer.post("/api/contexts", json=body, headers=headers), 201)
    again = ok(w.buyer.post("/api/contexts", json=body, headers=headers), 201)
    assert first["id"] == again["id"]
    assert me(w.buyer)["balances"]["cash"] == 9_000


def test_parallel_purchases_and_posts_over_http_never_overspend(w: ApiWorld) -> None:
    ctx = post_context(w.buyer, 1_000)
    sellers = [w.api.sign_up(f"seller{i}", ("seller",)) for i in range(6)]
    offers = [post_offer(s, ctx["id"], 300) for s in sellers]
    calls = [("post", f"/api/offers/{o}/purchase", None) for o in offers] * 2
    calls += [("post", "/api/contexts", {"query": "more", "budget": 2_000})] * 6
    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(lambda c: w.buyer.request(c[0], c[1], json=c[2]).status_code, calls))
    purchases, posts = codes[:12], codes[12:]
    assert purchases.count(201) == 3 and set(purchases) <= {201, 402, 409}, purchases
    assert posts.count(201) == 4 and set(posts) <= {201, 402}, posts  # 9_000 cents of cash
    assert me(w.buyer)["balances"] == {"cash": 1_000, "reserved": 8_100, "earnings": 0}
    assert sum(me(s)["balances"]["earnings"] for s in sellers) == 900
    assert audit(w.bazaar.store) == []


def test_an_expired_context_releases_its_budget(w: ApiWorld) -> None:
    ctx = post_context(w.buyer, 700, expires_in_seconds=3)
    offer = post_offer(w.seller, ctx["id"], 100)
    expires_at = datetime.fromisoformat(ctx["expires_at"].replace("Z", "+00:00"))
    time.sleep(max(0.0, (expires_at - datetime.now(UTC)).total_seconds()) + 0.2)
    r = w.buyer.post(f"/api/offers/{offer}/purchase")
    assert r.status_code == 409 and "expired" in r.json()["message"]
    assert ok(w.buyer.get(f"/api/contexts/{ctx['id']}"))["status"] == "expired"
    assert me(w.buyer)["balances"] == {"cash": 10_000, "reserved": 0, "earnings": 0}


def test_cors_is_closed_by_default(w: ApiWorld) -> None:
    r = w.api.anonymous.options(
        "/api/contexts",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in r.headers
    r = w.api.anonymous.get("/api/contexts", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_no_password_or_token_reaches_the_logs(
    w: ApiWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_password = "a very secret password"
    ok(w.api.anonymous.post("/api/users", json={"name": "erin", "password": secret_password}), 201)
    token = ok(
        w.api.anonymous.post("/api/tokens", json={"name": "erin", "password": secret_password}),
        201,
    )["access_token"]
    w.api.anonymous.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    w.api.anonymous.get("/api/me", headers={"Authorization": "Bearer not-a-token"})
    logged = caplog.text
    assert secret_password not in logged and token not in logged and "not-a-token" not in logged


def test_openapi_documents_the_endpoints(w: ApiWorld) -> None:
    paths = ok(w.api.anonymous.get("/api/openapi.json"))["paths"]
    for path in (
        "/api/users",
        "/api/tokens",
        "/api/me",
        "/api/me/ledger",
        "/api/me/purchases",
        "/api/contexts",
        "/api/contexts/{context_id}",
        "/api/contexts/{context_id}/cancel",
        "/api/contexts/{context_id}/offers",
        "/api/offers/{offer_id}",
        "/api/offers/{offer_id}/purchase",
        "/api/me/matchers",
        "/api/me/inbox",
        "/api/operator/credits",
    ):
        assert path in paths, path
    responses = paths["/api/offers/{offer_id}/purchase"]["post"]["responses"]
    assert {"201", "401", "402", "403", "404", "409", "422"} <= set(responses)
