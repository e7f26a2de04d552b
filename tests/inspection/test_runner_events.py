"""The runner waits on events and due times: idle it costs nothing, busy it does work in
proportion to the events, and other processes' commits reach it (LISTEN/NOTIFY, SQLite)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.agents import script
from tests.support.databases import one_store
from tests.support.inspection import FakeClock, World, make_world
from tests.support.servers import wait_for
from volition.agents import Buy, FixedSeller, NodeView
from volition.bazaar.bot_dispatch import BotDispatcher
from volition.bazaar.domain import Bazaar, ContextSpec, Event, EventKind, Store
from volition.bazaar.inspection import (
    InspectionRunner,
    InspectionStatus,
    NodeState,
    Outcome,
)
from volition.bazaar.inspection.repository import InspectionRepository
from volition.bazaar.storage import SqlInspectionRepository, SqlStore
from volition.bazaar.storage.notify import decode, encode, sender_for, watch_commits


class RealClock(FakeClock):
    """The wall clock (timers are real time)."""

    def __call__(self) -> datetime:
        return datetime.now(UTC)


class Counting:
    """A repository that counts the calls made to it."""

    def __init__(self, inner: InspectionRepository) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.inner, name)
        if not callable(found):
            return found

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return found(*args, **kwargs)

        return counted


def _everything(view: NodeView) -> Buy:
    return Buy(tuple(o.id for o in view.offers))


def _wait(condition: Callable[[], bool], timeout: float = 15) -> None:
    wait_for(condition, "the runner's step", timeout)


def _cpu_seconds(native_id: int) -> float:
    """A thread's CPU time (user + system) from /proc, in seconds."""
    with open(f"/proc/self/task/{native_id}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.fixture
def runner_world(any_store: Store) -> World:
    return make_world(any_store, RealClock())


@pytest.fixture
def started() -> Iterator[list[InspectionRunner]]:
    runners: list[InspectionRunner] = []
    yield runners
    for runner in runners:
        runner.stop()


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="reads /proc (Linux)")
def test_an_idle_runner_sleeps(runner_world: World, started: list[InspectionRunner]) -> None:
    world = runner_world
    world.bot(FixedSeller("forecast", "80% rain", 300))
    engine = world.engine(script(_everything), max_depth=0, min_offers=5)
    world.post("Will it rain?", 1_000)  # open, but nobody inspects it
    dispatcher = BotDispatcher(world.bazaar)
    runner = InspectionRunner(engine, extra_work=(dispatcher.run_due,))
    runner.start()
    started.append(runner)
    _wait(lambda: runner.passes >= 1)
    time.sleep(0.3)  # the first pass done, and a PostgreSQL listener's first notice heard
    thread = runner.thread
    assert thread is not None and thread.native_id is not None
    woke, cpu = runner.wakeups, _cpu_seconds(thread.native_id)
    start = time.thread_time()
    time.sleep(2.0)
    assert time.thread_time() - start < 0.01  # (the test's own thread, for scale)
    assert runner.wakeups - woke <= 1
    assert _cpu_seconds(thread.native_id) - cpu <= 0.02  # two clock ticks at most
    assert runner.passes == 1


def test_offers_to_contexts_nobody_gathers_on_are_dropped_from_memory(
    runner_world: World, started: list[InspectionRunner]
) -> None:
    world = runner_world
    repository = Counting(world.repository())
    engine = world.engine(script(_everything), max_depth=0, min_offers=2, repository=repository)  # type: ignore[arg-type]
    inspected = world.post("Will it rain?", 1_000)
    inspection = engine.start(world.buyer.id, inspected.id)
    other = world.post("Will it snow?", 1_000)
    runner = InspectionRunner(engine)
    runner.start()
    started.append(runner)
    _wait(lambda: engine.repository.in_state(NodeState.GATHERING) != [])
    time.sleep(0.2)
    calls, woke, passes = len(repository.calls), runner.wakeups, runner.passes
    seller = world.seller()
    for i in range(30):  # thirty events, none for a gathering node
        world.bazaar.post_offer(seller.id, other.id, preview="p", private_info="s", price=i + 1)
    assert runner.dropped >= 30  # dropped by the posting thread itself, before any wake-up
    assert runner.wakeups == woke and runner.passes == passes  # the loop never woke
    assert repository.calls[calls:] == []  # not one read: dropped in memory
    world.bazaar.post_offer(seller.id, inspected.id, preview="p", private_info="s", price=5)
    world.bazaar.post_offer(seller.id, inspected.id, preview="q", private_info="t", price=6)
    _wait(lambda: engine.inspection(inspection.id).status is InspectionStatus.DONE)
    assert len(world.bazaar.purchases(world.buyer.id)) == 2


