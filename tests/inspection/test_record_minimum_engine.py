"""The inspection engine under a record minimum (docs/theory.md §5, Track records and record
minimums), in the weather story: the fact-checker has a bad record, so neither the root's
nor the follow-up's inspector (the follow-up takes the root's minimum) ever reads what it
says, while the forecaster (a good record) and the stock bot (a newcomer) are read."""

from __future__ import annotations

from tests.support.agents import Recording
from tests.support.http_world import QUERY, REFUTATION, weather_bots
from tests.support.inspection import World
from tests.support.people import PASSWORD
from tests.support.records import give_record
from volition.bazaar.domain import ContextSpec, audit
from volition.bazaar.domain.record_minimum import RecordMinimum
from volition.bazaar.inspection import InspectionStatus


def test_no_inspector_of_the_tree_reads_a_seller_below_the_minimum(world: World) -> None:
    bazaar = world.bazaar
    bots = weather_bots(world, REFUTATION)
    bob = bazaar.register("bob", PASSWORD, buyer=True)
    give_record(bazaar, bob.id, bots.forecaster.user_id, offers=2, value=0.4)
    give_record(bazaar, bob.id, bots.checker.user_id, offers=2, value=-0.4)
    minimum = RecordMinimum(min_offers_bought=1, min_value_per_dollar=0.0)
    context = bazaar.post_context(world.buyer.id, ContextSpec(QUERY, 1_000, record_minimum=minimum))
    agent = Recording()
    engine = world.engine(agent, max_depth=1, min_offers=2)  # as weather_engine, recorded
    inspection = engine.start(world.buyer.id, context.id)
    engine.run_until_idle()
    assert engine.inspection(inspection.id).status is InspectionStatus.DONE

    nodes = engine.nodes(world.buyer.id, inspection.id)
    children = [n for n in nodes if n.parent_node_id is not None]
    assert children, "the offline buyer checks the expensive forecast in a follow-up"
    for child in children:
        assert bazaar.context(world.buyer.id, child.context_id).record_minimum == minimum
    with bazaar.store.begin(write=False) as uow:
        checker_offers = [
            o for n in nodes for o in uow.offers.for_context(n.context_id)
            if o.seller_id == bots.checker.user_id
        ]  # fmt: skip
    assert checker_offers, "the fact-checker offered in the follow-up"
    assert not any(o.inspected for o in checker_offers)
    seen = {o.seller for v in agent.views for o in v.offers}
    assert REFUTATION not in repr(agent.views)
    assert seen and all("bot" in name for name in seen)
    read = {o.id for v in agent.views for o in v.offers}
    assert not read & {o.id for o in checker_offers}
    assert audit(bazaar.store) == []
