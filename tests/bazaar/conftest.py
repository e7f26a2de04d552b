"""Fixtures for the bazaar tests: one domain suite over every store."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from tests.bazaar.api_helpers import Api
from volition.bazaar.api import ApiSettings
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.domain import Bazaar, BazaarSettings, MemoryStore, Store, User
from volition.bazaar.platform import assemble
from volition.bazaar.security import Argon2Hasher
from volition.bazaar.server import build_app
from volition.bazaar.storage import SqlStore, make_engine, upgrade
from volition.bazaar.storage.models import Base

CHEAP_HASHER = Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"


class FakeClock:
    """A clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


STORE_KINDS = ["memory", "sqlite", "postgresql"]
SQL_KINDS = ["sqlite", "postgresql"]
PG_SERVER = os.environ.get("VOLITION_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _pg_unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is needed in CI and is not reachable at {PG_SERVER}: {reason}")
    pytest.skip(f"PostgreSQL not reachable at {PG_SERVER}: {reason}")


def pg_database(prefix: str, worker_id: str) -> Iterator[str]:
    """A migrated PostgreSQL database named for ``prefix`` and this xdist worker, dropped after;
    skipped (failed in CI) when PostgreSQL is not reachable."""
    name = f"{prefix}_{worker_id}_{os.getpid()}"
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as exc:
        admin.dispose()
        _pg_unavailable(str(exc).splitlines()[0])
    url = f"{PG_SERVER}/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="session")
def pg_url(worker_id: str) -> Iterator[str]:
    """A migrated PostgreSQL database of this xdist worker's own, dropped afterwards."""
    # The pid keeps two test runs on one server (other sessions, CI) from sharing a database.
    yield from pg_database("volition_test", worker_id)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


class StoreFactory:
    """Makes fresh, empty, migrated stores of one kind."""

    def __init__(self, kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
        self.kind = kind
        self.request = request
        self.tmp_path = tmp_path
        self.made: list[SqlStore] = []

    def __call__(self) -> Store:
        if self.kind == "memory":
            return MemoryStore()
        if self.kind == "sqlite":
            template: Path = self.request.getfixturevalue("sqlite_template")
            path = self.tmp_path / f"bazaar{len(self.made)}.db"
            shutil.copy(template, path)
            store = SqlStore.open(f"sqlite:///{path}", migrate=False)
        else:
            url: str = self.request.getfixturevalue("pg_url")
            store = SqlStore.open(url, migrate=False)
            tables = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
            with store.engine.begin() as conn:
                conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        for old in self.made:
            old.close()
        self.made.append(store)
        return store

    def close(self) -> None:
        for store in self.made:
            store.close()


@pytest.fixture(params=STORE_KINDS)
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    factory = StoreFactory(request.param, request, tmp_path)
    yield factory
    factory.close()


@pytest.fixture
def store(store_factory: StoreFactory) -> Store:
    return store_factory()


@pytest.fixture
def bazaar(store: Store, clock: FakeClock) -> Bazaar:
    return Bazaar(store, hasher=CHEAP_HASHER, settings=BazaarSettings(), clock=clock)


@dataclass
class Cast:
    """The people of the worked examples."""

    operator: User
    buyer: User
    other_buyer: User
    seller: User
    other_seller: User


@pytest.fixture
def cast(bazaar: Bazaar) -> Cast:
    operator = bazaar.bootstrap_operator("root", PASSWORD)
    buyer = bazaar.register("alice", PASSWORD, buyer=True)
    other_buyer = bazaar.register("bob", PASSWORD, buyer=True)
    seller = bazaar.register("carol", PASSWORD, buyer=False, seller=True)
    other_seller = bazaar.register("dave", PASSWORD, buyer=True, seller=True)
    for user in (buyer, other_buyer, other_seller):
        bazaar.credit(operator.id, user.id, 10_000)
    return Cast(operator, buyer, other_buyer, seller, other_seller)


@dataclass
class ApiWorld:
    """A running API with an operator, two buyers and two sellers signed in."""

    api: Api
    bazaar: Bazaar
    operator: httpx.Client
    buyer: httpx.Client
    other_buyer: httpx.Client
    seller: httpx.Client
    other_seller: httpx.Client


@pytest.fixture(name="w")
def api_world(store_factory: StoreFactory) -> Iterator[ApiWorld]:
    if store_factory.kind == "memory":
        pytest.skip("the HTTP API is tested on the SQL stores")
    bazaar = Bazaar(store_factory(), hasher=CHEAP_HASHER)
    bazaar.bootstrap_operator("root", PASSWORD)
    # as `volition serve --no-inspections`: the bots' passes run when a test calls them
    quiet = ApiSettings(expiry_sweep_seconds=0, run_inspections=False)
    with serve_in_thread(build_app(assemble(bazaar), quiet)) as url:
        api = Api(url)
        operator = api.sign_in("root")
        world = ApiWorld(
            api=api,
            bazaar=bazaar,
            operator=operator,
            buyer=api.sign_up("alice"),
            other_buyer=api.sign_up("bob"),
            seller=api.sign_up("carol", ("seller",)),
            other_seller=api.sign_up("dave", ("buyer", "seller")),
        )
        for name in ("alice", "bob", "dave"):
            r = operator.post("/api/operator/credits", json={"user": name, "cents": 10_000})
            assert r.status_code == 201, r.text
        try:
            yield world
        finally:
            api.close()
