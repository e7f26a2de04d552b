"""The lease rule (``domain.leases``) is what every node repository does: memory, SQLite and
PostgreSQL.

Three workers claim, renew and end the lease of one ready node while time passes; after each
step the repository's lease is the one the rule computes. So: at most one worker holds the
lease at any time, an expired lease can be taken by anybody, and a renewal or an end by a
worker that does not hold it is refused and changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.inspection import World
from volition.bazaar.domain import leases
from volition.bazaar.domain.ids import new_id
from volition.bazaar.domain.leases import Lease
from volition.bazaar.inspection import InspectionRepository, Node, NodeState
from volition.bazaar.inspection.limits import InspectionLimits
from volition.bazaar.inspection.records import Inspection, InspectionStatus

LEASE = timedelta(seconds=60)
WORKERS = ("w0", "w1", "w2")

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("claim"), st.sampled_from(WORKERS), st.just(0)),
        st.tuples(st.just("renew"), st.sampled_from(WORKERS), st.integers(1, 120)),
        st.tuples(st.just("end"), st.sampled_from(WORKERS), st.just(0)),
        st.tuples(st.just("wait"), st.just(""), st.integers(1, 90)),
    ),
    max_size=30,
)


def _ready_node(world: World, repository: InspectionRepository) -> Node:
    """One inspection with one ready (deciding) node, straight into the repository."""
    context = world.post("Will it rain?", 10)
    node = Node(new_id("nod"), new_id("ins"), context.id, None, 0, NodeState.DECIDING)
    repository.add_inspection(
        Inspection(
            node.inspection_id,
            context.id,
            world.buyer.id,
            "offline",
            InspectionLimits(),
            node.id,
            InspectionStatus.RUNNING,
            world.clock(),
        )
    )
    repository.add_node(node)
    return node


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(OPS)
def test_property_every_repository_follows_the_lease_rule(
    any_world: World, ops: list[tuple[str, str, int]]
) -> None:
    world = any_world
    repository = world.repository()
    node = _ready_node(world, repository)
    held: Lease | None = None  # the rule's lease
    try:
        for op, worker, seconds in ops:
            now = world.clock()
            if op == "wait":
                world.clock.advance(seconds)
            elif op == "claim":
                taken = leases.claim(held, worker, now, LEASE)
                if held is None or leases.run_out(held.until, now):
                    assert taken is not None  # an expired (or free) lease can be taken
                claimed = repository.claim(worker, now, LEASE)
                assert (claimed is not None) == (taken is not None)
                assert claimed is None or claimed.id == node.id
                held = taken or held
            elif op == "renew":
                renewed = leases.renew(held, worker, now + timedelta(seconds=seconds))
                if not leases.holds(held, worker):
                    assert renewed is None  # refused: the lease stays its holder's
                repository.release(node.id, worker, until=now + timedelta(seconds=seconds))
                held = renewed or held
            else:
                repository.release(node.id, worker)
                held = None if leases.holds(held, worker) else held
            # one holder at most: the repository's lease is the rule's
            assert repository.lease(node.id) == held  # type: ignore[attr-defined]
    finally:  # the next example's node is the only ready one
        stored = repository.get_node(node.id)
        assert stored is not None
        repository.update_node(replace(stored, state=NodeState.DONE))


@settings(max_examples=300, deadline=None)
@given(OPS)
def test_property_at_most_one_worker_holds_a_lease_at_any_time(
    ops: list[tuple[str, str, int]],
) -> None:
    """The rule alone: a worker holds the lease until the end of its last granted claim or
    renewal (or its own end of it); at every moment one worker at most holds it, the one the
    lease names."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    held: Lease | None = None
    mine: dict[str, datetime] = {}  # each worker's own view: its lease runs until then
    for op, worker, seconds in ops:
        if op == "wait":
            now += timedelta(seconds=seconds)
        elif op == "claim":
            if (taken := leases.claim(held, worker, now, LEASE)) is not None:
                held, mine[worker] = taken, taken.until
            else:
                assert held is not None and not leases.is_free(held.until, now)
        elif op == "renew":
            renewed = leases.renew(held, worker, now + timedelta(seconds=seconds))
            assert (renewed is None) == (not leases.holds(held, worker))
            if renewed is not None:
                held, mine[worker] = renewed, renewed.until
        elif leases.holds(held, worker):
            held = None
            mine.pop(worker)
        live = [w for w, until in mine.items() if until > now]
        assert len(live) <= 1
        assert not live or (held is not None and held.holder == live[0])
