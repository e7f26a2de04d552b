"""Leases and node versions: several workers share one repository safely (issue 5).

On the memory store, SQLite and PostgreSQL: a claimed node is nobody else's until its lease
runs out; a worker killed mid-step leaves a lease that expires, and another worker repeats the
step without paying twice; a worker overtaken after its lease ran out changes nothing;
``update_node`` is a compare-and-set that leaves leases alone.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.agents import Killed, script
from tests.support.inspection import FUNDS, World
from volition.agents import Buy, FixedSeller, NodeView
from volition.bazaar.domain import audit
from volition.bazaar.errors import NotFound
from volition.bazaar.inspection import (
    InspectionEngine,
    InspectionStatus,
    Node,
    NodeState,
    Outcome,
    StaleNode,
    Verdict,
)

LEASE = timedelta(seconds=60)


def _everything(view: NodeView) -> Buy:
    return Buy(tuple(o.id for o in view.offers))


def _killed(view: NodeView) -> Buy:
    raise Killed


def _two_offers(world: World) -> tuple[str, str]:
    first = world.bot(FixedSeller("forecast", "80% rain", 300))
    second = world.bot(FixedSeller("radar", "clouds coming", 200))
    return first.user_id, second.user_id


def _engine(world: World, buyer: object, worker: str, repository: object) -> InspectionEngine:
    engine = world.engine(
        buyer,  # type: ignore[arg-type]
        repository=repository,  # type: ignore[arg-type]
        max_depth=0,
        min_offers=2,
    )
    engine.worker_id, engine.lease = worker, LEASE
    return engine


def test_a_killed_worker_leaves_a_lease_that_runs_out_then_another_repeats_the_step(
    any_world: World,
) -> None:
    world = any_world
    first, second = _two_offers(world)
    repository = world.repository()
    dying = _engine(world, script(_killed), "dying", repository)
    inspection = dying.start(world.buyer.id, world.post("Will it rain?", 1_000).id)
    assert dying.step()  # solicited: two offers, so it decides next
    with pytest.raises(Killed):
        dying.step()
    root = repository.get_node(inspection.root_node_id)
    assert root is not None and root.state is NodeState.DECIDING
    lease = repository.lease(root.id)  # type: ignore[attr-defined]
    assert lease is not None and lease[0] == "dying"

    other = _engine(world, script(_everything), "other", repository)
    assert not other.step()  # the lease holds
    world.clock.advance(LEASE.total_seconds() - 1)
    assert not other.step()
    world.clock.advance(1)
    assert other.run_until_idle() == 1  # decide again and buy: one step (issue 15)

    assert other.inspection(inspection.id).status is InspectionStatus.DONE
    calls = other.audit_trail(world.operator.id, inspection.id)
    assert [c.verdict for c in calls] == [Verdict.ACCEPTED]  # the killed call left no record
    assert world.bazaar.balances(first).earnings == 300
    assert world.bazaar.balances(second).earnings == 200
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS - 500
    assert repository.lease(root.id) is None  # type: ignore[attr-defined]
    assert world.money() == FUNDS and audit(world.bazaar.store) == []


def test_a_worker_overtaken_after_its_lease_ran_out_changes_nothing(any_world: World) -> None:
    """The slow worker's answer comes after another worker finished the node: it is refused."""
    world = any_world
    first, second = _two_offers(world)
    repository = world.repository()
    fast = _engine(world, script(_everything), "fast", repository)
    overtaken: list[int] = []

    def slow_answer(view: NodeView) -> Buy:
        world.clock.advance(LEASE.total_seconds() + 1)
        overtaken.append(fast.run_until_idle())  # meanwhile the lease ran out
        return Buy(())  # buy nothing: this decision must not be carried out

    slow = _engine(world, script(slow_answer), "slow", repository)
    inspection = slow.start(world.buyer.id, world.post("Will it rain?", 1_000).id)
    assert slow.step()  # solicited
    assert slow.step()  # decided, overtaken: its change is refused, the step ends quietly
    assert overtaken == [1]  # the fast worker decided and bought in one step
    assert not slow.step() and not fast.step()

    root = repository.get_node(inspection.root_node_id)
    assert root is not None and root.state is NodeState.DONE and root.outcome is Outcome.BOUGHT
    assert len(root.bought) == 2
    assert world.bazaar.balances(first).earnings == 300
    assert world.bazaar.balances(second).earnings == 200
    assert world.money() == FUNDS and audit(world.bazaar.store) == []


