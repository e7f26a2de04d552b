"""A step that dies half-way is repeated by a fresh engine without paying anyone twice.

On every store (PostgreSQL included): the failed step keeps its node from everybody for the
engine's retry delay, then a fresh engine (another worker) repeats it."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from tests.support.agents import Script
from tests.support.inspection import FUNDS, World
from volition.agents import Buy, Decision, FixedSeller, FollowUp, NodeView
from volition.bazaar.domain import Bazaar, DecisionContext, audit
from volition.bazaar.domain.step_purchases import Batch
from volition.bazaar.inspection import (
    InspectionEngine,
    InspectionLimits,
    InspectionStatus,
    NodeState,
)


class WorkerDied(Exception):
    """Stands for a worker killed between a committed domain call and the engine's record."""


class DyingBazaar(Bazaar):
    """Commits the first purchases and the first inspection start, then dies once each."""

    def __init__(self, bazaar: Bazaar) -> None:
        super().__init__(bazaar.store, hasher=bazaar.hasher, clock=bazaar.clock)
        self.died: set[str] = set()

    def _die_once(self, what: str) -> None:
        if what not in self.died:
            self.died.add(what)
            raise WorkerDied(what)

    def buy_and_close(
        self,
        actor_id: str,
        context_id: str,
        offer_ids: Sequence[str] = (),
        *,
        idempotency_keys: Sequence[str] = (),
    ) -> tuple[Batch, DecisionContext | None]:
        done = super().buy_and_close(
            actor_id, context_id, offer_ids, idempotency_keys=idempotency_keys
        )
        if offer_ids:  # the purchases of a step (and its close) are one operation
            self._die_once("buy")
        return done

    def post_context(self, *args: Any, **kwargs: Any) -> DecisionContext:
        context = super().post_context(*args, **kwargs)
        if context.is_child:  # the follow-up posted (and started), its node not yet added
            self._die_once("follow-up")
        return context


def _run_dying(world: World, buyer: Script) -> tuple[InspectionEngine, str, int]:
    bazaar = DyingBazaar(world.bazaar)
    limits = InspectionLimits(max_depth=1, min_offers=1)
    repository = world.repository()
    engine = InspectionEngine(
        bazaar, buyer, bots=tuple(world.bots), limits=limits, repository=repository
    )
    inspection = engine.start(world.buyer.id, world.post("Will it rain?", 1_000).id)
    deaths = 0
    while True:
        try:
            if not engine.step():
                break
        except WorkerDied:
            deaths += 1
            # a new worker: the same stored state, a fresh engine; the node waits out the
            # failed step's retry delay first
            engine = InspectionEngine(bazaar, buyer, bots=tuple(world.bots), repository=repository)
            assert not engine.step()
            world.clock.advance(engine.retry_delay.total_seconds())
    return engine, inspection.id, deaths


def test_purchases_and_follow_ups_survive_a_worker_dying_mid_step(any_world: World) -> None:
    """A step writes in one unit of work (issue 15): a worker dying inside it, after the
    bazaar accepted a purchase or a follow-up, leaves nothing behind; the repeated step asks
    for the decision again and carries it out once."""
    world = any_world
    first = world.bot(FixedSeller("forecast", "80% rain", 300))
    second = world.bot(FixedSeller("radar", "clouds coming", 200))

    def policy(view: NodeView) -> Decision:
        if view.depth:
            return Buy(())
        if view.follow_ups_left:
            return FollowUp("Is the forecast right?", 250, (view.offers[0].id,))
        return Buy(tuple(o.id for o in view.offers))

    buyer = Script(itertools.repeat(policy))
    engine, inspection_id, deaths = _run_dying(world, buyer)

    # the root asked twice for its follow-up and twice for its purchases, the child once
    assert deaths == 2 and len(buyer.views) == 5
    assert engine.inspection(inspection_id).status is InspectionStatus.DONE
    nodes = engine.nodes(world.buyer.id, inspection_id)
    assert len(nodes) == 2 and all(n.state is NodeState.DONE for n in nodes)
    assert len(world.bazaar.contexts(world.buyer.id, mine=True)) == 2  # one child, not two
    assert world.bazaar.balances(first.user_id).earnings == 300
    assert world.bazaar.balances(second.user_id).earnings == 200
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS - 500
    assert world.money() == FUNDS and audit(world.bazaar.store) == []
