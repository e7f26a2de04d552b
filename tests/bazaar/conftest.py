"""Fixtures for the bazaar tests: one domain suite over every store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from volition.bazaar.domain import Bazaar, BazaarSettings, MemoryStore, Store, User
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


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


STORE_KINDS = ["memory"]


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    yield MemoryStore()


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
