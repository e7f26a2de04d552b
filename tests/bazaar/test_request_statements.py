"""Statements per request on PostgreSQL: the load test's seven requests stay within a budget.

Issue 15 ("Request path", benchmarks/RESULTS.md): what a request costs in server CPU is mostly
Python per statement and per transaction, so each request of the mixed workload of
``benchmarks/bench_bazaar.py`` is counted over real HTTP and fails above its budget. The
statements are counted on the bazaar's engine in the request threads; the ``NOTIFY`` that tells
other processes of a posted context or offer is sent apart, by the sender's own thread, as one
statement outside any transaction.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from tests.support.api import Api, ok
from tests.support.people import CHEAP_HASHER, FakeClock
from volition.bazaar.api import ApiSettings
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.domain import Bazaar, BazaarSettings
from volition.bazaar.platform import assemble
from volition.bazaar.server import build_app
from volition.bazaar.storage import SqlStore
from volition.bazaar.storage.models import Base

SENDER = "pg-notify"  # the EventSender's thread


@dataclass
class Counts:
    """Statements and transactions (not autocommit) by thread kind, while ``on``."""

    on: bool = False
    statements: Counter[str] = field(default_factory=Counter)
    transactions: Counter[str] = field(default_factory=Counter)
    notices: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.statements.clear()
        self.transactions.clear()
        self.notices.clear()


@dataclass
class World:
    api: Api
    counts: Counts
    buyer: httpx.Client
    seller: httpx.Client
    clock: FakeClock

    def count(self, method: str, path: str, client: httpx.Client, **kw: Any) -> httpx.Response:
        """One request, counted; waits for the sender to send what the request queued."""
        self.counts.clear()
        self.counts.on = True
        try:
            response = client.request(method, path, **kw)
            time.sleep(0.3)  # the sender sends right away; give its thread the time
        finally:
            self.counts.on = False
        return response


@pytest.fixture
def world(pg_url: str, clock: FakeClock) -> Iterator[World]:
    store = SqlStore.open(pg_url, migrate=False)
    tables = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    counts = Counts()

    def kind() -> str:
        return SENDER if threading.current_thread().name == SENDER else "request"

    @event.listens_for(store.engine, "before_cursor_execute")
    def statement(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        if counts.on:
            counts.statements[kind()] += 1
            if "pg_notify" in sql:
                counts.notices.append(kind())

    @event.listens_for(store.engine, "commit")
    def commit(conn: Any) -> None:
        if counts.on and conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            counts.transactions[kind()] += 1

    bazaar = Bazaar(
        store, hasher=CHEAP_HASHER, settings=BazaarSettings(starting_grant=0), clock=clock
    )
    platform = assemble(bazaar)  # the bots' listener and the NOTIFY sender, as served
    settings = ApiSettings(run_inspections=False, expiry_sweep_seconds=0)
    app = build_app(platform, settings)
    try:
        with serve_in_thread(app) as base:
            api = Api(base)
            buyer = api.sign_up("buyer", ("buyer",))
            seller = api.sign_up("seller", ("seller",))
            bazaar.bootstrap_operator("root", "correct horse battery")
            root = api.sign_in("root", "correct horse battery")
            ok(root.post("/api/operator/credits", json={"user": "buyer", "cents": 10_000}), 201)
            yield World(api, counts, buyer, seller, clock)
            api.close()
    finally:
        store.close()


# Budgets: statements in the request's threads and transactions; a one-statement read runs in
# autocommit (no BEGIN/COMMIT). The authentication reads the token once per user and process
# (then kept: domain.token_cache): in the two postings below, each user's first request here.
BUDGETS = {
    "POST /contexts": (6, 1),
    "POST /contexts/{id}/offers": (4, 1),
    "GET /contexts": (1, 0),
    "GET /contexts/{id}/offers": (3, 1),
    "POST /offers/{id}/purchase": (11, 1),
    "GET /me": (1, 0),
    "GET /offers/{id}": (3, 1),
}


def test_the_load_tests_requests_stay_within_their_statement_budgets(world: World) -> None:
    w = world
    seen: dict[str, tuple[int, int]] = {}
    notices: dict[str, list[str]] = {}

    def counted(label: str, client: httpx.Client, status: int = 200, **kw: Any) -> Any:
        method, _, path = label.partition(" ")
        r = w.count(method, kw.pop("path", f"/api{path}"), client, **kw)
        assert r.status_code == status, r.text
        seen[label] = (w.counts.statements["request"], w.counts.transactions["request"])
        notices[label] = list(w.counts.notices)
        return r.json()

    body = {"query": "Will it rain?", "budget": 1_000}
    ctx = counted("POST /contexts", w.buyer, 201, json=body)["id"]
    offer_body = {"preview": "radar", "private_info": "rain at 3", "price": 100}
    path = f"/api/contexts/{ctx}/offers"
    offer = counted("POST /contexts/{id}/offers", w.seller, 201, path=path, json=offer_body)
    counted("GET /contexts", w.seller, path="/api/contexts", params={"status": "open"})
    counted("GET /contexts/{id}/offers", w.buyer, path=path)
    buy = f"/api/offers/{offer['id']}/purchase"
    counted("POST /offers/{id}/purchase", w.buyer, 201, path=buy)
    counted("GET /me", w.buyer, path="/api/me")
    counted("GET /offers/{id}", w.seller, path=f"/api/offers/{offer['id']}")

    over = {k: (seen[k], BUDGETS[k]) for k in BUDGETS if seen[k] > BUDGETS[k]}
    assert not over, f"over budget (statements, transactions): {over}"
    # every posting is told to other processes in one statement of the sender's thread
    assert notices["POST /contexts"] == [SENDER]
    assert notices["POST /contexts/{id}/offers"] == [SENDER]
    assert all(not notices[k] for k in BUDGETS if k.startswith("GET"))


def test_a_listing_of_open_contexts_never_shows_a_due_one_and_expires_it(world: World) -> None:
    w = world
    due = ok(
        w.buyer.post(
            "/api/contexts", json={"query": "soon", "budget": 700, "expires_in_seconds": 5}
        ),
        201,
    )
    w.clock.advance(1)  # posted a second apart: the listing's order (newest first) is known
    later = ok(w.buyer.post("/api/contexts", json={"query": "later", "budget": 300}), 201)
    listed = ok(w.seller.get("/api/contexts", params={"status": "open"}))
    assert [c["id"] for c in listed] == [later["id"], due["id"]]
    w.clock.advance(6)
    # nothing swept it (the sweep is off): the listing finds it due, expires it, lists again
    r = w.count("GET", "/api/contexts", w.seller, params={"status": "open"})
    assert [c["id"] for c in ok(r)] == [later["id"]]
    assert w.counts.transactions["request"] == 1  # the expiry, releasing the budget
    assert ok(w.buyer.get(f"/api/contexts/{due['id']}"))["status"] == "expired"
    assert ok(w.buyer.get("/api/me"))["balances"] == {
        "cash": 10_000 - 300,
        "reserved": 300,
        "earnings": 0,
    }


def test_a_listing_that_may_show_expired_contexts_expires_the_due_ones_first(
    world: World,
) -> None:
    w = world
    due = ok(
        w.buyer.post(
            "/api/contexts", json={"query": "soon", "budget": 700, "expires_in_seconds": 5}
        ),
        201,
    )
    w.clock.advance(6)
    expired = ok(w.seller.get("/api/contexts", params={"status": "expired"}))
    assert [c["id"] for c in expired] == [due["id"]]
    everything = ok(w.seller.get("/api/contexts"))
    assert [(c["id"], c["status"]) for c in everything] == [(due["id"], "expired")]
