"""A busy route's work on the event loop (``api.threads``, inline) waiting for a row lock that
another session holds, over real HTTP on PostgreSQL.

While it waits, its process serves nothing else (the cost ``api.threads`` states); when the
lock is released the request completes once; when it is held past the engine's lock timeout
the request fails with 503, says why, and changes nothing, and the process serves again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import text

from tests.support.databases import empty_pg_store
from tests.support.people import CHEAP_HASHER
from volition.bazaar.api import ApiSettings, threads
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.domain import Bazaar
from volition.bazaar.platform import assemble
from volition.bazaar.server import build_app
from volition.bazaar.storage import SqlStore, make_engine

PASSWORD = "password123"
LOCK_TIMEOUT_MS = 1_500


@dataclass
class Served:
    bazaar: Bazaar
    store: SqlStore
    buyer: httpx.Client
    other: httpx.Client
    buyer_id: str


@pytest.fixture
def served(pg_url: str) -> Iterator[Served]:
    empty_pg_store(pg_url).close()
    store = SqlStore(make_engine(pg_url, lock_timeout_ms=LOCK_TIMEOUT_MS))
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    root = bazaar.bootstrap_operator("root", PASSWORD)
    settings = ApiSettings(run_inspections=False, expiry_sweep_seconds=0)
    try:
        with serve_in_thread(build_app(assemble(bazaar), settings)) as url:
            assert threads.inline()  # the default: the work runs on the event loop
            clients = []
            for name in ("alice", "bob"):
                bazaar.register(name, PASSWORD)
                token, _ = bazaar.issue_token(name, PASSWORD)
                headers = {"Authorization": f"Bearer {token}"}
                clients.append(httpx.Client(base_url=f"{url}/api", headers=headers, timeout=30))
            alice = bazaar.find_user("alice")
            bazaar.credit(root.id, alice.id, 5_000)
            yield Served(bazaar, store, clients[0], clients[1], alice.id)
            for client in clients:
                client.close()
    finally:
        store.close()


def _cash(served: Served) -> int:
    return served.bazaar.balances(served.buyer_id).cash


def test_a_request_waiting_for_a_lock_holds_its_process_then_completes_once(
    served: Served,
) -> None:
    assert served.other.get("/me").status_code == 200  # bob's token checked and kept
    with served.store.engine.connect() as holder, ThreadPoolExecutor(2) as pool:
        lock = holder.begin()
        holder.execute(
            text("SELECT id FROM users WHERE id = :id FOR UPDATE"), {"id": served.buyer_id}
        )
        posting = pool.submit(
            served.buyer.post, "/contexts", json={"query": "rain?", "budget": 700}
        )
        time.sleep(0.3)  # the post now waits for alice's row, on the event loop
        reading = pool.submit(served.other.get, "/me")
        time.sleep(0.3)
        assert not posting.done() and not reading.done()  # the process serves nothing else
        lock.rollback()  # released well before the lock timeout
        assert posting.result(timeout=10).status_code == 201
        assert reading.result(timeout=10).status_code == 200
    assert _cash(served) == 5_000 - 700  # reserved once
    mine = served.buyer.get("/contexts", params={"mine": "true"}).json()
    assert [c["budget"] for c in mine] == [700]


def test_a_lock_held_past_the_timeout_fails_the_request_and_changes_nothing(
    served: Served,
) -> None:
    with served.store.engine.connect() as holder:
        lock = holder.begin()
        holder.execute(
            text("SELECT id FROM users WHERE id = :id FOR UPDATE"), {"id": served.buyer_id}
        )
        started = time.monotonic()
        r = served.buyer.post("/contexts", json={"query": "rain?", "budget": 700})
        waited = time.monotonic() - started
        lock.rollback()
    assert r.status_code == 503, r.text
    body = r.json()
    assert body["error"] == "storage_unavailable"
    assert "stayed locked past the lock timeout" in body["message"]
    assert "nothing was changed, try again" in body["message"]
    assert LOCK_TIMEOUT_MS / 1000 * 0.8 <= waited < LOCK_TIMEOUT_MS / 1000 + 5
    assert _cash(served) == 5_000  # nothing reserved, nothing posted
    assert served.buyer.get("/contexts", params={"mine": "true"}).json() == []
    r = served.buyer.post("/contexts", json={"query": "rain?", "budget": 700})
    assert r.status_code == 201  # and the process serves again
    assert _cash(served) == 4_300
