"""Fixtures for the inspection tests: the same stories on the memory store and on SQLite, and
on PostgreSQL where the test is about leases, recovery or workers.

A SQL store's world runs its engine on the SQL inspection repository (``World.engine``)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bazaar.conftest import pg_database
from tests.inspection.helpers import FakeClock, World, make_world
from volition.bazaar.domain import MemoryStore, Store
from volition.bazaar.storage import SqlStore, make_engine, upgrade
from volition.bazaar.storage.models import Base


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test instead of migrating again."""
    path = tmp_path_factory.mktemp("inspection") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def inspection_pg_url(worker_id: str) -> Iterator[str]:
    """The PostgreSQL database of this xdist worker's inspection tests."""
    yield from pg_database("volition_insp", worker_id)


def empty_pg_store(url: str) -> SqlStore:
    """A store on ``url`` with every table emptied."""
    store = SqlStore.open(url, migrate=False)
    tables = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    return store


def _store(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if kind == "memory":
        yield MemoryStore()
        return
    if kind == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "bazaar.db"
        shutil.copy(template, path)
        sql = SqlStore.open(f"sqlite:///{path}", migrate=False)
    else:
        sql = empty_pg_store(request.getfixturevalue("inspection_pg_url"))
    yield sql
    sql.close()


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    yield from _store(request.param, request, tmp_path)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Every store, PostgreSQL included (for the tests of leases and recovery)."""
    yield from _store(request.param, request, tmp_path)


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store, FakeClock())


@pytest.fixture
def any_world(any_store: Store) -> World:
    return make_world(any_store, FakeClock())


@pytest.fixture
def mworld() -> World:
    """A world on the memory store only (for tests about the engine, not the store)."""
    return make_world(MemoryStore(), FakeClock())
