"""Checked tokens kept per process on PostgreSQL, forgotten when any process changes one.

Two bazaars on two engines stand for two server processes; each keeps its checked tokens in a
``TokenCache`` with a real ``TokenListener`` (``LISTEN volition_auth``, triggers of migration
0016). Over HTTP, two servers on one database: a token signed out on one stops working on the
other, and a role granted on one shows on the other.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import event, text

from tests.support.databases import empty_pg_store
from tests.support.people import CHEAP_HASHER
from tests.support.two_servers import TwoServers, kept_on_both, sign_in
from volition.bazaar.domain import Bazaar
from volition.bazaar.domain.token_cache import TokenCache
from volition.bazaar.errors import Unauthorized
from volition.bazaar.storage import SqlStore
from volition.bazaar.storage.notify import AUTH_CHANNEL, TokenListener, token_listener_for

PASSWORD = "password123"
MIGRATION = importlib.import_module(
    "volition.bazaar.storage.alembic.versions.0016_notify_auth_trigger"
)


def test_the_migration_notifies_on_the_listeners_channel() -> None:
    assert MIGRATION.CHANNEL == AUTH_CHANNEL


def _eventually(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return check()


class Process:
    """A bazaar with its own engine, token cache and listener: one server process."""

    def __init__(self, url: str) -> None:
        self.store = SqlStore.open(url, migrate=False)
        self.bazaar = Bazaar(self.store, hasher=CHEAP_HASHER)
        self.cache = TokenCache()
        listener = token_listener_for(self.store, self.cache)
        assert isinstance(listener, TokenListener)
        self.listener = listener
        self.bazaar.token_cache = self.cache
        listener.start()
        assert _eventually(lambda: self.cache.ticket() is not None), "never listened"
        self.statements = 0
        event.listen(self.store.engine, "before_cursor_execute", self._count)

    def _count(self, *args: object) -> None:
        self.statements += 1

    def authenticates(self, token: str) -> bool:
        try:
            self.bazaar.authenticate(token)
        except Unauthorized:
            return False
        return True

    def close(self) -> None:
        self.listener.stop()
        self.store.close()


@pytest.fixture
def two(pg_url: str) -> Iterator[tuple[Process, Process]]:
    empty_pg_store(pg_url).close()
    a, b = Process(pg_url), Process(pg_url)
    yield a, b
    a.close()
    b.close()


def _signed_in(process: Process, name: str = "alice") -> str:
    process.bazaar.register(name, PASSWORD)
    token, _ = process.bazaar.issue_token(name, PASSWORD)
    return token


def test_a_checked_token_is_read_once_then_kept(two: tuple[Process, Process]) -> None:
    a, b = two
    token = _signed_in(a)
    before = b.statements
    user = b.bazaar.authenticate(token)
    assert b.statements == before + 1
    for _ in range(5):
        assert b.bazaar.authenticate(token) == user
    assert b.statements == before + 1  # kept: no statement, no connection


def test_a_sign_out_in_one_process_stops_the_token_in_the_other(
    two: tuple[Process, Process],
) -> None:
    a, b = two
    token = _signed_in(a)
    other = _signed_in(a, "bob")
    assert b.authenticates(token) and b.authenticates(other)
    a.bazaar.revoke_token(token)
    assert not a.authenticates(token)  # at once where it was signed out
    assert _eventually(lambda: not b.authenticates(token))
    for _ in range(20):  # and for good: nothing kept brings it back
        assert not b.authenticates(token)
    assert b.authenticates(other)  # read again, still valid


def test_a_role_granted_in_one_process_shows_in_the_other(
    two: tuple[Process, Process],
) -> None:
    a, b = two
    root = a.bazaar.bootstrap_operator("root", PASSWORD)
    token = _signed_in(a)
    alice = b.bazaar.authenticate(token)
    assert not alice.is_operator
    assert not a.bazaar.authenticate(token).is_operator
    a.bazaar.grant_operator(root.id, alice.id)
    assert a.bazaar.authenticate(token).is_operator  # its own change: forgotten at once
    assert _eventually(lambda: b.bazaar.authenticate(token).is_operator)


@pytest.mark.parametrize(
    "by_hand",
    [
        "DELETE FROM tokens",
        "TRUNCATE tokens",
        "UPDATE tokens SET expires_at = now() - interval '1 second'",
        "TRUNCATE users CASCADE",
    ],
)
def test_a_change_made_by_hand_in_the_database_is_heard(
    two: tuple[Process, Process], by_hand: str
) -> None:
    a, b = two
    token = _signed_in(a)
    assert b.authenticates(token) and len(b.cache) == 1
    with a.store.engine.begin() as conn:
        conn.execute(text(by_hand))
    assert _eventually(lambda: not b.authenticates(token))


def test_while_the_listener_is_down_nothing_is_kept_and_a_sign_out_then_counts(
    two: tuple[Process, Process],
) -> None:
    a, b = two
    token = _signed_in(a)
    assert b.authenticates(token) and len(b.cache) == 1
    with a.store.engine.begin() as conn:  # the listener's connection dies
        killed = conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query = 'LISTEN volition_auth' AND datname = current_database()"
            )
        ).all()
    assert len(killed) == 2  # both processes' listeners
    assert _eventually(lambda: b.cache.ticket() is None, 3.0)  # noticed: keeps nothing
    assert len(b.cache) == 0
    a.bazaar.revoke_token(token)  # its notice goes to nobody
    assert not b.authenticates(token)
    # the listener reconnects (after a pause) and keeps tokens again
    fresh = _signed_in(a, "carol")
    assert _eventually(lambda: b.cache.ticket() is not None, 10.0)
    assert b.authenticates(fresh) and not b.authenticates(token)


def test_sqlite_keeps_nothing(tmp_path: object) -> None:
    store = SqlStore.open(f"sqlite:///{tmp_path}/x.db")
    try:
        assert token_listener_for(store, TokenCache()) is None
    finally:
        store.close()


# --------------------------------------------------------------------------- over HTTP


def test_over_http_a_token_signed_out_on_one_server_fails_on_the_other(
    two_pg_servers: TwoServers,
) -> None:
    one, other = two_pg_servers.one, two_pg_servers.other
    alice, bob = kept_on_both(two_pg_servers, "alice", "bob")
    assert one.delete("/tokens/current", headers=alice).status_code == 204
    assert one.get("/me", headers=alice).status_code == 401
    assert _eventually(lambda: other.get("/me", headers=alice).status_code == 401)
    for path in ("/me", "/contexts", "/contexts?mine=true"):
        r = other.get(path, headers=alice)
        assert r.status_code == 401, (path, r.text)
    r = other.post("/contexts", headers=alice, json={"query": "rain?", "budget": 1})
    assert r.status_code == 401
    assert other.get("/me", headers=bob).status_code == 200  # others' tokens still work


def test_over_http_a_forged_or_unknown_token_is_never_kept(
    two_pg_servers: TwoServers,
) -> None:
    servers = two_pg_servers
    one, other, second = servers.one, servers.other, servers.second
    alice = sign_in(one, "alice", ["buyer"])
    assert other.get("/me", headers=alice).json()["name"] == "alice"
    cache = second.token_cache
    assert cache is not None and len(cache) == 1
    token = alice["Authorization"].removeprefix("Bearer ")
    forged = [token[:-1] + ("x" if token[-1] != "x" else "y"), "x", "a b", "z" * 5000]
    forged += [f"guess-{i}" for i in range(50)]
    for guess in forged:
        r = other.get("/me", headers={"Authorization": f"Bearer {guess}"})
        assert r.status_code == 401, guess[:20]
        body = {"query": "rain?", "budget": 1}
        r = other.post("/contexts", headers={"Authorization": f"Bearer {guess}"}, json=body)
        assert r.status_code == 401
    assert len(cache) == 1  # only what the database confirmed is kept
    assert other.get("/me", headers=alice).json()["name"] == "alice"


def test_over_http_an_operator_grant_on_one_server_shows_on_the_other(
    two_pg_servers: TwoServers,
) -> None:
    servers = two_pg_servers
    one, other, bazaar = servers.one, servers.other, servers.first
    root = bazaar.bootstrap_operator("root", PASSWORD)
    alice = sign_in(one, "alice", ["buyer"])
    assert other.get("/operator/audit", headers=alice).status_code == 403
    me = other.get("/me", headers=alice).json()
    bazaar.grant_operator(root.id, me["id"])
    assert _eventually(lambda: other.get("/operator/audit", headers=alice).status_code == 200)
