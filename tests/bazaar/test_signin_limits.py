"""Sign-in limits that cannot lock the owner out (issue 10): growing waits per (user name,
address) and per address, counted in a storage every server process shares.

Over real HTTP from distinct loopback addresses (127.0.0.2, 127.0.0.3, ...: Linux answers
all of 127/8), on SQLite and PostgreSQL, with two servers on one database standing for two
server processes; and on Redis where one is reachable."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from limits.storage import Storage, storage_from_string

from tests.support.databases import SQL_KINDS, StoreFactory
from tests.support.people import CHEAP_HASHER, PASSWORD
from tests.support.servers import wait_until_ready
from volition.bazaar.api import ApiSettings
from volition.bazaar.api.ratelimit import SignInGuard, SignInLimits, wait_seconds
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.domain import Bazaar
from volition.bazaar.platform import assemble
from volition.bazaar.server import build_app
from volition.bazaar.storage import SqlStore
from volition.bazaar.storage.limits_storage import SqlLimitsStorage

ON_SQL = pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
ATTACKER, OWNER, NEIGHBOUR = "127.0.0.2", "127.0.0.3", "127.0.0.4"
WRONG = "not the password"


class Clock:
    """Seconds since the epoch, moved by hand: the storage's and the guard's clock."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def client(url: str, address: str, **headers: str) -> httpx.Client:
    """A client whose connections come from ``address``."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=url, transport=transport, timeout=30, headers=headers)


def sign_in(c: httpx.Client, name: str, password: str) -> httpx.Response:
    return c.post("/api/tokens", json={"name": name, "password": password})


@dataclass
class Servers:
    """Two servers (two apps, two connection pools, two storages) on one database."""

    urls: tuple[str, str]
    clock: Clock
    guards: tuple[SignInGuard, SignInGuard]


def serve_two(
    stack: ExitStack,
    bazaars: tuple[Bazaar, Bazaar],
    storages: tuple[Storage, Storage],
    limits: SignInLimits,
    clock: Clock,
    **settings: object,
) -> Servers:
    urls, guards = [], []
    for bazaar, storage in zip(bazaars, storages, strict=True):
        guard = SignInGuard(storage, limits, clock=clock)
        app_settings = ApiSettings(expiry_sweep_seconds=0, **settings)  # type: ignore[arg-type]
        app = build_app(assemble(bazaar), app_settings, signin_guard=guard)
        urls.append(stack.enter_context(serve_in_thread(app)))
        guards.append(guard)
    return Servers((urls[0], urls[1]), clock, (guards[0], guards[1]))


def two_bazaars(store_factory: StoreFactory, stack: ExitStack) -> tuple[Bazaar, Bazaar]:
    """The owner ``alice`` and ``bob`` on a fresh database, opened twice."""
    first = store_factory()
    assert isinstance(first, SqlStore)
    second = SqlStore.open(first.engine.url.render_as_string(hide_password=False), migrate=False)
    stack.callback(second.close)
    bazaars = (Bazaar(first, hasher=CHEAP_HASHER), Bazaar(second, hasher=CHEAP_HASHER))
    for name in ("alice", "bob"):
        bazaars[0].register(name, PASSWORD)
    return bazaars


@pytest.fixture
def sql_servers(store_factory: StoreFactory, request: pytest.FixtureRequest) -> Iterator[Servers]:
    limits: SignInLimits = getattr(request, "param", SignInLimits(3, 1000, 1, 64, 3600))
    clock = Clock()
    with ExitStack() as stack:
        bazaars = two_bazaars(store_factory, stack)
        storages = tuple(
            SqlLimitsStorage(engine=b.store.engine, clock=clock)  # type: ignore[attr-defined]
            for b in bazaars
        )
        yield serve_two(stack, bazaars, storages, limits, clock)  # type: ignore[arg-type]


# ------------------------------------------------------------------ the waits


@given(free=st.integers(0, 20), first=st.integers(1, 8), cap=st.integers(8, 4000))
def test_waits_start_after_the_free_failures_and_double_up_to_the_cap(
    free: int, first: int, cap: int
) -> None:
    limits = SignInLimits(free, free, first, cap, 3600)
    waits = [wait_seconds(n, free, limits) for n in range(free + 40)]
    assert waits[:free] == [0] * free
    assert waits[free] == first
    for before, after in zip(waits[free:], waits[free + 1 :], strict=False):
        assert after == min(2 * before, cap)
    assert waits[-1] == cap


def test_limits_that_make_no_sense_are_refused() -> None:
    with pytest.raises(ValueError, match="first_wait"):
        SignInLimits(first_wait=10, max_wait=5)
    with pytest.raises(ValueError, match="negative"):
        SignInLimits(free_per_pair=-1)


# ------------------------------------------------------------------ the owner is never locked out


@ON_SQL
def test_the_owner_signs_in_while_an_attacker_fails_50_times_on_two_servers(
    sql_servers: Servers,
) -> None:
    """The attacker alternates between the two servers: one sequence of growing waits, so the
    counts are shared; the owner, elsewhere, signs in at once throughout."""
    s = sql_servers
    limits = s.guards[0].limits
    attackers = [client(url, ATTACKER) for url in s.urls]
    owner = client(s.urls[1], OWNER)
    waits: list[int] = []
    for failure in range(50):
        attacker = attackers[failure % 2]
        r = sign_in(attacker, "alice", WRONG)
        if r.status_code == 429:
            wait = int(r.headers["Retry-After"])
            assert f"try again in {wait} s" in r.json()["message"]
            assert "for this user name from your address" in r.json()["message"]
            waits.append(wait)
            s.clock.advance(wait - 0.5)  # not yet: the other server says so too
            again = sign_in(attackers[(failure + 1) % 2], "alice", PASSWORD)
            assert again.status_code == 429 and int(again.headers["Retry-After"]) == 1
            s.clock.advance(0.5)
            r = sign_in(attacker, "alice", WRONG)
        assert r.status_code == 401, (failure, r.text)
        if failure % 5 == 0:
            assert sign_in(owner, "alice", PASSWORD).status_code == 201
    expected = [wait_seconds(n, limits.free_per_pair, limits) for n in range(3, 50)]
    assert waits == expected  # 1, 2, 4, ... 64, 64, ...: they grow, up to the cap
    assert waits[-1] == limits.max_wait
    # the right password from the attacker's address waits too; the owner's does not
    assert sign_in(attackers[0], "alice", PASSWORD).status_code == 429
    assert sign_in(owner, "alice", PASSWORD).status_code == 201
    assert sign_in(client(s.urls[0], OWNER), "bob", WRONG).status_code == 401
    assert s.guards[1].failures("alice", ATTACKER) == (50, 50)
    assert s.guards[0].failures("alice", OWNER) == (0, 1)  # bob's typo, not alice's counts


@ON_SQL
@pytest.mark.parametrize("sql_servers", [SignInLimits(2, 5, 1, 60, 3600)], indirect=True)
def test_the_address_limit_is_larger_and_grows_too(sql_servers: Servers) -> None:
    s = sql_servers
    attacker = client(s.urls[0], ATTACKER)
    for name in ("alice", "bob", "carol", "dave", "erin"):  # one failure per name: pairs free
        assert sign_in(attacker, name, WRONG).status_code == 401
    r = sign_in(attacker, "frank", WRONG)
    assert r.status_code == 429 and "from your address" in r.json()["message"]
    assert r.headers["Retry-After"] == "1"
    s.clock.advance(1)
    assert sign_in(attacker, "frank", WRONG).status_code == 401
    assert sign_in(client(s.urls[1], ATTACKER), "alice", PASSWORD).headers["Retry-After"] == "2"
    # the neighbour, at another address, is not slowed by any of it
    assert sign_in(client(s.urls[1], NEIGHBOUR), "alice", PASSWORD).status_code == 201


@ON_SQL
@pytest.mark.parametrize("sql_servers", [SignInLimits(3, 100, 1, 60, 3600)], indirect=True)
def test_a_success_forgets_its_pairs_failures_but_not_its_addresss(sql_servers: Servers) -> None:
    s = sql_servers
    owner = client(s.urls[0], OWNER)
    for _ in range(2):
        assert sign_in(owner, "alice", WRONG).status_code == 401
    assert sign_in(client(s.urls[1], OWNER), "alice", PASSWORD).status_code == 201
    assert s.guards[0].failures("alice", OWNER) == (0, 2)
    for _ in range(3):  # the typos were forgiven: three free failures again
        assert sign_in(owner, "alice", WRONG).status_code == 401
    assert sign_in(owner, "alice", WRONG).status_code == 429


@ON_SQL
@pytest.mark.parametrize("sql_servers", [SignInLimits(3, 100, 1, 60, 3600)], indirect=True)
def test_failures_are_forgotten_after_a_while(sql_servers: Servers) -> None:
    s = sql_servers
    attacker = client(s.urls[0], ATTACKER)
    for _ in range(3):
        assert sign_in(attacker, "alice", WRONG).status_code == 401
    assert sign_in(attacker, "alice", WRONG).status_code == 429
    s.clock.advance(3600)
    assert s.guards[1].failures("alice", ATTACKER) == (0, 0)
    assert sign_in(attacker, "alice", PASSWORD).status_code == 201


# ------------------------------------------------------------------ whose address counts


@pytest.mark.parametrize("store_factory", ["sqlite"], indirect=True)
def test_x_forwarded_for_counts_only_from_a_trusted_proxy(store_factory: StoreFactory) -> None:
    limits = SignInLimits(2, 100, 1, 60, 3600)
    clock = Clock()
    with ExitStack() as stack:
        bazaars = two_bazaars(store_factory, stack)
        storages = (
            SqlLimitsStorage(engine=bazaars[0].store.engine, clock=clock),  # type: ignore[attr-defined]
            SqlLimitsStorage(engine=bazaars[1].store.engine, clock=clock),  # type: ignore[attr-defined]
        )
        plain = serve_two(stack, bazaars, storages, limits, clock)
        proxied = serve_two(stack, bazaars, storages, limits, clock, trusted_proxies=(ATTACKER,))
        # not trusted: a forged header changes nothing, the peer's address counts
        for i in range(2):
            forged = client(plain.urls[0], OWNER, **{"X-Forwarded-For": f"198.51.100.{i}"})
            assert sign_in(forged, "alice", WRONG).status_code == 401
        forged = client(plain.urls[1], OWNER, **{"X-Forwarded-For": "198.51.100.9"})
        assert sign_in(forged, "alice", PASSWORD).status_code == 429
        # a trusted proxy at ATTACKER's address: the address it forwards counts
        for _ in range(2):
            via = client(proxied.urls[0], ATTACKER, **{"X-Forwarded-For": "203.0.113.7"})
            assert sign_in(via, "bob", WRONG).status_code == 401
        via = client(proxied.urls[1], ATTACKER, **{"X-Forwarded-For": "203.0.113.7"})
        assert sign_in(via, "bob", PASSWORD).status_code == 429
        # the client's own forged entry left of it is ignored: the rightmost untrusted counts
        spoof = {"X-Forwarded-For": "203.0.113.8, 203.0.113.7"}
        assert (
            sign_in(client(proxied.urls[0], ATTACKER, **spoof), "bob", PASSWORD).status_code == 429
        )
        other = client(proxied.urls[0], ATTACKER, **{"X-Forwarded-For": "203.0.113.8"})
        assert sign_in(other, "bob", PASSWORD).status_code == 201
        assert proxied.guards[0].failures("bob", "203.0.113.7") == (2, 2)


# ------------------------------------------------------------------ Redis


REDIS_URL = os.environ.get("VOLITION_TEST_REDIS_URL", "redis://127.0.0.1:6379")


def _redis_storage(prefix: str) -> Storage:
    host, port = REDIS_URL.removeprefix("redis://").split("/")[0].rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is needed in CI and is not reachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    storage = storage_from_string(REDIS_URL, key_prefix=prefix)
    assert isinstance(storage, Storage)
    return storage


@pytest.mark.parametrize("store_factory", ["sqlite"], indirect=True)
def test_the_counts_live_in_redis_when_one_is_configured(store_factory: StoreFactory) -> None:
    """Real time here (Redis keeps its own): one free failure, then waits of 1 and 2 s."""
    prefix = f"volition-test-{uuid.uuid4().hex}"
    limits = SignInLimits(1, 100, 1, 2, 3600)
    with ExitStack() as stack:
        bazaars = two_bazaars(store_factory, stack)
        storages = (_redis_storage(prefix), _redis_storage(prefix))
        stack.callback(storages[0].reset)
        s = serve_two(stack, bazaars, storages, limits, time.time)  # type: ignore[arg-type]
        attacker = [client(url, ATTACKER) for url in s.urls]
        assert sign_in(attacker[0], "alice", WRONG).status_code == 401
        r = sign_in(attacker[1], "alice", WRONG)
        assert r.status_code == 429 and r.headers["Retry-After"] == "1"
        assert sign_in(client(s.urls[1], OWNER), "alice", PASSWORD).status_code == 201
        time.sleep(1.1)
        assert sign_in(attacker[1], "alice", WRONG).status_code == 401
        r = sign_in(attacker[0], "alice", PASSWORD)
        assert r.status_code == 429 and r.headers["Retry-After"] == "2"
        assert s.guards[0].failures("alice", ATTACKER) == (2, 2)


# ------------------------------------------------------------------ the app's default storage


@ON_SQL
def test_an_app_keeps_its_counts_in_its_database_by_default(store_factory: StoreFactory) -> None:
    """Two apps built the plain way (no guard passed) on one database share the counts."""
    limits = SignInLimits(1, 100, 60, 60, 3600)  # waits long enough for the test not to end
    with ExitStack() as stack:
        bazaars = two_bazaars(store_factory, stack)
        urls = [
            stack.enter_context(
                serve_in_thread(
                    build_app(
                        assemble(b), ApiSettings(expiry_sweep_seconds=0, signin_limits=limits)
                    )
                )
            )
            for b in bazaars
        ]
        failed_at = time.monotonic()
        assert sign_in(client(urls[0], ATTACKER), "alice", WRONG).status_code == 401
        r = sign_in(client(urls[1], ATTACKER), "alice", PASSWORD)
        waited = time.monotonic() - failed_at  # seconds a loaded machine took meanwhile
        assert r.status_code == 429
        assert 59 - waited <= int(r.headers["Retry-After"]) <= 60
        assert sign_in(client(urls[1], OWNER), "alice", PASSWORD).status_code == 201
        spec = httpx.get(f"{urls[0]}/api/openapi.json").json()
        assert "429" in spec["paths"]["/api/tokens"]["post"]["responses"]


# ------------------------------------------------------------------ volition serve --workers 2


def test_the_workers_of_volition_serve_count_in_the_database(tmp_path: Path) -> None:
    """Every failure lands in the one table, whichever worker served it; a forged
    X-Forwarded-For is not believed (no proxy is trusted by default)."""
    url = f"sqlite:///{tmp_path / 'workers.db'}"
    store = SqlStore.open(url)  # migrated here, as ``serve`` would
    Bazaar(store, hasher=CHEAP_HASHER).register("alice", PASSWORD)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOLITION_")}
    launcher = "from volition.cli import main; main()"
    command = [sys.executable, "-c", launcher, "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(
        [*command, "--database", url, "--no-inspections", "--no-access-log"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(
            server, base, timeout=240
        )  # two workers import the platform: slow on 2 cores
        for i in range(5):  # a new connection each: either worker may answer
            with client(base, ATTACKER, **{"X-Forwarded-For": f"198.51.100.{i}"}) as c:
                assert sign_in(c, "alice", WRONG).status_code == 401
        with client(base, OWNER) as owner:
            assert sign_in(owner, "alice", PASSWORD).status_code == 201
        guard = SignInGuard(SqlLimitsStorage(engine=store.engine))
        assert guard.failures("alice", ATTACKER) == (5, 5)
        assert guard.failures("alice", "198.51.100.0") == (0, 0)
    finally:
        server.terminate()
        try:
            server.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
        store.close()


# ------------------------------------------------------------------ the SQL storage itself


@ON_SQL
def test_the_sql_storage_counts_atomically_and_expires(store_factory: StoreFactory) -> None:
    store = store_factory()
    assert isinstance(store, SqlStore)
    clock = Clock()
    storage = SqlLimitsStorage(engine=store.engine, clock=clock)
    other = storage_from_string(
        "volition+" + store.engine.url.render_as_string(hide_password=False)
    )
    assert isinstance(other, SqlLimitsStorage)  # the registered scheme, its own engine
    with ThreadPoolExecutor(8) as pool:  # racing increments lose nothing
        counts = list(pool.map(lambda _: storage.incr("k", 60), range(80)))
    assert sorted(counts) == list(range(1, 81))
    assert other.get("k") == 80 and storage.get_expiry("k") == pytest.approx(clock.now + 60)
    clock.advance(60)  # expired: counts as 0 and starts again
    assert storage.get("k") == 0 and storage.get_expiry("k") == clock.now
    assert storage.incr("k", 10, amount=3) == 3
    assert storage.get_expiry("k") == pytest.approx(clock.now + 10)
    storage.incr("gone", 1)
    clock.advance(1)
    assert storage.purge_expired() == 1  # "gone"; "k" lives on
    storage.clear("k")
    assert storage.get("k") == 0 and storage.check()
    storage.incr("a", 5)
    assert storage.reset() == 1
    with pytest.raises(ValueError, match="at most 255 characters"):
        storage.incr("x" * 256, 5)
    other.engine.dispose()
