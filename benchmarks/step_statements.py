"""Statements and transactions per inspection step on SQLite (issue 15, "a step in one
transaction").

One depth-1 inspection, three bot sellers (10-12 cents) answering every context, a buyer that
follows up once at the root and then buys the two first offers at every node. Each step is
printed with the state of the node it took, the statements it ran (SQLAlchemy's
``before_cursor_execute``, without the ``BEGIN`` that opens a transaction), its transactions
(``begin`` events) and its purchases; ``-v`` lists the statements.

    .venv/bin/python benchmarks/step_statements.py
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from volition.agents import Buy, Decision, FixedSeller, FollowUp, NodeView, ScriptedBuyer
from volition.bazaar.domain import Bazaar, ContextSpec
from volition.bazaar.inspection import Bot, BotPool, InspectionEngine, InspectionLimits
from volition.bazaar.security import Argon2Hasher
from volition.bazaar.storage import SqlInspectionRepository, SqlStore


def policy(view: NodeView) -> Decision:
    if view.follow_ups_left and view.depth < view.max_depth:
        about = view.offers[0]
        return FollowUp(f"Is this right: {about.preview}?", view.remaining_budget // 4, (about.id,))
    return Buy(tuple(o.id for o in view.offers[:2]))


def main() -> None:
    verbose = "-v" in sys.argv
    folder = tempfile.mkdtemp(prefix="volition_steps_")
    store = SqlStore.open(f"sqlite:///{folder}/steps.db")
    bazaar = Bazaar(store, hasher=Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1))
    operator = bazaar.bootstrap_operator("root", "benchmark password")
    buyer = bazaar.register("buyer", "benchmark password")
    bazaar.credit(operator.id, buyer.id, 10_000)
    bots = []
    for i in range(3):
        user = bazaar.register(f"bot{i}", "benchmark password", buyer=False, seller=True)
        bots.append(Bot(user.id, FixedSeller(f"p{i}", f"info {i}", 10 + i)))
    limits = InspectionLimits(
        max_depth=1, max_follow_ups=1, min_offers=3, gather_timeout=timedelta(seconds=300)
    )
    engine = InspectionEngine(
        bazaar,
        ScriptedBuyer(policy),  # type: ignore[arg-type]
        bots=BotPool(bazaar, bots),
        repository=SqlInspectionRepository(store),
        limits=limits,
    )
    seen: list[str] = []
    transactions = [0]

    @event.listens_for(store.engine, "before_cursor_execute")
    def statement(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        if not sql.lstrip().upper().startswith("BEGIN"):
            seen.append(" ".join(sql.split()[:6]))

    @event.listens_for(store.engine, "begin")
    def begin(conn: Any) -> None:
        transactions[0] += 1

    engine.start(buyer.id, bazaar.post_context(buyer.id, ContextSpec("Rain?", 1_000)).id)
    while True:
        ready = engine.repository.ready(1)
        bought = len(bazaar.purchases(buyer.id))
        seen.clear()
        transactions[0] = 0
        if not engine.step():
            break
        statements, count = list(seen), transactions[0]
        purchases = len(bazaar.purchases(buyer.id)) - bought
        state = ready[0].state.value if ready else "?"
        print(f"{state}: {len(statements)} statements, {count} transactions, {purchases} bought")
        if verbose:
            for line in statements:
                print("   ", line)
    store.close()


if __name__ == "__main__":
    main()