def test_a_burst_of_wake_ups_costs_one_pass(runner_world: World) -> None:
    world = runner_world
    engine = world.engine(script(_everything), max_depth=0, min_offers=5)
    passes: list[int] = []

    def work() -> int:
        passes.append(1)
        return 0

    runner = InspectionRunner(engine, interval=300, extra_work=(work,), settle=0.5)
    runner.start()
    try:
        _wait(lambda: runner.passes == 1 and len(passes) == 1)
        woke = runner.wakeups
        for i in range(20):  # twenty posted contexts in microseconds: the window takes them all
            runner.listen(Event(EventKind.CONTEXT_POSTED, f"ctx_{i}"))
        _wait(lambda: len(passes) >= 2)
        assert runner.dropped == 0  # posted contexts ask the extra work for something
    finally:
        runner.stop()
    assert runner.wakeups == woke + 1 and len(passes) == 2


def test_without_extra_work_posted_contexts_are_dropped(runner_world: World) -> None:
    engine = runner_world.engine(script(_everything), max_depth=0, min_offers=5)
    runner = InspectionRunner(engine, interval=300)
    runner.listen(Event(EventKind.CONTEXT_POSTED, "ctx_1"))  # not started: nodes not read yet
    assert runner.dropped == 0
    runner.run_once()  # reads the gathering nodes: none
    for kind in EventKind:  # nothing gathers, nothing answers posted contexts
        runner.listen(Event(kind, "ctx_2"))
    assert runner.dropped == len(EventKind)
    runner.wake()  # an inspection started: nodes may gather unread, nothing is dropped
    runner.listen(Event(EventKind.OFFER_POSTED, "ctx_2"))
    assert runner.dropped == len(EventKind)


def test_a_deadline_wakes_the_runner_without_polling(
    runner_world: World, started: list[InspectionRunner]
) -> None:
    world = runner_world
    engine = world.engine(script(_everything), max_depth=0, min_offers=5, gather_timeout_s=0.5)
    context = world.post("Will it rain?", 1_000)
    seller = world.seller()
    world.bazaar.post_offer(seller.id, context.id, preview="p", private_info="s", price=100)
    runner = InspectionRunner(engine, interval=300)
    runner.start()
    started.append(runner)
    inspection = engine.start(world.buyer.id, context.id)
    runner.wake()

    def root_outcome() -> Outcome | None:
        root = engine.repository.get_node(inspection.root_node_id)
        return None if root is None else root.outcome

    _wait(lambda: root_outcome() is not None, timeout=10)
    assert root_outcome() is Outcome.BOUGHT  # decided on one offer
    assert runner.passes == 1 and runner.wakeups <= 6  # the wake, steps, the deadline


def test_a_lease_running_out_wakes_the_runner(
    runner_world: World, started: list[InspectionRunner]
) -> None:
    world = runner_world
    engine = world.engine(script(_everything), max_depth=0, min_offers=1)
    context = world.post("Will it rain?", 1_000)
    seller = world.seller()
    world.bazaar.post_offer(seller.id, context.id, preview="p", private_info="s", price=100)
    inspection = engine.start(world.buyer.id, context.id)
    # a worker claims the root and dies: its lease runs out in 0.6 s
    dead = engine.repository.claim("dead-worker", world.clock(), timedelta(seconds=0.6))
    assert dead is not None
    runner = InspectionRunner(engine, interval=300)
    runner.start()
    started.append(runner)
    _wait(lambda: engine.inspection(inspection.id).status is InspectionStatus.DONE, timeout=10)
    assert runner.passes == 1  # the timer did it, not a sweep


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_runner_world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    """A world on a SQL store only: stored bots live in SQL."""
    for store in one_store(request.param, request, tmp_path, "inspection_pg_url"):
        yield make_world(store, RealClock())


def test_bots_answer_a_posted_context_on_its_event(
    sql_runner_world: World, started: list[InspectionRunner]
) -> None:
    world = sql_runner_world
    from volition.bazaar.domain.bot_service import BotService

    service = BotService(world.bazaar)
    owner = world.seller()
    service.create_bot(
        owner.id,
        name="forecaster",
        kind="fixed",
        price=100,
        preview="forecast",
        private_info="80% rain",
    )
    dispatcher = BotDispatcher(world.bazaar, service, retry_after=timedelta(seconds=0.3))
    world.bazaar.subscribe(dispatcher.listen)
    engine = world.engine(script(_everything), max_depth=0, min_offers=5)
    runner = InspectionRunner(engine, interval=300, extra_work=(dispatcher.run_due,))
    runner.start()
    started.append(runner)
    _wait(lambda: runner.passes >= 1)
    assert dispatcher.run_woken() == 0 and dispatcher.next_due() is None
    context = world.post("Will it rain?", 1_000)
    _wait(lambda: len(world.bazaar.offers(world.buyer.id, context.id)) == 1)
    assert runner.passes == 1  # answered on the event, not by a sweep


