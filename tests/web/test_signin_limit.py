"""The sign-in page and ``POST /api/tokens`` share one rate limit: guessing through the page
is no way around the API's limit, and the page says how long to wait."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx

from tests.bazaar.conftest import CHEAP_HASHER, PASSWORD
from tests.web.conftest import WebClient
from volition.bazaar.api import ApiSettings, create_app
from volition.bazaar.api.ratelimit import SignInLimits
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.domain import Bazaar
from volition.bazaar.storage import SqlStore
from volition.bazaar.web.session import SESSION_COOKIE


def test_the_sign_in_page_counts_against_the_same_limit(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "bazaar.db"
    shutil.copy(sqlite_template, path)
    store = SqlStore.open(f"sqlite:///{path}", migrate=False)
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    bazaar.register("alice", PASSWORD)
    bazaar.register("bob", PASSWORD)
    limits = SignInLimits(per_name=3, per_address=100, window_seconds=60)
    app = create_app(bazaar, ApiSettings(expiry_sweep_seconds=0, signin_limits=limits))
    try:
        with serve_in_thread(app) as url, WebClient(base_url=url, timeout=10) as page:
            wrong = {"name": "alice", "password": "wrong password!"}
            assert page.submit("/signin", "/signin", wrong).status_code == 401  # the page
            for _ in range(2):  # and the API, for the same name
                assert httpx.post(f"{url}/api/tokens", json=wrong).status_code == 401
            right = {"name": "alice", "password": PASSWORD}
            r = page.submit("/signin", "/signin", right)  # even the right password waits now
            assert r.status_code == 429
            assert "too many sign-in attempts for this user name" in r.text
            assert 1 <= int(r.headers["Retry-After"]) <= 60
            assert SESSION_COOKIE not in r.headers.get("set-cookie", "")  # not signed in
            assert httpx.post(f"{url}/api/tokens", json=right).status_code == 429
            ok = page.submit("/signin", "/signin", {"name": "bob", "password": PASSWORD})
            assert ok.status_code == 303  # another name signs in, and is forgiven
    finally:
        store.close()
