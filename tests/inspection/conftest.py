"""Fixtures for the inspection tests: the same stories on the memory store and on SQLite, and
on PostgreSQL where the test is about leases, recovery or workers (the databases come from the
tests' plugin, tests/support/plugin.py).

A SQL store's world runs its engine on the SQL inspection repository (``World.engine``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.databases import empty_pg_store, one_store
from tests.support.inspection import FakeClock, World, make_world
from volition.bazaar.domain import MemoryStore, Store
from volition.bazaar.storage import SqlStore


def _store(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    yield from one_store(kind, request, tmp_path, pg_db_fixture="inspection_pg_url")


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    yield from _store(request.param, request, tmp_path)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Every store, PostgreSQL included (for the tests of leases and recovery)."""
    yield from _store(request.param, request, tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    """A world on each SQL store (for the tests over HTTP)."""
    for store in _store(request.param, request, tmp_path):
        yield make_world(store, FakeClock())


@pytest.fixture
def pg_store(inspection_pg_url: str) -> Iterator[SqlStore]:
    """An emptied store on this worker's PostgreSQL database of the inspection tests."""
    store = empty_pg_store(inspection_pg_url)
    yield store
    store.close()


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