def test_update_node_is_a_compare_and_set_that_leaves_leases_alone(any_world: World) -> None:
    world = any_world
    repository = world.repository()
    engine = _engine(world, script(), "w", repository)
    inspection = engine.start(world.buyer.id, world.post("Will it rain?", 1_000).id)
    node = repository.claim("w", world.clock(), LEASE)
    assert node is not None and node.id == inspection.root_node_id and node.version == 0
    moved = repository.update_node(replace(node, state=NodeState.DECIDING, follow_ups=1))
    assert moved.version == 1 and repository.get_node(node.id) == moved
    with pytest.raises(StaleNode, match="changed meanwhile"):
        repository.update_node(replace(node, state=NodeState.DONE))
    assert repository.get_node(node.id) == moved
    assert repository.lease(node.id) == ("w", world.clock() + LEASE)  # type: ignore[attr-defined]
    assert repository.claim("x", world.clock(), LEASE) is None
    repository.release(node.id, "x")  # not its lease: nothing happens
    assert repository.claim("x", world.clock(), LEASE) is None
    repository.release(node.id, "w")
    again = repository.claim("x", world.clock(), LEASE)
    assert again is not None and again == moved
    ghost = Node("nod_missing", inspection.id, "ctx_missing", None, 0, NodeState.DECIDING)
    with pytest.raises(NotFound):
        repository.update_node(ghost)


def test_concurrent_claims_never_hand_one_node_to_two_workers(any_world: World) -> None:
    world = any_world
    repository = world.repository()
    engine = _engine(world, script(), "starter", repository)
    started = {
        engine.start(world.buyer.id, world.post(f"question {i}?", 10).id).root_node_id
        for i in range(24)
    }
    claimed: dict[str, list[str]] = {f"w{i}": [] for i in range(4)}
    barrier = threading.Barrier(len(claimed))

    def work(worker: str) -> None:
        barrier.wait()
        while (node := repository.claim(worker, world.clock(), LEASE)) is not None:
            claimed[worker].append(node.id)

    threads = [threading.Thread(target=work, args=(w,)) for w in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    every = [n for ids in claimed.values() for n in ids]
    assert sorted(every) == sorted(started)  # each node claimed exactly once


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(st.sampled_from(["claim", "release", "wait"]), st.integers(0, 2)), max_size=25
    )
)
def test_property_claims_follow_the_lease_model(world: World, ops: list[tuple[str, int]]) -> None:
    """Claims and releases by three workers, with time passing, against a plain model."""
    repository = world.repository()
    engine = _engine(world, script(), "starter", repository)
    nodes = [
        engine.start(world.buyer.id, world.post(f"q{i}?", 10).id).root_node_id for i in range(3)
    ]
    model: dict[str, tuple[str, float]] = {}
    start = world.clock()

    def now() -> float:
        return (world.clock() - start).total_seconds()

    for op, who in ops:
        worker = f"w{who}"
        if op == "wait":
            world.clock.advance(25 * (who + 1))
        elif op == "release":
            mine = [n for n, (owner, _) in model.items() if owner == worker]
            for node_id in mine[:1]:
                repository.release(node_id, worker)
                del model[node_id]
        else:
            free = [n for n in nodes if n not in model or model[n][1] <= now()]
            node = repository.claim(worker, world.clock(), LEASE)
            if not free:
                assert node is None
            else:
                assert node is not None and node.id == free[0]  # the oldest free node
                model[node.id] = (worker, now() + LEASE.total_seconds())
    for node_id in nodes:  # the repository's leases are the model's
        held = repository.lease(node_id)  # type: ignore[attr-defined]
        expected = model.get(node_id)
        assert (held is None) == (expected is None)
        if held is not None and expected is not None:
            assert held == (expected[0], start + timedelta(seconds=expected[1]))
    # one database per example: the next example starts from empty tables
    _clear(world, repository, nodes)


def _clear(world: World, repository: object, nodes: list[str]) -> None:
    from volition.bazaar.storage import SqlStore

    store = world.bazaar.store
    if isinstance(store, SqlStore):
        with store.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE inspection_nodes SET state = 'done'")
    else:
        for node_id in nodes:
            node = repository.get_node(node_id)  # type: ignore[attr-defined]
            repository.update_node(replace(node, state=NodeState.DONE))  # type: ignore[attr-defined]


def test_a_slow_agent_renews_the_lease_for_each_retry(any_world: World) -> None:
    """Each attempt of the agent gets a whole lease, so a slow but living worker keeps it."""
    world = any_world
    _two_offers(world)
    repository = world.repository()
    other = _engine(world, script(_everything), "other", repository)
    claims: list[bool] = []

    def slow_malformed(view: NodeView) -> Buy:
        world.clock.advance(LEASE.total_seconds() - 5)  # nearly a whole lease per attempt
        claims.append(other.step())  # another worker tries to take the node meanwhile
        return Buy(("off_invented",))  # illegal: retried

    slow = _engine(world, script(slow_malformed, slow_malformed, _everything), "slow", repository)
    inspection = slow.start(world.buyer.id, world.post("Will it rain?", 1_000).id)
    assert slow.step()  # solicited
    assert slow.step()  # decided on the third attempt, after two slow illegal ones
    assert claims == [False, False]  # the lease never ran out under the slow worker
    assert slow.run_until_idle() == 0  # it bought in the same step (issue 15)
    assert slow.inspection(inspection.id).status is InspectionStatus.DONE
    assert [c.verdict for c in slow.audit_trail(world.operator.id, inspection.id)] == [
        Verdict.ILLEGAL,
        Verdict.ILLEGAL,
        Verdict.ACCEPTED,
    ]
