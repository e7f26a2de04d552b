"""The tests' people and time: one password, a cheap password hasher, a clock moved by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from volition.bazaar.security import Argon2Hasher

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
