"""The loop that runs inspections: polling for other processes' work, expiry, extra work,
events waking the thread, and the buyer agent chosen per inspection."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import pytest

from tests.support.agents import Script, script
from tests.support.inspection import FUNDS, World
from volition.agents import Buy, BuyerAgent, FixedSeller, FollowUp, NodeView
from volition.bazaar.domain import ContextSpec, ContextStatus, audit
from volition.bazaar.inspection import (
    Inspection,
    InspectionEngine,
    InspectionLimits,
    InspectionRunner,
    InspectionStatus,
    NodeState,
    Outcome,
)


def _everything(view: NodeView) -> Buy:
    return Buy(tuple(o.id for o in view.offers))


def _offer(world: World, context_id: str, price: int = 100) -> str:
    seller = world.seller()
    return world.bazaar.post_offer(
        seller.id, context_id, preview="p", private_info="s", price=price
    ).id


def test_poll_notices_offers_posted_by_another_process(world: World) -> None:
    engine = world.engine(script(_everything), max_depth=0, min_offers=2)
    context = world.post("Will it rain?", 1_000)
    inspection = engine.start(world.buyer.id, context.id)
    assert engine.run_until_idle() == 1  # solicited (no bots): now gathering
    _offer(world, context.id)
    assert engine.poll() == 0  # one offer is not enough
    _offer(world, context.id)  # no event reaches this engine: only polling sees it
    assert engine.repository.get_node(inspection.root_node_id).state is NodeState.GATHERING  # type: ignore[union-attr]
    assert engine.poll() == 1
    assert engine.run_until_idle() == 1  # decides and buys in one step (issue 15)
    assert engine.inspection(inspection.id).status is InspectionStatus.DONE
    assert len(world.bazaar.purchases(world.buyer.id)) == 2


def test_poll_notices_a_context_closed_elsewhere(world: World) -> None:
    engine = world.engine(script(), max_depth=0, min_offers=5)
    context = world.post("Will it rain?", 1_000)
    inspection = engine.start(world.buyer.id, context.id)
    engine.run_until_idle()
    world.bazaar.cancel_context(world.buyer.id, context.id)
    assert engine.poll() == 1
    engine.run_until_idle()
    root = engine.repository.get_node(inspection.root_node_id)
    assert root is not None and root.state is NodeState.DONE and root.outcome is Outcome.CLOSED
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS  # all released


def test_poll_resumes_a_parent_left_waiting_by_a_dead_worker(any_world: World) -> None:
    world = any_world

    def follow(view: NodeView) -> FollowUp:
        return FollowUp("Is it true?", 100, (view.offers[0].id,))

    engine = world.engine(script(follow, _everything), max_depth=1, min_offers=1)
    context = world.post("Will it rain?", 1_000)
    _offer(world, context.id)
    inspection = engine.start(world.buyer.id, context.id)
    engine.run_until_idle()  # the root waits for its child, which gathers
    root = engine.repository.get_node(inspection.root_node_id)
    assert root is not None and root.state is NodeState.WAITING and root.child_node_id
    child = engine.repository.get_node(root.child_node_id)
    assert child is not None
    # the child's worker died after the child was done but before the root was told
    engine.repository.update_node(replace(child, state=NodeState.DONE, outcome=Outcome.NO_OFFERS))
    assert engine.run_until_idle() == 0
    assert engine.repository.stranded() == [engine.repository.get_node(root.id)]
    assert engine.poll() == 1
    assert engine.repository.stranded() == []
    assert engine.run_until_idle() == 1  # the root decides again and buys, in one step
    assert engine.inspection(inspection.id).status is InspectionStatus.DONE


def test_the_runner_expires_due_contexts_and_runs_extra_work_each_pass(world: World) -> None:
    engine = world.engine(script(), max_depth=0, min_offers=5)
    expires = world.clock() + timedelta(minutes=1)
    context = world.bazaar.post_context(
        world.buyer.id, ContextSpec("Will it rain?", 1_000, expires_at=expires)
    )
    inspection = engine.start(world.buyer.id, context.id)
    calls: list[str] = []

    def job() -> int:
        calls.append("job")
        return 0

    def broken() -> int:
        raise RuntimeError("a bot crashed")

    runner = InspectionRunner(engine, extra_work=[broken, job])
    assert runner.run_once() == 1  # solicited; the broken job did not stop the pass
    assert calls == ["job"]
    world.clock.advance(61)
    assert runner.run_once() > 0
    assert calls == ["job", "job"]
    assert world.bazaar.context(world.buyer.id, context.id).status is ContextStatus.EXPIRED
    root = engine.repository.get_node(inspection.root_node_id)
    assert root is not None and root.outcome is Outcome.CLOSED
    assert engine.inspection(inspection.id).status is InspectionStatus.DONE
    assert runner.run_once() == 0 and runner.passes == 3


def test_the_runner_thread_wakes_on_events(world: World) -> None:
    world.bot(FixedSeller("forecast", "80% rain", 300))
    engine = world.engine(script(_everything), max_depth=0, min_offers=2)
    runner = InspectionRunner(engine, interval=30)  # waking, not polling, must do it
    runner.start()
    try:
        context = world.post("Will it rain?", 1_000)
        inspection = engine.start(world.buyer.id, context.id)
        runner.wake()
        _wait(lambda: engine.repository.in_state(NodeState.GATHERING) != [])
        _offer(world, context.id)  # the offer's event wakes the runner
        _wait(lambda: engine.inspection(inspection.id).status is InspectionStatus.DONE)
    finally:
        runner.stop()
    assert len(world.bazaar.purchases(world.buyer.id)) == 2
    assert audit(world.bazaar.store) == []


def _wait(condition: object, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the runner did not get there in time"
        time.sleep(0.02)


def test_each_inspection_gets_the_buyer_agent_it_names(mworld: World) -> None:
    world = mworld
    agents: dict[str, Script] = {"alpha": script(_everything), "beta": script(lambda v: Buy(()))}
    chosen: list[str] = []

    def choose(inspection: Inspection) -> BuyerAgent:
        chosen.append(inspection.agent)
        if inspection.agent not in agents:
            raise LookupError(inspection.agent)
        return agents[inspection.agent]

    engine = InspectionEngine(
        world.bazaar, choose, limits=InspectionLimits(max_depth=0, min_offers=1, max_retries=1)
    )
    assert engine.default_agent == "offline"
    ids = {}
    for name in ("alpha", "beta", "gamma"):
        context = world.post(f"{name}?", 500)
        _offer(world, context.id)
        ids[name] = engine.start(world.buyer.id, context.id, agent=name).id
    engine.run_until_idle()
    assert len(agents["alpha"].views) == 1 and len(agents["beta"].views) == 1
    assert engine.nodes(world.buyer.id, ids["alpha"])[0].bought != ()
    assert engine.nodes(world.buyer.id, ids["beta"])[0].bought == ()
    gamma = engine.nodes(world.buyer.id, ids["gamma"])[0]
    assert gamma.outcome is Outcome.NO_AGENT  # no such agent: it ends before reading anything
    assert engine.audit_trail(world.operator.id, ids["gamma"]) == []
    with world.bazaar.store.begin(write=False) as uow:
        assert not any(o.inspected for o in uow.offers.for_context(gamma.context_id))
    assert chosen.count("gamma") == 1
    with pytest.raises(Exception, match="1 to 40 characters"):
        engine.start(world.buyer.id, world.post("q", 1).id, agent="x" * 41)


def test_the_engine_defaults_to_the_offline_buyer(mworld: World) -> None:
    engine = InspectionEngine(mworld.bazaar)
    inspection = engine.start(mworld.buyer.id, mworld.post("Will it rain?", 100).id)
    assert inspection.agent == "offline" and engine.agent(inspection).name == "offline"
    with pytest.raises(Exception, match="lease must be positive"):
        InspectionEngine(mworld.bazaar, lease=timedelta(0))
