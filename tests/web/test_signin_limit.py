"""The sign-in page and ``POST /api/tokens`` share one limit: guessing through the page is no
way around the API's waits, the page says how long to wait, and the owner signing in from
another address is never slowed by them (issue 10)."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx

from tests.support.people import CHEAP_HASHER, PASSWORD
from tests.support.web import WebClient
from volition.bazaar.api import ApiSettings
from volition.bazaar.api.ratelimit import SignInLimits
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.domain import Bazaar
from volition.bazaar.platform import assemble
from volition.bazaar.server import build_app
from volition.bazaar.storage import SqlStore
from volition.bazaar.web.session import SESSION_COOKIE

ATTACKER, OWNER = "127.0.0.2", "127.0.0.3"


def _page(url: str, address: str) -> WebClient:
    transport = httpx.HTTPTransport(local_address=address)
    return WebClient(base_url=url, timeout=10, transport=transport)


def test_the_sign_in_page_counts_against_the_same_limit(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "bazaar.db"
    shutil.copy(sqlite_template, path)
    store = SqlStore.open(f"sqlite:///{path}", migrate=False)
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    bazaar.register("alice", PASSWORD)
    bazaar.register("bob", PASSWORD)
    limits = SignInLimits(free_per_pair=3, free_per_address=100, first_wait=60, max_wait=600)
    app = build_app(assemble(bazaar), ApiSettings(expiry_sweep_seconds=0, signin_limits=limits))
    try:
        with serve_in_thread(app) as url, _page(url, ATTACKER) as page:
            api = httpx.Client(base_url=url, transport=httpx.HTTPTransport(local_address=ATTACKER))
            wrong = {"name": "alice", "password": "wrong password!"}
            assert page.submit("/signin", "/signin", wrong).status_code == 401  # the page
            for _ in range(2):  # and the API, for the same name from the same address
                assert api.post("/api/tokens", json=wrong).status_code == 401
            right = {"name": "alice", "password": PASSWORD}
            r = page.submit("/signin", "/signin", right)  # even the right password waits now
            assert r.status_code == 429
            assert "too many failed sign-ins for this user name from your address" in r.text
            assert 59 <= int(r.headers["Retry-After"]) <= 60
            assert "try again in" in r.text
            assert SESSION_COOKIE not in r.headers.get("set-cookie", "")  # not signed in
            assert api.post("/api/tokens", json=right).status_code == 429
            # another name from this address has its own free failures
            ok = page.submit("/signin", "/signin", {"name": "bob", "password": PASSWORD})
            assert ok.status_code == 303
            # the owner, elsewhere, signs in through the page at once
            with _page(url, OWNER) as owner:
                r = owner.submit("/signin", "/signin", right)
                assert r.status_code == 303 and SESSION_COOKIE in r.headers["set-cookie"]
    finally:
        store.close()
