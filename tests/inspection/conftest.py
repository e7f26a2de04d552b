"""Fixtures for the inspection tests: the same stories on the memory store and on SQLite."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.inspection.helpers import FakeClock, World, make_world
from volition.bazaar.domain import MemoryStore, Store
from volition.bazaar.storage import SqlStore, make_engine, upgrade


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test instead of migrating again."""
    path = tmp_path_factory.mktemp("inspection") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    template: Path = request.getfixturevalue("sqlite_template")
    path = tmp_path / "bazaar.db"
    shutil.copy(template, path)
    sql = SqlStore.open(f"sqlite:///{path}", migrate=False)
    yield sql
    sql.close()


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store, FakeClock())


@pytest.fixture
def mworld() -> World:
    """A world on the memory store only (for tests about the engine, not the store)."""
    return make_world(MemoryStore(), FakeClock())
