"""What an inspection step costs the database, counted, against a stated budget (issue 15).

On SQLite and PostgreSQL, SQLAlchemy's ``before_cursor_execute`` and ``begin`` events count
the statements and transactions of each step of a depth-1 inspection (a root that follows up
once, a child that buys two offers, the root deciding again and buying two), three bots
answering every context. Each step is classified by the state of the node it takes.

The budget (statements do not count the ``BEGIN`` that opens a transaction):

- **a deciding step** (the agent's decision, its purchases or follow-up, the context's close)
  is at most 3 transactions: the claim, one unit that marks the offers inspected and reads the
  view, and one unit that writes everything the decision does. The agent is asked between
  the two units, with no transaction open.
- **statements**: at most ``STEP_STATEMENTS`` for the step itself, plus at most
  ``PURCHASE_STATEMENTS`` for each purchase it makes. A purchase is the service's own
  ``buy_inspected`` with its money checks as they are (the buyer's row locked, the idempotency
  key looked up, the offer and its context read and locked, the offer not bought yet, the
  reservation's balance, then the journal entry, its postings, the purchase and the key).
- **a soliciting step** needs more transactions (``SOLICIT_TRANSACTIONS``): the bots read
  what is offered already, are asked with no transaction open, and post their offers (each
  its seller's own checked operation, ``PER_OFFER`` statements) in one unit; the node is
  stored as gathering before its offers are counted (so an offer posted meanwhile is either
  counted here or wakes the gathering node): on PostgreSQL a commit, a read and a move of
  their own, on SQLite one unit (writers queue there). The
  first step after the engine was idle also reads whether any node is ready before it takes
  the write lock of the claim.

Before issue 15 a deciding step and the acting step after it took 20 to 23 transactions and
61 to 87 statements for the same work (``benchmarks/RESULTS.md``, issue 15).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import event

from tests.support.databases import one_store
from tests.support.inspection import World, make_world
from tests.support.people import FakeClock
from volition.agents import Buy, Decision, FixedSeller, FollowUp, NodeView, ScriptedBuyer
from volition.bazaar.domain import Store, audit
from volition.bazaar.inspection import InspectionStatus, NodeState
from volition.bazaar.storage import SqlStore

STEP_TRANSACTIONS = 3
STEP_STATEMENTS = 30
"""The statements of a deciding step besides its purchases: the claim (2), the read unit
(the nodes, the context, marking the offers inspected, the batched view: about 14), the
write unit's close of the context (the service's own checks and release: about 10), the
node, the agent call's record, the inspection or the parent (3)."""
PURCHASE_STATEMENTS = 13
FOLLOW_UP_STATEMENTS = 36
"""A deciding step that follows up: no close, but the service's ``post_context`` of the child
with its checks (each named seller looked up by name, the parent offers and context, the
reservation, the idempotency key) and ``start_inspecting``, the child node added, and on
PostgreSQL the ``NOTIFY`` of the new node."""
SOLICIT_TRANSACTIONS = 9
"""The claim and its read when idle (2), the context read, the bots' read of the offers, the
bots' offers (one unit), the inspection's fixed parts (read once per engine and inspection,
then cached), and on PostgreSQL the node stored as gathering, the offers counted, the move to
deciding (on SQLite these three are one unit: 7 in all)."""
SOLICIT_STATEMENTS = 12
PER_OFFER = (0, 5)
"""A bot's offer: no transaction of its own, 5 statements (the seller's row locked, the
context, the idempotency key, the insert, ...)."""


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
        where = f"a {state.value} step: {transactions} transactions, {statements} statements"
        if state is NodeState.SOLICITING:
            assert transactions <= SOLICIT_TRANSACTIONS + PER_OFFER[0] * posted, where
            assert statements <= SOLICIT_STATEMENTS + PER_OFFER[1] * posted, where
        else:
            assert transactions <= STEP_TRANSACTIONS, where
            followed_up = _contexts(world) > contexts
            budget = FOLLOW_UP_STATEMENTS if followed_up else STEP_STATEMENTS
            assert statements <= budget + PURCHASE_STATEMENTS * purchases, where
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