def test_an_idle_engine_sends_no_statement(
    sql_runner_world: World, started: list[InspectionRunner]
) -> None:
    from sqlalchemy import event

    world = sql_runner_world
    store = world.bazaar.store
    assert isinstance(store, SqlStore)
    world.bot(FixedSeller("forecast", "80% rain", 300))
    engine = world.engine(script(_everything), max_depth=0, min_offers=5)
    context = world.post("Will it rain?", 1_000)
    engine.start(world.buyer.id, context.id)  # a node gathering, with a deadline far away
    dispatcher = BotDispatcher(world.bazaar)
    world.bazaar.subscribe(dispatcher.listen)
    watch = watch_commits(store, sqlite=False, own=world.bazaar)
    runner = InspectionRunner(engine, extra_work=(dispatcher.run_due,), watch=watch)
    runner.start()
    started.append(runner)
    _wait(lambda: runner.passes >= 1)
    time.sleep(0.5)  # what the first pass and the bot's offer set off is done
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        time.sleep(2.0)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert statements == []
    assert runner.passes == 1


def test_notices_encode_events_and_node_changes() -> None:
    event = Event(EventKind.OFFER_POSTED, "ctx_1")
    assert decode(encode(event, "p1")) == Event(EventKind.OFFER_POSTED, "ctx_1")
    assert decode(encode(event, "p1"), own="p1") is None  # the echo of one's own event
    assert decode(encode(event, "p1"), own="p2") == event
    assert decode("nodes") == "nodes" and decode("nonsense:x") == "unknown"


# ------------------------------------------------------------- other processes


def _second_process(store: SqlStore, url: str, world: World) -> Bazaar:
    """A bazaar as another process has it: its own store, its own listeners."""
    other = SqlStore.open(url, migrate=False)
    bazaar = Bazaar(other, hasher=world.bazaar.hasher, clock=world.clock)
    sender = sender_for(other, bazaar)
    if sender is not None:
        bazaar.subscribe(sender)
    return bazaar


def _cross_process(
    world: World, url: str, started: list[InspectionRunner], *, sqlite: bool = False
) -> None:
    store = world.bazaar.store
    assert isinstance(store, SqlStore)
    engine = world.engine(script(_everything), max_depth=0, min_offers=2)
    watch = watch_commits(store, sqlite=sqlite, own=world.bazaar)
    runner = InspectionRunner(engine, interval=300, watch=watch)
    runner.start()
    started.append(runner)
    _wait(lambda: runner.passes >= 1)
    other = _second_process(store, url, world)
    try:
        # the other process starts an inspection and posts offers; no event of its reaches
        # this process's bazaar, so only the database's notices can wake the runner
        from volition.bazaar.inspection import InspectionEngine, InspectionLimits

        their_engine = InspectionEngine(
            other,
            repository=SqlInspectionRepository(other.store),  # type: ignore[arg-type]
            limits=InspectionLimits(max_depth=0, min_offers=2),
        )
        context = other.post_context(world.buyer.id, ContextSpec("Will it rain?", 1_000))
        inspection = their_engine.start(world.buyer.id, context.id, agent="offline")
        _wait(lambda: engine.repository.in_state(NodeState.GATHERING) != [])
        seller = other.register("remote-seller", "correct horse battery", seller=True)
        for price in (100, 200):
            other.post_offer(seller.id, context.id, preview="p", private_info="s", price=price)
        _wait(lambda: engine.inspection(inspection.id).status is InspectionStatus.DONE)
    finally:
        other.store.close()  # type: ignore[attr-defined]
    assert runner.passes == 1  # no sweep: notices did it


def test_postgresql_notices_wake_a_runner_in_another_process(
    inspection_pg_url: str, started: list[InspectionRunner]
) -> None:
    from tests.support.databases import empty_pg_store

    store = empty_pg_store(inspection_pg_url)
    try:
        _cross_process(make_world(store, RealClock()), inspection_pg_url, started)
    finally:
        for runner in started:
            runner.stop()
        started.clear()
        store.close()


def test_sqlite_commits_wake_a_watching_runner(
    sqlite_template: Path, tmp_path: Path, started: list[InspectionRunner]
) -> None:
    import shutil

    path = tmp_path / "bazaar.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    store = SqlStore.open(url, migrate=False)
    try:
        _cross_process(make_world(store, RealClock()), url, started, sqlite=True)
    finally:
        for runner in started:
            runner.stop()
        started.clear()
        store.close()
