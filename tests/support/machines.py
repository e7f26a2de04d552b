"""Hypothesis state machines on a bazaar: the users, the refusal check and the SQL runs that
the property tests share (docs/design.md: the invariants as hypothesis properties)."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from tests.support.databases import StoreFactory
from tests.support.people import CHEAP_HASHER, FakeClock
from volition.bazaar.domain import Bazaar, BazaarSettings, MemoryStore, Store
from volition.errors import VolitionError

PASSWORD = "long enough password"


class PlatformMachine(RuleBasedStateMachine):
    """A bazaar on a fresh store with an operator ``root`` and ``n_users`` users who are
    buyers and sellers, each granted ``grant`` cents (``credited``: all of it)."""

    make_store: Callable[[], Store] = MemoryStore
    n_users = 3
    grant = 200

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.store = self.make_store()
        self.bazaar = Bazaar(
            self.store,
            hasher=CHEAP_HASHER,
            settings=BazaarSettings(starting_grant=self.grant),
            clock=self.clock,
        )
        self.root = self.bazaar.bootstrap_operator("root", PASSWORD)
        self.users = [
            self.bazaar.register(f"user{i}", PASSWORD, buyer=True, seller=True)
            for i in range(self.n_users)
        ]
        self.credited = self.grant * (self.n_users + 1)  # the operator is granted too

    def snapshot(self) -> tuple[object, ...]:
        """What a refused operation must leave as it was."""
        with self.store.begin(write=False) as uow:
            return (uow.ledger.balances(),)

    def attempt(self, operation: Callable[[], object]) -> object | None:
        """Run ``operation``; if the domain refuses it, nothing may have changed."""
        before = self.snapshot()
        try:
            return operation()
        except VolitionError:
            assert self.snapshot() == before, "a refused operation changed state"
            return None


def run_on_sql(
    machine: type[PlatformMachine], store_factory: StoreFactory, examples: int, steps: int
) -> None:
    """``machine`` on the stores of ``store_factory`` (SQLite or PostgreSQL): fewer examples,
    each a fresh database."""

    class SqlMachine(machine):  # type: ignore[valid-type,misc]
        make_store = staticmethod(store_factory)

    run_state_machine_as_test(
        SqlMachine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
