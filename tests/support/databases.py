"""Test databases: migrated SQLite copies and PostgreSQL databases of the test run's own.

PostgreSQL is reached at ``$VOLITION_TEST_PG_URL`` (default: 127.0.0.1:5432, user postgres);
when it is not reachable its tests are skipped, and fail in CI.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # imported where used: the plugin loads this module for every test run
    from volition.bazaar.domain import Store
    from volition.bazaar.storage import SqlStore

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
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError

    from volition.bazaar.storage import make_engine, upgrade

    # The pid keeps two test runs on one server (other sessions, CI) from sharing a database.
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


def empty_pg_store(url: str) -> SqlStore:
    """A store on the PostgreSQL database ``url`` with every table emptied."""
    from volition.bazaar.storage import SqlStore
    from volition.bazaar.storage.models import Base

    store = SqlStore.open(url, migrate=False)
    tables = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    return store


def migrated_sqlite(path: Path) -> Path:
    """A migrated SQLite database file at ``path``."""
    from volition.bazaar.storage import make_engine, upgrade

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def sqlite_copy(template: Path, path: Path) -> SqlStore:
    """A store on a copy of the migrated ``template`` at ``path`` (no migration run again)."""
    from volition.bazaar.storage import SqlStore

    shutil.copy(template, path)
    return SqlStore.open(f"sqlite:///{path}", migrate=False)


class StoreFactory:
    """Makes fresh, empty, migrated stores of one kind; the PostgreSQL database is the fixture
    ``pg_db_fixture``'s (emptied for each store)."""

    def __init__(
        self,
        kind: str,
        request: pytest.FixtureRequest,
        tmp_path: Path,
        pg_db_fixture: str = "pg_url",
    ) -> None:
        self.kind = kind
        self.request = request
        self.tmp_path = tmp_path
        self.pg_db_fixture = pg_db_fixture
        self.made: list[SqlStore] = []

    def __call__(self) -> Store:
        from volition.bazaar.domain import MemoryStore

        if self.kind == "memory":
            return MemoryStore()
        if self.kind == "sqlite":
            template: Path = self.request.getfixturevalue("sqlite_template")
            store = sqlite_copy(template, self.tmp_path / f"bazaar{len(self.made)}.db")
        else:
            store = empty_pg_store(self.request.getfixturevalue(self.pg_db_fixture))
        for old in self.made:
            old.close()
        self.made.append(store)
        return store

    def close(self) -> None:
        for store in self.made:
            store.close()


def one_store(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, pg_db_fixture: str = "pg_url"
) -> Iterator[Store]:
    """A fresh store of ``kind`` for a fixture to yield from; closed after."""
    factory = StoreFactory(kind, request, tmp_path, pg_db_fixture)
    try:
        yield factory()
    finally:
        factory.close()
