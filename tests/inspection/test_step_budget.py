"""What an inspection step costs the database, counted, against a stated budget (issue 15).

On SQLite and PostgreSQL, SQLAlchemy's ``before_cursor_execute`` and ``begin`` events count
the statements and transactions of each step of a depth-1 inspection (a root that follows up
once, a child that buys two offers, the root deciding again and buying two), three bots
answering every context. Each step is classified by the state of the node it takes.

The budget (statements do not count the ``BEGIN`` that opens a transaction), the issue's
target: **at most 3 transactions and 15 statements per step**, besides what the step asks of
the bazaar's operations, counted apart: its purchases (all together), the follow-up context
it posts, the bots' offers.

- **a deciding step** (the agent's decision, its purchases or follow-up, the context's close)
  is 3 transactions: the claim (``UPDATE ... RETURNING``), one unit that marks the offers
  inspected and reads the view, and one unit that writes everything the decision does. The
  agent is asked between the two units, with no transaction open. Its statements (15 on
  both databases for a step that buys and closes, the root's and a child's alike):

  - the claim (1);
  - the read unit (4): the buyer's row and the context locked in one read
    (``UnitOfWork.lock_owned``), the offers of the chain and of the finished children with
    their purchases (``OfferRepository.with_purchases``), the marking of the new ones (only
    when there are), the reservation's balance; the inspection's nodes only when the node
    followed up before (else it has no descendants). The contexts of the chain and of the
    children are the engine's (``views.Contexts``: what never changes of a context, read once
    per engine), as are the sellers' names and the forecast question (the engine's first
    step reads them);
  - the write unit (10): the buyer and the context locked (one read), the context's offers
    locked with their purchases, its balance, its children and parent (one read), its status,
    the journal entries and their postings (the purchases' and the release's together), the
    node (a compare-and-set that refuses an overtaken worker), the agent call, and the
    inspection finished (a root) or the waiting parent resumed (a child: one ``UPDATE`` if it
    still waits for this node, nothing read). On PostgreSQL the nodes' table sends its own
    ``NOTIFY`` (triggers, migration 0015): no statement.
- **purchases**: at most ``PURCHASES_STATEMENTS`` for all of a step's purchases together,
  however many. The purchases and the close are one operation of the service
  (``Bazaar.buy_and_close``, ``domain/step_purchases.py``) with the money checks of
  ``buy_inspected`` as they are, read once for the batch; what purchases add is their keys'
  read, and one insert each for the purchases and the keys.
- **a follow-up** adds the service's ``post_context`` of the child (``POSTED_CONTEXT``: its
  idempotency key, the named sellers, the parent offers, the parent's reservation, then the
  context posted as inspecting, its entry and postings, the key); the step's own part is the
  claim, the read unit, the lock, the node waiting, the child added, the agent call (9; 11
  on the engine's first step, which reads the names and the question).
- **a soliciting step** is 3 transactions too: the claim, one read of the context as it is
  now and of what the bots are shown (with no transaction open while they answer), and one
  unit with the bots' offers (each its seller's own checked operation, ``PER_OFFER``
  statements), the node stored as gathering, its offers counted with the context locked
  against new ones (an offer posted meanwhile is counted, or its event finds the node
  gathering), and the move to deciding. The engine posted or started the context (its fixed
  fields are known) and the inspection (its limits); another engine reads each once.
- **the first step after the engine was idle** also reads whether any node is ready before it
  takes the write lock of the claim (``IDLE_CHECK``: one transaction, one statement).

Before issue 15 a deciding step and the acting step after it took 20 to 23 transactions and
61 to 87 statements for the same work; with a step in one unit, 41 to 45 statements for a
step that bought two offers, one at a time (``benchmarks/RESULTS.md``, issue 15); with its
purchases in one batch, 27 (the root's) and 28 (a child's, which resumes its parent) on
PostgreSQL; 23 and 24 with the offers read once and the names and question cached; 18 and
18 (15 + 3 for the purchases) with the locks in one read, the contexts of the tree cached,
the parent resumed blind and the notifications sent by triggers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from tests.support.databases import one_store
from tests.support.inspection import FUNDS, World, make_world
from tests.support.people import FakeClock
from volition.agents import Buy, Decision, FixedSeller, FollowUp, NodeView, ScriptedBuyer
from volition.bazaar.domain import Store, audit
from volition.bazaar.inspection import InspectionEngine, InspectionStatus, NodeState
from volition.bazaar.storage import SqlInspectionRepository, SqlStore

LEASE = timedelta(seconds=60)
STEP_TRANSACTIONS = 3
STEP_STATEMENTS = 15
"""Any step's own statements (see the module's docstring): 15 for a deciding step that buys
and closes, 9 to 11 for one that follows up, 7 to 11 for a soliciting one."""
PURCHASES_STATEMENTS = 3
"""All the purchases of a step together: the keys looked up, the purchases and the keys
inserted (their entries are written with the close's)."""
POSTED_CONTEXT = 8
"""The follow-up context a step posts (``Bazaar.post_context``'s own statements)."""
IDLE_CHECK = 1
"""The read of whether any node is ready, by the first claim after an idle spell."""
PER_OFFER = 5
"""A bot's offer: at most 5 statements (the seller's row locked, the context, on a follow-up
context the parent offers its sellers may see, the insert), and no transaction of its own
(the step's 3 hold whatever the offers)."""


@dataclass
class Counter:
    """Statements and transactions seen on one engine since the last ``reset``."""

    statements: list[str] = field(default_factory=list)
    transactions: int = 0

    def reset(self) -> None:
        self.statements.clear()
        self.transactions = 0


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    stores: Iterator[Store] = one_store(
        request.param, request, tmp_path, pg_db_fixture="inspection_pg_url"
    )
    store = next(stores)
    yield make_world(store, FakeClock())
    next(stores, None)


def counting(store: SqlStore) -> Counter:
    counter = Counter()

    @event.listens_for(store.engine, "before_cursor_execute")
    def statement(conn, cursor, sql, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if not sql.lstrip().upper().startswith("BEGIN"):
            counter.statements.append(sql)

    @event.listens_for(store.engine, "begin")
    def begin(conn):  # type: ignore[no-untyped-def]
        counter.transactions += 1

    return counter


def policy(view: NodeView) -> Decision:
    """Follow up once at the root, then buy the two first offers."""
    if view.follow_ups_left and view.depth < view.max_depth:
        about = view.offers[0]
        return FollowUp(f"Is this right: {about.preview}?", view.remaining_budget // 4, (about.id,))
    return Buy(tuple(o.id for o in view.offers[:2]))


def test_a_step_stays_within_its_budget_of_statements_and_transactions(
    sql_world: World,
) -> None:
    world = sql_world
    store = world.bazaar.store
    assert isinstance(store, SqlStore)
    for i in range(3):
        world.bot(FixedSeller(f"forecast {i}", f"rain chance {10 * i}%", 10 + i))
    engine = world.engine(ScriptedBuyer(policy), max_depth=1, max_follow_ups=1, min_offers=3)
    inspection = engine.start(world.buyer.id, world.post("Will it rain?", 1_000).id)
    counter = counting(store)
    seen: list[tuple[NodeState, int, int, int]] = []
    while True:
        ready = engine.repository.ready(1)
        bought = len(world.bazaar.purchases(world.buyer.id))
        offers, contexts = _offers(world), _contexts(world)
        counter.reset()
        if not engine.step():
            break
        statements, transactions = len(counter.statements), counter.transactions
        assert ready, "a step ran with no ready node"
        state = ready[0].state
        purchases = len(world.bazaar.purchases(world.buyer.id)) - bought
        posted = _offers(world) - offers
        seen.append((state, statements, transactions, purchases))
        where = f"a {state.value} step: {transactions} transactions, {statements} statements:\n" + (
            "\n".join(" ".join(sql.split())[:120] for sql in counter.statements[:statements])
        )
        idle = IDLE_CHECK if not seen[:-1] else 0  # the first step: the engine was idle
        assert transactions <= STEP_TRANSACTIONS + idle, where
        if state is NodeState.SOLICITING:
            assert statements <= STEP_STATEMENTS + idle + PER_OFFER * posted, where
        else:
            followed_up = _contexts(world) > contexts
            budget = STEP_STATEMENTS + (POSTED_CONTEXT if followed_up else 0)
            assert statements <= budget + (PURCHASES_STATEMENTS if purchases else 0), where
    assert engine.inspection(inspection.id).status is InspectionStatus.DONE
    assert [(s, p) for s, _, _, p in seen] == [
        (NodeState.SOLICITING, 0),
        (NodeState.DECIDING, 0),  # the root follows up
        (NodeState.SOLICITING, 0),
        (NodeState.DECIDING, 2),  # the child buys two offers and closes
        (NodeState.DECIDING, 2),  # the root decides again, buys two and closes
    ]
    assert world.money() > 0 and audit(store) == []


def _offers(world: World) -> int:
    with world.bazaar.store.begin(write=False) as uow:
        return sum(len(uow.offers.for_context(c.id)) for c in uow.contexts.find(limit=1000))


def _contexts(world: World) -> int:
    return len(world.bazaar.contexts(world.buyer.id, mine=True))


def test_two_workers_racing_on_one_node_apply_exactly_one_step(sql_world: World) -> None:
    """Two workers decide the same node at once (the first's lease ran out while its agent
    was thinking, the second claimed the node): both agents answer together and both write
    at once. Exactly one step is applied: one agent call recorded, each offer bought once
    and paid once, money conserved, the books clean; the other worker's unit rolled back."""
    world = sql_world
    store = world.bazaar.store
    assert isinstance(store, SqlStore)
    first = world.bot(FixedSeller("forecast", "80% rain", 300))
    second = world.bot(FixedSeller("radar", "clouds coming", 200))
    both_asked = threading.Barrier(2, timeout=30)

    def buy_everything(view: NodeView) -> Decision:
        both_asked.wait()  # neither writes before both were asked
        return Buy(tuple(o.id for o in view.offers))

    engines = []
    for worker in ("first", "second"):
        engine = world.engine(
            ScriptedBuyer(buy_everything),
            repository=SqlInspectionRepository(store),
            max_depth=0,
            min_offers=2,
        )
        engine.worker_id, engine.lease = worker, LEASE
        engines.append(engine)
    inspection = engines[0].start(world.buyer.id, world.post("Will it rain?", 1_000).id)
    assert engines[0].step()  # solicited: two offers, the node decides next
    errors: list[BaseException] = []

    def step(engine: InspectionEngine) -> None:
        try:
            assert engine.step()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=step, args=(engine,)) for engine in engines]
    threads[0].start()
    _wait_for(lambda: both_asked.n_waiting == 1)  # the first worker's agent is thinking
    world.clock.advance(LEASE.total_seconds() + 1)  # ... past its lease: the node is free
    threads[1].start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and not any(t.is_alive() for t in threads)

    assert not engines[0].step() and not engines[1].step()
    root = engines[0].repository.get_node(inspection.root_node_id)
    assert root is not None and root.state is NodeState.DONE and len(root.bought) == 2
    assert len(engines[0].repository.calls(inspection.id)) == 1, "one step applied"
    purchases = world.bazaar.purchases(world.buyer.id)
    assert sorted(p.price for p, _ in purchases) == [200, 300]
    assert world.bazaar.balances(first.user_id).earnings == 300
    assert world.bazaar.balances(second.user_id).earnings == 200
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS - 500
    assert world.money() == FUNDS and audit(store) == []


def _wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
