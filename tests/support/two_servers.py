"""Two API servers on one PostgreSQL database, as two server processes would be: each its own
engine, bazaar, token cache and listener, served over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import httpx

from tests.support.databases import empty_pg_store
from tests.support.people import CHEAP_HASHER
from tests.support.servers import wait_for
from volition.bazaar.api import ApiSettings
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.domain import Bazaar
from volition.bazaar.platform import assemble
from volition.bazaar.server import build_app
from volition.bazaar.storage import SqlStore

PASSWORD = "password123"


@dataclass
class TwoServers:
    one: httpx.Client  # unauthenticated clients, base URL ``.../api``
    other: httpx.Client
    first: Bazaar  # the bazaar objects behind them
    second: Bazaar


@contextmanager
def two_servers(pg_url: str, **settings: object) -> Iterator[TwoServers]:
    """Both servers on the emptied database at ``pg_url``; ``settings`` for ``ApiSettings``."""
    empty_pg_store(pg_url).close()
    options = {"run_inspections": False, "expiry_sweep_seconds": 0, **settings}
    with ExitStack() as stack:
        clients, bazaars = [], []
        for _ in range(2):
            store = SqlStore.open(pg_url, migrate=False)
            stack.callback(store.close)
            bazaar = Bazaar(store, hasher=CHEAP_HASHER)
            app = build_app(assemble(bazaar), ApiSettings(**options))  # type: ignore[arg-type]
            url = stack.enter_context(serve_in_thread(app))
            wait_for(lambda b=bazaar: b.token_cache is not None, "the token listener")
            clients.append(stack.enter_context(httpx.Client(base_url=f"{url}/api", timeout=30)))
            bazaars.append(bazaar)
        yield TwoServers(clients[0], clients[1], bazaars[0], bazaars[1])


def sign_in(client: httpx.Client, name: str, roles: list[str]) -> dict[str, str]:
    """Sign ``name`` up with ``roles`` and in; the bearer header of its token."""
    r = client.post("/users", json={"name": name, "password": PASSWORD, "roles": roles})
    assert r.status_code == 201, r.text
    r = client.post("/tokens", json={"name": name, "password": PASSWORD})
    assert r.status_code in (200, 201), r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def kept_on_both(servers: TwoServers, *names: str) -> list[dict[str, str]]:
    """Sign each of ``names`` up (buyer and seller) and in on the first server; each token
    then checked, and kept, by both servers."""
    headers = [sign_in(servers.one, name, ["buyer", "seller"]) for name in names]
    for given in headers:
        for client in (servers.one, servers.other):
            assert client.get("/me", headers=given).status_code == 200
    return headers
