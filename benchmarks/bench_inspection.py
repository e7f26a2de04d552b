"""Inspections per second (issue 5, "Performance"): depth 2, breadth 2, 5 offers per node.

Each inspection is one top-level context (budget 20.00) posted by a funded buyer and
inspected with limits ``max_depth=2, max_follow_ups=2, min_offers=5`` by:

* ``--buyer offline`` (the default): the offline TF-IDF buyer, which follows up at most once
  per node and only on an offer costing a quarter of the budget or more, so with these cheap
  offers its trees are small (the nodes per inspection are printed);
* ``--buyer tree``: a scripted buyer that always uses the limits in full (two follow-ups per
  node down to depth 2: 7 nodes per inspection, 35 offers, 13 agent calls);

and 5 instant bot sellers (``FixedSeller``, 5-25 cents), asked once on every context, follow-ups
included. Three set-ups, each on a fresh database:

* ``memory``: the in-memory store and repository, one process;
* ``sqlite``: a SQLite file and the SQL inspection repository, one process;
* ``postgresql``: a fresh PostgreSQL database with W worker processes (``--workers``), each
  running the same loop as ``volition worker`` (the platform of ``open_platform``, its
  ``InspectionRunner`` over the SQL repository, leases, the stored bots' pass, woken by the
  other processes' commits) with this benchmark's buyer and instant bots in place of the
  platform's engine; the main process posts the contexts and starts the inspections.

The clock runs from the first context posted to the last inspection done; afterwards every
node must be done, the ledger audit clean and the money conserved. With ``--llm`` it also
reports the tokens per inspection of the LLM buyer on the scripted OpenAI-compatible server
(which counts words as tokens), on the memory store.

    .venv/bin/python benchmarks/bench_inspection.py --inspections 200 --workers 1 2 --llm
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from honest import Session, load_average, spread
from volition.agents import (
    Buy,
    BuyerAgent,
    Decision,
    Endpoint,
    FixedSeller,
    FollowUp,
    LLMBuyer,
    NodeView,
    OfflineBuyer,
    ScriptedBuyer,
)
from volition.bazaar.config import PlatformSettings
from volition.bazaar.domain import Bazaar, ContextSpec, MemoryStore, Store, audit
from volition.bazaar.domain.ledger import FUNDING
from volition.bazaar.inspection import (
    Bot,
    BotPool,
    InspectionEngine,
    InspectionLimits,
    InspectionRunner,
    InspectionStatus,
    MemoryInspectionRepository,
    NodeState,
)
from volition.bazaar.platform import open_platform
from volition.bazaar.security import Argon2Hasher
from volition.bazaar.storage import SqlInspectionRepository, SqlStore
from volition.bazaar.storage.notify import watch_commits

PG_SERVER = os.environ.get("VOLITION_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
HASHER = Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1)
BUDGET = 2_000
LIMITS = InspectionLimits(
    max_depth=2, max_follow_ups=2, min_offers=5, gather_timeout=timedelta(seconds=30)
)
TOPICS = ["rain in Oslo", "the Bergen train", "laptop keyboards", "the picnic", "river levels"]
BOTS = [
    ("forecast", "the forecast says rain tomorrow afternoon, confirmed by radar", 25),
    ("radar", "radar shows clouds coming from the west", 20),
    ("history", "it rained on this date in 7 of the last 10 years", 15),
    ("local", "a local says the train and the picnic are fine", 10),
    ("rumour", "a rumour about the river and laptops", 5),
]


def tree_policy(view: NodeView) -> Decision:
    """Use the limits in full: follow up twice per node down to the deepest level."""
    if view.follow_ups_left > 0 and view.depth < view.max_depth and view.offers:
        k = (LIMITS.max_follow_ups - view.follow_ups_left) % len(view.offers)
        offer = view.offers[k]
        return FollowUp(
            f"Is this accurate: {offer.preview}?", view.remaining_budget // 4, (offer.id,)
        )
    cheapest = sorted(view.offers, key=lambda o: o.price)[:2]
    return Buy(tuple(o.id for o in cheapest if o.price <= view.remaining_budget))


def make_buyer(kind: str) -> BuyerAgent:
    if kind == "tree":
        return ScriptedBuyer(tree_policy, name="tree")  # type: ignore[return-value]
    return OfflineBuyer()  # type: ignore[return-value]


@dataclass
class Setup:
    bazaar: Bazaar
    buyer_id: str
    bot_ids: list[str]


def populate(store: Store, n: int) -> Setup:
    """A funded buyer and the five bot sellers."""
    bazaar = Bazaar(store, hasher=HASHER)
    operator = bazaar.bootstrap_operator("root", "benchmark password")
    buyer = bazaar.register("buyer", "benchmark password", buyer=True)
    bazaar.credit(operator.id, buyer.id, BUDGET * n)
    bots = [
        bazaar.register(f"bot-{name}", "benchmark password", buyer=False, seller=True).id
        for name, _, _ in BOTS
    ]
    return Setup(bazaar, buyer.id, bots)


def bot_pool(bazaar: Bazaar, bot_ids: list[str]) -> BotPool:
    agents = [FixedSeller(preview, info, price) for preview, info, price in BOTS]
    return BotPool(
        bazaar, [Bot(user_id, agent) for user_id, agent in zip(bot_ids, agents, strict=True)]
    )


def start_all(setup: Setup, engine: InspectionEngine, n: int) -> list[str]:
    ids = []
    for i in range(n):
        query = f"Should I worry about {TOPICS[i % len(TOPICS)]} tomorrow? ({i})"
        context = setup.bazaar.post_context(setup.buyer_id, ContextSpec(query, BUDGET))
        ids.append(engine.start(setup.buyer_id, context.id).id)
    return ids


@dataclass
class Result:
    label: str
    inspections: int
    seconds: float
    nodes: int
    purchases: int

    def line(self) -> str:
        rate = self.inspections / self.seconds
        return (
            f"| {self.label} | {self.inspections} | {self.seconds:.2f} | {rate:.1f} | "
            f"{self.nodes / self.inspections:.2f} | {self.purchases / self.inspections:.2f} |"
        )


def check(setup: Setup, engine: InspectionEngine, ids: list[str], label: str) -> Result:
    nodes = [n for i in ids for n in engine.repository.nodes(i)]
    assert all(engine.inspection(i).status is InspectionStatus.DONE for i in ids), label
    assert all(n.state is NodeState.DONE for n in nodes), label
    store = setup.bazaar.store
    assert audit(store) == [], f"{label}: the ledger audit found problems"
    with store.begin(write=False) as uow:
        balances = uow.ledger.balances()
    assert sum(v for a, v in balances.items() if a != FUNDING) == BUDGET * len(ids), label
    purchases = len(setup.bazaar.purchases(setup.buyer_id))
    return Result(label, len(ids), 0.0, len(nodes), purchases)


def run_in_process(store: Store, label: str, n: int, buyer: str) -> Result:
    setup = populate(store, n)
    repository = (
        SqlInspectionRepository(store)
        if isinstance(store, SqlStore)
        else MemoryInspectionRepository()
    )
    engine = InspectionEngine(
        setup.bazaar,
        make_buyer(buyer),
        bots=bot_pool(setup.bazaar, setup.bot_ids),
        repository=repository,
        limits=LIMITS,
    )
    begin = time.perf_counter()
    ids = start_all(setup, engine, n)
    engine.run_until_idle(max_steps=100 * n)
    seconds = time.perf_counter() - begin
    result = check(setup, engine, ids, label)
    result.seconds = seconds
    return result


def worker_main(url: str, bot_ids: list[str], buyer: str, ready: Any) -> None:
    """One worker process: ``volition worker``'s loop, with the benchmark's agents."""
    platform = open_platform(PlatformSettings(database_url=url), migrate=False, hasher=HASHER)
    bazaar, store = platform.bazaar, platform.store
    engine = InspectionEngine(
        bazaar,
        make_buyer(buyer),
        bots=bot_pool(bazaar, bot_ids),
        repository=SqlInspectionRepository(store),
        worker_id=platform.engine.worker_id,
    )
    runner = InspectionRunner(
        engine,
        interval=0.05,
        extra_work=platform.work,
        watch=watch_commits(store, sqlite=True, own=bazaar),
    )
    ready.set()
    runner.run_forever()


def run_workers(url: str, label: str, n: int, buyer: str, workers: int) -> Result:
    store = SqlStore.open(url)
    setup = populate(store, n)
    engine = InspectionEngine(
        setup.bazaar, make_buyer(buyer), repository=SqlInspectionRepository(store), limits=LIMITS
    )
    context = multiprocessing.get_context("spawn")
    processes = []
    for _ in range(workers):
        ready = context.Event()
        process = context.Process(
            target=worker_main, args=(url, setup.bot_ids, buyer, ready), daemon=True
        )
        process.start()
        processes.append((process, ready))
    for _, ready in processes:
        assert ready.wait(300), "a worker did not start"
    try:
        begin = time.perf_counter()
        ids = start_all(setup, engine, n)
        pending = list(ids)
        while pending:  # one read per look: the waiting must not load the two cores
            if engine.inspection(pending[-1]).status is InspectionStatus.DONE:
                pending.pop()
            else:
                time.sleep(0.05)
        seconds = time.perf_counter() - begin
    finally:
        for process, _ in processes:
            process.terminate()
            process.join(10)
    result = check(setup, engine, ids, label)
    result.seconds = seconds
    store.close()
    return result


@contextmanager
def postgresql() -> Iterator[str]:
    from sqlalchemy import create_engine

    name = f"volition_bench_insp_{os.getpid()}"
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def sqlite_url() -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="volition_bench_"))
    try:
        yield f"sqlite:///{folder / 'bench.db'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def tree_answer(body: dict[str, Any]) -> str:
    """The scripted model: ``tree_policy`` read off the prompt's JSON data block."""
    content = body["messages"][-1]["content"]
    data = json.loads(content.split("\n", 1)[1].split("\n\nYour previous answer")[0])
    offers, known = data["OFFERS"], {i for k in data["KNOWN"] for i in k["about"]}
    fresh = [o for o in offers if o["id"] not in known]
    if data["can_follow_up"] and offers:
        about = (fresh or offers)[0]
        budget = data["remaining_budget_cents"] // 4
        return json.dumps(
            {
                "action": "follow_up",
                "query": f"Is this accurate: {about['preview']}?",
                "budget": budget,
                "about": [about["id"]],
            }
        )
    cheapest = sorted(offers, key=lambda o: o["price_cents"])[:2]
    return json.dumps({"action": "buy", "buy": [o["id"] for o in cheapest]})


