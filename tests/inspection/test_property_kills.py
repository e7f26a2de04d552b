"""Property: however workers are killed, the inspection ends as if nobody had been.

A worker is killed (``Killed``, a ``BaseException``: no clean-up runs, its lease stays) right
after the k-th bazaar call it makes commits: posting an offer, marking one inspected, buying,
posting or starting a follow-up, buying and closing a context. The next worker waits out the
lease and carries on. Whatever the kill points, the inspection finishes with exactly the
purchases of an undisturbed run, every seller paid once, the money conserved and the ledger
audit clean.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.agents import Killed
from tests.support.inspection import FUNDS, World, make_world
from volition.agents import Buy, Decision, FixedSeller, FollowUp, NodeView, ScriptedBuyer
from volition.bazaar.domain import Bazaar, MemoryStore, audit
from volition.bazaar.inspection import InspectionEngine, InspectionLimits, InspectionStatus

LEASE = timedelta(seconds=30)
LIMITS = InspectionLimits(max_depth=2, max_follow_ups=2, min_offers=3)
WRAPPED = (
    "post_offer",
    "mark_inspected",
    "buy_inspected",
    "buy_and_close",
    "post_context",
    "start_inspecting",
    "decide_context",
)


class KillingBazaar(Bazaar):
    """Lets ``budget`` bazaar calls commit, then kills the worker after the next one."""

    def __init__(self, bazaar: Bazaar, budget: int) -> None:
        super().__init__(bazaar.store, hasher=bazaar.hasher, clock=bazaar.clock)
        self.budget = budget

    def __getattribute__(self, name: str) -> object:
        attribute = super().__getattribute__(name)
        if name not in WRAPPED:
            return attribute

        def call(*args: object, **kwargs: object) -> object:
            result = attribute(*args, **kwargs)  # type: ignore[operator]
            self.budget -= 1
            if self.budget == 0:
                raise Killed(name)
            return result

        return call


def policy(view: NodeView) -> Decision:
    """Deterministic by content, not ids: follow up on the dearest offers, buy the cheap."""
    ranked = sorted(view.offers, key=lambda o: (-o.price, o.preview))
    if view.follow_ups_left and view.depth < view.max_depth and ranked:
        k = LIMITS.max_follow_ups - view.follow_ups_left
        about = ranked[k % len(ranked)]
        return FollowUp(f"Is this right: {about.preview}?", view.remaining_budget // 4, (about.id,))
    return Buy(tuple(o.id for o in ranked if o.price <= 20)[:2])


def run(kills: list[int]) -> tuple[World, InspectionEngine, str, int]:
    world = make_world(MemoryStore())
    for preview, price in (("forecast", 30), ("radar", 20), ("history", 10)):
        world.bot(FixedSeller(preview, f"{preview} says rain", price))
    repository = world.repository()
    buyer = ScriptedBuyer(policy)

    def engine(bazaar: Bazaar) -> InspectionEngine:
        return InspectionEngine(
            bazaar,
            buyer,  # type: ignore[arg-type]
            bots=tuple(world.bots),
            repository=repository,
            limits=LIMITS,
            lease=LEASE,
        )

    inspection = engine(world.bazaar).start(world.buyer.id, world.post("Rain?", 2_000).id)
    deaths = 0
    for budget in [*kills, 0]:  # 0: a worker that is never killed finishes
        worker = engine(KillingBazaar(world.bazaar, budget) if budget else world.bazaar)
        try:
            worker.run_until_idle()
        except Killed:
            deaths += 1
            world.clock.advance(LEASE.total_seconds())  # the dead worker's lease runs out
    return world, engine(world.bazaar), inspection.id, deaths


def purchases(world: World) -> Counter[tuple[str, int]]:
    return Counter(
        (offer.preview, purchase.price)
        for purchase, offer in world.bazaar.purchases(world.buyer.id)
    )


REFERENCE: Counter[tuple[str, int]] | None = None  # the undisturbed run's purchases


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(1, 75), max_size=4))  # a whole run makes about 70 calls
def test_property_killed_workers_change_nothing_but_time(kills: list[int]) -> None:
    global REFERENCE
    if REFERENCE is None:
        reference, _, _, _ = run([])
        REFERENCE = purchases(reference)
        assert sum(REFERENCE.values()) >= 4  # the tree is deep enough to be interesting
    world, engine, inspection_id, deaths = run(kills)
    assert engine.inspection(inspection_id).status is InspectionStatus.DONE
    nodes = engine.nodes(world.buyer.id, inspection_id)
    assert len(nodes) == 7  # depth 2, breadth 2
    assert len(world.bazaar.contexts(world.buyer.id, mine=True)) == 7  # no follow-up twice
    assert purchases(world) == REFERENCE
    paid = sum(price * n for (_, price), n in REFERENCE.items())
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS - paid
    earned = sum(world.bazaar.balances(b.user_id).earnings for b in world.bots)
    assert earned == paid
    assert world.money() == FUNDS and audit(world.bazaar.store) == []
    assert deaths <= len(kills)
