"""Real ``volition worker`` processes sharing inspections on PostgreSQL (issue 5).

- Crash recovery: two workers run an LLM inspection against the scripted OpenAI-compatible
  server, whose third answer stalls; the worker holding that node is killed with SIGKILL in
  the middle of its step; the other waits out the lease, repeats the step and finishes the
  inspection. The ledger audits clean and every purchase was paid exactly once.
- Concurrency: two workers run many inspections with the offline buyer; their debug logs
  show that no node was ever stepped by both at once, and nobody was paid twice.

Skipped (with the reason) when PostgreSQL is unreachable outside CI, like the other PG tests.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.inspection import FUNDS, World, make_world
from volition.agents.scripted_server import Reply, ScriptedOpenAIServer
from volition.bazaar.config import PlatformSettings
from volition.bazaar.domain import audit
from volition.bazaar.domain.ledger import HOUSE
from volition.bazaar.inspection import (
    InspectionEngine,
    InspectionLimits,
    InspectionStatus,
    NodeState,
    Verdict,
)
from volition.bazaar.inspectors import Inspectors
from volition.bazaar.platform import assemble
from volition.bazaar.storage import SqlStore

VOLITION = str(Path(sys.executable).with_name("volition"))
LEASE_S = 2.0


def real_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Worker:
    """One ``volition worker`` subprocess, its log in a file."""

    process: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@dataclass
class Workers:
    url: str
    tmp: Path
    started: list[Worker] = field(default_factory=list)

    def start(self, *args: str, inspectors: str = "") -> Worker:
        log = self.tmp / f"worker{len(self.started)}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("VOLITION_")}
        if inspectors:
            env["VOLITION_INSPECTORS"] = inspectors
        with log.open("wb") as out:
            process = subprocess.Popen(
                [VOLITION, "worker", "--database", self.url, "--interval", "0.1", *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        worker = Worker(process, log)
        self.started.append(worker)
        return worker

    def wait_ready(self) -> None:
        for worker in self.started:
            # importing the package takes seconds (more on a loaded machine)
            wait(
                lambda w=worker: " on postgresql" in w.text(),
                what="the worker to start",
                timeout=240,
            )

    def stop_all(self) -> None:
        for worker in self.started:
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)
        for worker in self.started:
            try:
                worker.process.wait(15)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait(5)


def wait(condition: Callable[[], object], *, timeout: float = 120, what: str = "it") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def workers(inspection_pg_url: str, tmp_path: Path) -> Iterator[Workers]:
    group = Workers(inspection_pg_url, tmp_path)
    yield group
    group.stop_all()


def _world(store: SqlStore) -> tuple[World, InspectionEngine]:
    world = make_world(store, real_clock)  # type: ignore[arg-type]
    # this process only starts and reads inspections; the workers choose each one's agent
    return world, assemble(world.bazaar).engine


def test_a_worker_killed_mid_inspection_is_replaced_and_nobody_is_paid_twice(
    pg_store: SqlStore, workers: Workers, tmp_path: Path
) -> None:
    world, engine = _world(pg_store)
    carol, dave = world.seller(), world.seller()
    context = world.post("Will it rain in Oslo tomorrow?", 1_000)
    forecast = world.bazaar.post_offer(
        carol.id, context.id, preview="forecast", private_info="80% rain", price=300
    )
    radar = world.bazaar.post_offer(
        dave.id, context.id, preview="radar", private_info="clouds coming", price=200
    )
    limits = InspectionLimits(max_depth=1, min_offers=1, gather_timeout=timedelta(seconds=60))
    child_offer: dict[str, str] = {}
    count = itertools.count(1)

    def answer(body: dict[str, Any]) -> Reply | str:
        n = next(count)
        if n == 1:  # the root follows up on the forecast
            return (
                '{"action": "follow_up", "query": "Is the forecast right?", "budget": 250, '
                f'"about": ["{forecast.id}"]}}'
            )
        if n == 2:  # the child buys the check
            return f'{{"action": "buy", "buy": ["{child_offer["id"]}"]}}'
        if n == 3:  # the root decides again: this call never returns to its worker
            return Reply('{"action": "buy", "buy": []}', delay=120)
        return f'{{"action": "buy", "buy": ["{forecast.id}", "{radar.id}"]}}'

    key = tmp_path / "key"
    key.write_text("sk-scripted\n")
    with ScriptedOpenAIServer(responder=answer) as server:
        inspectors = json.dumps(  # the operator's inspector, priced, its key in a file
            [
                {
                    "name": "scripted",
                    "base_url": server.base_url,
                    "model": "scripted",
                    "api_key_file": str(key),
                    "prompt_cents_per_million": 10_000,
                    "completion_cents_per_million": 10_000,
                }
            ]
        )
        # this process starts it on the same inspectors as the workers, as a server would
        settings = PlatformSettings(inspectors=Inspectors.parse(inspectors))
        inspection = assemble(world.bazaar, settings).engine.start(
            world.buyer.id, context.id, limits=limits, agent="llm", inspector="scripted"
        )
        for _ in range(2):
            workers.start("--lease", str(LEASE_S), inspectors=inspectors)
        workers.wait_ready()

        wait(lambda: len(engine.nodes(world.buyer.id, inspection.id)) == 2, what="the follow-up")
        child = engine.nodes(world.buyer.id, inspection.id)[1]
        check = world.bazaar.post_offer(
            carol.id, child.context_id, preview="check", private_info="the model is right",
            price=100,
        )  # fmt: skip
        child_offer["id"] = check.id  # the workers notice it by polling

        wait(lambda: len(server.requests) == 3, what="the stalled call")
        lease = engine.repository.lease(inspection.root_node_id)  # type: ignore[attr-defined]
        assert lease is not None, "the stepping worker holds the root's lease"
        pid = int(lease[0].split(":")[1])
        victim = next(w for w in workers.started if w.process.pid == pid)
        victim.process.send_signal(signal.SIGKILL)
        assert victim.process.wait(10) == -signal.SIGKILL

        wait(
            lambda: engine.inspection(inspection.id).status is InspectionStatus.DONE,
            what="the other worker to finish the inspection",
        )
        assert len(server.requests) == 4  # the killed call was asked again, once
        assert server.authorizations[-1] == "Bearer sk-scripted"

    survivor = next(w for w in workers.started if w is not victim)
    assert survivor.process.poll() is None
    survivor.process.send_signal(signal.SIGTERM)
    assert survivor.process.wait(15) == 0  # a clean exit on SIGTERM
    assert "stopped" in survivor.text()

    nodes = engine.nodes(world.buyer.id, inspection.id)
    assert all(n.state is NodeState.DONE for n in nodes)
    trail = engine.audit_trail(world.operator.id, inspection.id)
    assert [c.verdict for c in trail] == [Verdict.ACCEPTED] * 3  # the killed call: no record
    purchases = world.bazaar.purchases(world.buyer.id)
    assert sorted(p.offer_id for p, _ in purchases) == sorted([forecast.id, radar.id, check.id])
    assert world.bazaar.balances(carol.id).earnings == 300 + 100
    assert world.bazaar.balances(dave.id).earnings == 200
    charged = sum(c.charged for c in trail)  # each call paid once, the killed one never
    assert charged == sum(-(-(c.prompt_tokens + c.completion_tokens) // 100) for c in trail) > 0
    with pg_store.begin(write=False) as uow:
        assert uow.ledger.balance(HOUSE) == charged
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS - 600 - charged
    assert world.money() == FUNDS and audit(pg_store) == []


# A step begins when its worker holds the node ("step NODE (state) by WORKER", after the claim)
# and ends when the worker lets go ("lease of NODE ended by WORKER", logged by the repository
# before the commit that frees it: the engine's own "stepped" comes after that commit, when
# another worker may already hold the node, so on a loaded machine it would overlap).
STEP = re.compile(
    r"^(\d+\.\d+) DEBUG \S+ (?:(step) (nod_\w+) \(\w+\)|lease of (nod_\w+) ended) by (\S+)$"
)


def test_two_workers_never_step_one_node_at_once_nor_pay_twice(
    pg_store: SqlStore, workers: Workers
) -> None:
    world, engine = _world(pg_store)
    sellers = [world.seller() for _ in range(3)]
    for _ in range(2):
        workers.start("--log-level", "debug", "--lease", "30")
    workers.wait_ready()
    limits = InspectionLimits(max_depth=1, min_offers=3, gather_timeout=timedelta(seconds=1))
    started = []
    topics = ["rain", "train", "laptop", "picnic", "bridge", "river"]
    for i in range(16):
        topic = topics[i % len(topics)]
        context = world.post(f"Should I worry about the {topic} tomorrow ({i})?", 500)
        for k, seller in enumerate(sellers):
            world.bazaar.post_offer(
                seller.id,
                context.id,
                preview=f"{topic} note {k}",
                private_info=f"the {topic} is {'fine' if k else 'a problem'} tomorrow",
                price=50 + 40 * k,
            )
        started.append(engine.start(world.buyer.id, context.id, limits=limits))
    wait(
        lambda: all(engine.inspection(i.id).status is InspectionStatus.DONE for i in started),
        what="every inspection to finish",
        timeout=240,
    )
    workers.stop_all()

    spans: dict[str, list[tuple[float, float, str]]] = {}
    per_worker: dict[str, int] = {}
    for worker in workers.started:
        assert worker.process.returncode == 0
        open_steps: dict[str, float] = {}
        for line in worker.text().splitlines():
            match = STEP.match(line)
            if match is None:
                continue
            at, who = float(match[1]), match[5]
            if match[2] == "step":
                open_steps[match[3]] = at
            elif (began := open_steps.pop(match[4], None)) is not None:  # once per step
                spans.setdefault(match[4], []).append((began, at, who))
                per_worker[who] = per_worker.get(who, 0) + 1
        assert open_steps == {}, "every step a worker began, it ended"
    assert len(per_worker) == 2 and min(per_worker.values()) > 0, per_worker
    for node, steps in spans.items():
        steps.sort()
        for (_, end, who), (begin, _, other) in itertools.pairwise(steps):
            assert end <= begin, f"{node} was stepped by {who} and {other} at once"
    nodes = [n for i in started for n in engine.nodes(world.buyer.id, i.id)]
    assert set(spans) == {n.id for n in nodes}
    assert all(n.state is NodeState.DONE for n in nodes)

    purchases = world.bazaar.purchases(world.buyer.id)
    assert purchases, "the offline buyer bought something"
    paid = sum(p.price for p, _ in purchases)
    assert len({p.offer_id for p, _ in purchases}) == len(purchases)
    assert sum(world.bazaar.balances(s.id).earnings for s in sellers) == paid
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS - paid
    assert world.money() == FUNDS and audit(pg_store) == []