def llm_tokens(n: int, limits: InspectionLimits, label: str) -> str:
    """Tokens per inspection of the LLM buyer on the scripted server (words as tokens)."""
    from volition.agents.scripted_server import ScriptedOpenAIServer

    with ScriptedOpenAIServer(responder=tree_answer) as server:
        setup = populate(MemoryStore(), n)
        engine = InspectionEngine(
            setup.bazaar,
            LLMBuyer(Endpoint(server.base_url, "scripted")),  # type: ignore[arg-type]
            bots=bot_pool(setup.bazaar, setup.bot_ids),
            limits=limits,
        )
        begin = time.perf_counter()
        started = start_all(setup, engine, n)
        engine.run_until_idle()
        seconds = time.perf_counter() - begin
        usage = [engine.usage(setup.buyer_id, i) for i in started]
        nodes = sum(len(engine.repository.nodes(i)) for i in started)
    calls = sum(u.calls for u in usage) / n
    prompt = sum(u.prompt_tokens for u in usage) / n
    completion = sum(u.completion_tokens for u in usage) / n
    return (
        f"LLM buyer, scripted server, {label}: {n} inspections in {seconds:.2f} s; per "
        f"inspection {nodes / n:.2f} nodes, {calls:.2f} calls, {prompt:.0f} prompt + "
        f"{completion:.0f} completion tokens (words)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inspections", type=int, default=200)
    parser.add_argument(
        "--buyer", choices=["offline", "tree"], nargs="+", default=["offline", "tree"]
    )
    parser.add_argument(
        "--setups", nargs="+", default=["memory", "sqlite", "postgresql"],
        choices=["memory", "sqlite", "postgresql"],
    )  # fmt: skip
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--llm", action="store_true", help="also the LLM buyer's tokens")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each set-up, alternating; medians quoted"
    )
    parser.add_argument("--json", default="", help="also write the runs' rates to this file")
    args = parser.parse_args()
    session = Session()
    print(session.header(), flush=True)
    n = args.inspections
    print(
        "| run | set-up | inspections | seconds | inspections/s | nodes/insp. | purchases/insp. |"
    )
    print("|---|---|---|---|---|---|---|")
    rates: dict[str, list[float]] = {}
    for repeat in range(args.repeat):
        for buyer in args.buyer:
            runs: list[Callable[[], Result]] = []
            if "memory" in args.setups:
                runs.append(lambda b=buyer: run_in_process(MemoryStore(), f"memory, {b}", n, b))
            if "sqlite" in args.setups:

                def on_sqlite(b: str = buyer) -> Result:
                    with sqlite_url() as url:
                        store = SqlStore.open(url)
                        try:
                            return run_in_process(store, f"sqlite, {b}", n, b)
                        finally:
                            store.close()

                runs.append(on_sqlite)
            if "postgresql" in args.setups:
                for workers in args.workers:

                    def on_pg(b: str = buyer, w: int = workers) -> Result:
                        with postgresql() as url:
                            return run_workers(url, f"postgresql, {w} workers, {b}", n, b, w)

                    runs.append(on_pg)
            for run in runs:
                result = run()
                rates.setdefault(result.label, []).append(result.inspections / result.seconds)
                print(f"| {repeat + 1} {result.line()}", flush=True)
    print()
    print("| set-up | inspections/s, median (min-max, runs) |")
    print("|---|---|")
    for label, values in rates.items():
        print(f"| {label} | {spread(values)} |")
    print(session.footer())
    if args.json:
        data: dict[str, object] = {"command": session.command, "load_start": session.load_start}
        data |= {"load_end": load_average(), "rates": rates}
        with open(args.json, "w") as f:
            json.dump(data, f, indent=1)
    if args.llm:
        print(llm_tokens(min(n, 50), replace(LIMITS, max_depth=0), "one level"))
        print(llm_tokens(min(n, 50), LIMITS, "depth 2, breadth 2"))


if __name__ == "__main__":
    main()
