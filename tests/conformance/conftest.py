"""Fixtures for the conformance tests: a PostgreSQL database of their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.bazaar.conftest import pg_database


@pytest.fixture(scope="session")
def conformance_pg_url(worker_id: str) -> Iterator[str]:
    yield from pg_database("volition_conf", worker_id)
