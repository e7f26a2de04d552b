"""``volition serve``'s default number of server processes (issue 15, "Request path"): one per
core, at most 4, on PostgreSQL (measured to win there), and 1 on SQLite; ``--workers`` still
decides when given. The server itself is replaced by a recorder: what is checked is which
way ``serve`` starts it, with how many processes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from volition.cli import bazaar as serve_command
from volition.errors import InputError


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The process counts ``serve`` started servers with (1: one process, in place)."""
    counts: list[int] = []
    monkeypatch.setattr(serve_command, "_uvicorn", lambda *args, **kwargs: counts.append(1))
    monkeypatch.setattr(serve_command, "_run_workers", lambda _u, n, *a: counts.append(n))
    for name in EXPORTED:  # restored after the test: serve exports them for its processes
        monkeypatch.delenv(name, raising=False)
    return counts


EXPORTED = (
    "VOLITION_DATABASE_URL",
    "VOLITION_STARTING_GRANT",
    "VOLITION_CORS_ORIGINS",
    "VOLITION_REDIS_URL",
    "VOLITION_TRUSTED_PROXIES",
    "VOLITION_THREADS",
    "VOLITION_INLINE",
)


def _serve(database: str, **options: Any) -> None:
    serve_command.serve(database=database, port=8123, inspections=False, **options)


def test_the_default_is_one_per_core_up_to_four_on_postgresql_and_one_on_sqlite() -> None:
    cores = len(os.sched_getaffinity(0))
    assert serve_command.default_workers("postgresql") == max(1, min(4, cores))
    assert serve_command.default_workers("sqlite") == 1


def test_serve_on_postgresql_starts_the_default_number_of_processes(
    pg_url: str, started: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3, 4, 5})
    _serve(pg_url)
    _serve(pg_url, workers=1)  # --workers 1: one process, in place
    assert started == [4, 1]


def test_serve_on_sqlite_starts_one_process_unless_told(
    tmp_path: Path, started: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3})
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    _serve(url)
    _serve(url, workers=2)
    assert started == [1, 2]


@pytest.mark.parametrize(("given", "exported"), [(None, "1"), (False, "0"), (True, "1")])
def test_the_worker_processes_are_told_inline_or_not(
    pg_url: str, started: list[int], given: bool | None, exported: str
) -> None:
    _serve(pg_url, workers=2, inline=given)
    assert started == [2] and os.environ["VOLITION_INLINE"] == exported


@pytest.mark.parametrize("workers", [0, -1, 65])
def test_a_process_count_out_of_range_is_refused_before_anything_starts(
    tmp_path: Path, started: list[int], workers: int
) -> None:
    with pytest.raises(InputError, match="--workers must be between 1 and 64"):
        _serve(f"sqlite:///{tmp_path / 'serve.db'}", workers=workers)
    assert started == []
    assert not (tmp_path / "serve.db").exists()
