"""Hostile visits over HTTP to what stop 21 changed (issue 15), on SQLite and PostgreSQL.

- ``follow_ups.seen_at`` now reads a whole tree at once (the writers' chain, every context
  below the highest, their offers and purchases): a purchase two levels down whose seller
  refused quotation still keeps a later follow-up's query (which quotes its private info)
  from the sellers asked, in the context's JSON and in their inbox.
- The owner's operations lock the buyer and the context in one read (``lock_owned``): another
  user's token, odd ids and racing requests change nothing but what the owner asked, once.
- A context may now be posted already ``inspecting`` (the engine's follow-ups): the API does
  not let a buyer ask for that, nor for anything else the engine sets.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.api import ok
from tests.support.bazaar import ApiWorld
from tests.support.databases import SQL_KINDS
from volition.bazaar.domain import audit

pytestmark = pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)

SECRET = "SECRET-G 4417"


def _context(client: httpx.Client, budget: int, **fields: Any) -> str:
    body = {"query": "Will it rain?", "budget": budget, **fields}
    context_id: str = ok(client.post("/api/contexts", json=body), 201)["id"]
    return context_id


def _offer(client: httpx.Client, context_id: str, secret: str, *, quotable: bool = True) -> str:
    body = {"preview": "a forecast", "private_info": secret, "price": 50, "quotable": quotable}
    offer_id: str = ok(client.post(f"/api/contexts/{context_id}/offers", json=body), 201)["id"]
    return offer_id


@pytest.mark.parametrize("quotable", [False, True])
def test_a_purchase_two_levels_down_that_refuses_quotation_withholds_a_later_query(
    w: ApiWorld, quotable: bool
) -> None:
    """alice's tree: root R, its follow-up C1 about carol's offer a, C1's follow-up C2 about
    carol's offer b, where alice buys carol's offer g (private info ``SECRET``, quotation
    refused or not). alice then asks mallory, in a new follow-up C3 of R, about ``SECRET``.
    What alice could have read below R includes g: mallory sees C3's query only if g may be
    quoted; alice always sees her own query."""
    alice, carol = w.buyer, w.seller
    mallory = w.api.sign_up("mallory", ("seller",))
    root = _context(alice, 3_000)
    a = _offer(carol, root, "a's secret")
    c1 = _context(alice, 1_000, query="Is a right?", parent_offer_ids=[a])
    b = _offer(carol, c1, "b's secret")
    c2 = _context(alice, 400, query="Is b right?", parent_offer_ids=[b])
    g = _offer(carol, c2, SECRET, quotable=quotable)
    ok(alice.post(f"/api/offers/{g}/purchase"), 201)
    question = f"Someone says {SECRET}: is that so?"
    c3 = _context(alice, 300, query=question, parent_offer_ids=[a], named_sellers=["mallory"])

    seen_by_mallory = [
        mallory.get(f"/api/contexts/{c3}").text,
        mallory.get("/api/me/inbox").text,
        mallory.get(f"/api/contexts/{c3}/offers").text,
        mallory.get(f"/api/offers/{g}").text,
        mallory.get(f"/api/contexts/{c2}").text,
    ]
    if quotable:
        assert ok(mallory.get(f"/api/contexts/{c3}"))["query"] == question
    else:
        assert not any(SECRET in text for text in seen_by_mallory), seen_by_mallory
        assert ok(mallory.get(f"/api/contexts/{c3}"))["disclosure"] == "withheld"
        assert [c["id"] for c in ok(mallory.get("/api/me/inbox"))] == [c3]  # still asked
    assert ok(alice.get(f"/api/contexts/{c3}"))["query"] == question  # her own query
    assert mallory.get(f"/api/offers/{g}").json().get("private_info") is None
    # an offer on C3 by mallory, quoting what she was shown, is hers to post
    _offer(mallory, c3, "a reply")
    assert audit(w.bazaar.store) == []


@pytest.mark.parametrize("action", ["cancel", "decide"])
def test_owner_operations_refuse_other_users_and_odd_ids(w: ApiWorld, action: str) -> None:
    context = _context(w.buyer, 1_000)
    before = ok(w.buyer.get("/api/me"))["balances"]
    for stranger, status in (
        (w.other_buyer, 403),
        (w.seller, 403),
        (w.operator, 403),
        (w.api.anonymous, 401),
    ):
        r = stranger.post(f"/api/contexts/{context}/{action}")
        assert r.status_code == status, (stranger, r.text)
    for odd in ("ctx_missing", "x" * 5_000, "%00", "..%2f..%2fme", "ctx' OR '1'='1", "%F0%9F"):
        r = w.buyer.post(f"/api/contexts/{odd}/{action}")
        assert r.status_code in (404, 422), (odd, r.status_code, r.text)
    assert ok(w.buyer.get(f"/api/contexts/{context}"))["status"] == "open"
    assert ok(w.buyer.get("/api/me"))["balances"] == before
    done = ok(w.buyer.post(f"/api/contexts/{context}/{action}"))
    assert done["status"] == {"cancel": "cancelled", "decide": "decided"}[action]
    again = w.buyer.post(f"/api/contexts/{context}/{action}")
    assert again.status_code == 409 and "nothing to release" in again.json()["message"]
    assert ok(w.buyer.get("/api/me"))["balances"]["reserved"] == before["reserved"] - 1_000
    assert audit(w.bazaar.store) == []


@pytest.mark.parametrize(
    "extra",
    [
        {"inspecting": True},
        {"status": "inspecting"},
        {"by_inspector": True},
        {"parent_context_id": "ctx_x"},
        {"named_seller_ids": ["usr_x"]},
    ],
)
def test_a_buyer_cannot_post_what_only_the_engine_sets(w: ApiWorld, extra: dict[str, Any]) -> None:
    before = ok(w.buyer.get("/api/me"))["balances"]
    r = w.buyer.post("/api/contexts", json={"query": "q", "budget": 100, **extra})
    assert r.status_code == 422, r.text
    assert next(iter(extra)) in r.text  # says which field is not accepted
    assert ok(w.buyer.get("/api/me"))["balances"] == before
    assert ok(w.buyer.get("/api/contexts?mine=true")) == []


def test_racing_closes_and_purchases_over_http_move_money_once(w: ApiWorld) -> None:
    context = _context(w.buyer, 600)
    offers = [_offer(w.seller, context, f"secret {i}") for i in range(3)]
    calls: list[tuple[httpx.Client, str]] = [
        *((w.buyer, f"/api/contexts/{context}/cancel") for _ in range(4)),
        *((w.buyer, f"/api/contexts/{context}/decide") for _ in range(4)),
        *((w.buyer, f"/api/offers/{o}/purchase") for o in offers),
        *((w.other_buyer, f"/api/contexts/{context}/cancel") for _ in range(3)),
    ]
    with ThreadPoolExecutor(len(calls)) as pool:
        replies = list(pool.map(lambda call: call[0].post(call[1]), calls))
    statuses = [r.status_code for r in replies]
    closes = [r for r, (_, path) in zip(replies, calls, strict=True) if "/contexts/" in path]
    assert sum(r.status_code == 200 for r in closes) == 1, statuses
    assert all(s in (200, 201, 403, 409) for s in statuses), [r.text for r in replies]
    assert statuses[-3:] == [403, 403, 403]  # bob's, whatever the order
    bought = sum(s == 201 for s in statuses)
    me = ok(w.buyer.get("/api/me"))["balances"]
    assert me["reserved"] == 0 and me["cash"] == 10_000 - 50 * bought
    assert ok(w.seller.get("/api/me"))["balances"]["earnings"] == 50 * bought
    assert audit(w.bazaar.store) == []
