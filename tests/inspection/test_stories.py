"""Inspections as stories, with the offline buyer and fixed bot sellers, on memory and SQLite.

A buyer asks whether it will rain in Paris tomorrow. A weather bot sells a forecast, a stock
bot sells something irrelevant, and a fact-checker answers follow-ups only.
"""

from __future__ import annotations

from tests.support.inspection import FUNDS, FollowUpsOnly, World
from volition.agents import FixedSeller, OfflineBuyer
from volition.bazaar.domain import ContextStatus, Disclosure, Mechanism, audit
from volition.bazaar.inspection import InspectionStatus, NodeState, Outcome, Verdict

QUERY = "Will it rain in Paris tomorrow?"
FORECAST = FixedSeller(
    "Paris rain forecast for tomorrow",
    "Meteo models give 80% chance of rain in Paris tomorrow",
    300,
)
STOCKS = FixedSeller("Stock tips", "Buy ACME shares before Friday", 100)
REFUTATION = "This forecast is false and outdated: it is last week's model run"
CONFIRMATION = "Confirmed: this forecast is accurate, today's model run agrees"


def _checker(text: str) -> FollowUpsOnly:
    return FollowUpsOnly(FixedSeller("Fact check of the Paris rain forecast", text, 20))


def _offers_by_seller(world: World, context_id: str) -> dict[str, str]:
    with world.bazaar.store.begin(write=False) as uow:
        return {o.seller_id: o.id for o in uow.offers.for_context(context_id)}


def test_depth_0_the_offline_buyer_buys_the_relevant_offer_by_inspection(world: World) -> None:
    forecast = world.bot(FORECAST)
    stocks = world.bot(STOCKS)
    context = world.post(QUERY, 1_000)
    engine = world.engine(OfflineBuyer(), max_depth=0, min_offers=2)
    inspection = engine.start(world.buyer.id, context.id)
    assert world.bazaar.context(world.buyer.id, context.id).status is ContextStatus.INSPECTING
    engine.run_until_idle()

    assert engine.inspection(inspection.id).status is InspectionStatus.DONE
    (root,) = engine.nodes(world.buyer.id, inspection.id)
    offers = _offers_by_seller(world, context.id)
    assert root.state is NodeState.DONE and root.outcome is Outcome.BOUGHT
    assert root.bought == (offers[forecast.user_id],)
    ((purchase, view),) = world.bazaar.purchases(world.buyer.id)
    assert purchase.mechanism is Mechanism.INSPECTION and purchase.price == 300
    assert view.private_info == FORECAST.private_info
    # inspected but not bought: forgotten by the buyer, no longer withdrawable by its seller
    assert world.bazaar.offer(world.buyer.id, offers[stocks.user_id]).private_info is None
    assert world.bazaar.balances(forecast.user_id).earnings == 300
    balances = world.bazaar.balances(world.buyer.id)
    assert (balances.cash, balances.reserved) == (FUNDS - 300, 0)
    assert world.bazaar.context(world.buyer.id, context.id).status is ContextStatus.DECIDED
    assert world.money() == FUNDS and audit(world.bazaar.store) == []


def test_depth_1_a_refuting_follow_up_changes_the_parents_decision(world: World) -> None:
    forecast = world.bot(FORECAST)
    world.bot(STOCKS)
    checker = world.bot(_checker(REFUTATION))
    context = world.post(QUERY, 1_000)
    engine = world.engine(OfflineBuyer(), max_depth=1, min_offers=2)
    inspection = engine.start(world.buyer.id, context.id)
    engine.run_until_idle()

    root, child = engine.nodes(world.buyer.id, inspection.id)
    forecast_offer = _offers_by_seller(world, context.id)[forecast.user_id]
    # the sellers asked see what the follow-up is about; its buyer, who bought nothing the
    # inspector read, sees only that it was made (domain.follow_ups)
    child_context = world.bazaar.context(checker.user_id, child.context_id)
    assert child_context.parent_offer_ids == (forecast_offer,)
    forgotten = world.bazaar.context(world.buyer.id, child.context_id)
    assert forgotten.parent_offer_ids == () and forgotten.disclosure is Disclosure.FORGOTTEN
    assert child.parent_node_id == root.id and child.depth == 1
    refutation = _offers_by_seller(world, child.context_id)[checker.user_id]
    assert child.bought == (refutation,)
    assert root.follow_ups == 1 and root.bought == ()  # without the check it bought the forecast

    calls = engine.audit_trail(world.operator.id, inspection.id)
    assert [(c.node_id, c.action) for c in calls] == [
        (root.id, "follow_up"),
        (child.id, "buy"),
        (root.id, "buy"),
    ]
    assert calls[2].known_offer_ids == (refutation,)  # the parent decided knowing the check
    root_offers = set(calls[0].seen_offer_ids)
    assert forecast_offer in root_offers and calls[0].ancestor_offer_ids == ()
    assert set(calls[1].ancestor_offer_ids) == root_offers  # the child call read them too
    assert refutation in calls[1].seen_offer_ids
    assert all(c.verdict is Verdict.ACCEPTED for c in calls)
    # amnesia (with_parent): the forecast was not bought, so neither is the check readable
    assert world.bazaar.offer(world.buyer.id, refutation).private_info is None
    assert world.bazaar.balances(checker.user_id).earnings == 20
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS - 20
    assert world.money() == FUNDS and audit(world.bazaar.store) == []


def test_depth_1_a_confirming_follow_up_keeps_the_purchase_and_reaches_the_buyer(
    world: World,
) -> None:
    forecast = world.bot(FORECAST)
    checker = world.bot(_checker(CONFIRMATION))
    context = world.post(QUERY, 1_000)
    engine = world.engine(OfflineBuyer(), max_depth=1, min_offers=1)
    inspection = engine.start(world.buyer.id, context.id)
    engine.run_until_idle()

    root, child = engine.nodes(world.buyer.id, inspection.id)
    forecast_offer = _offers_by_seller(world, context.id)[forecast.user_id]
    confirmation = _offers_by_seller(world, child.context_id)[checker.user_id]
    assert root.bought == (forecast_offer,) and child.bought == (confirmation,)
    # the parent offer was bought, so the child's purchase is the buyer's too (with_parent)
    assert world.bazaar.offer(world.buyer.id, confirmation).private_info == CONFIRMATION
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS - 320
    assert world.money() == FUNDS and audit(world.bazaar.store) == []


def test_a_node_waits_for_offers_until_enough_arrive_or_its_deadline(world: World) -> None:
    world.bot(FORECAST)
    context = world.post(QUERY, 1_000)
    engine = world.engine(OfflineBuyer(), max_depth=0, min_offers=3, gather_timeout_s=60)
    inspection = engine.start(world.buyer.id, context.id)
    engine.run_until_idle()
    (root,) = engine.nodes(world.buyer.id, inspection.id)
    assert root.state is NodeState.GATHERING  # one bot offer of three: waiting, not blocking

    human = world.seller()
    world.bazaar.post_offer(
        human.id, context.id, preview="Umbrella sales", private_info="Sold out in Paris", price=5
    )
    engine.offer_arrived(context.id)
    assert engine.run_until_idle() == 0
    world.clock.advance(59)
    assert engine.tick() == 0
    world.clock.advance(1)
    assert engine.tick() == 1
    engine.run_until_idle()
    (root,) = engine.nodes(world.buyer.id, inspection.id)
    assert root.state is NodeState.DONE and root.outcome is Outcome.BOUGHT
    assert len(engine.audit_trail(world.operator.id, inspection.id)) == 1
    assert audit(world.bazaar.store) == []


def test_enough_offers_end_gathering_at_once(world: World) -> None:
    context = world.post(QUERY, 1_000)
    engine = world.engine(OfflineBuyer(), max_depth=0, min_offers=1)
    inspection = engine.start(world.buyer.id, context.id)
    engine.run_until_idle()
    human = world.seller()
    world.bazaar.post_offer(
        human.id, context.id, preview=FORECAST.preview, private_info=FORECAST.private_info, price=9
    )
    engine.offer_arrived(context.id)
    engine.run_until_idle()
    assert engine.inspection(inspection.id).status is InspectionStatus.DONE
    assert world.bazaar.balances(human.id).earnings == 9


def test_no_offers_by_the_deadline_ends_without_asking_the_agent(world: World) -> None:
    context = world.post(QUERY, 1_000)
    engine = world.engine(OfflineBuyer(), min_offers=1, gather_timeout_s=10)
    inspection = engine.start(world.buyer.id, context.id)
    engine.run_until_idle()
    world.clock.advance(10)
    engine.tick()
    engine.run_until_idle()
    (root,) = engine.nodes(world.buyer.id, inspection.id)
    assert root.outcome is Outcome.NO_OFFERS
    assert engine.audit_trail(world.operator.id, inspection.id) == []
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS


def test_a_context_cancelled_while_gathering_ends_the_inspection(world: World) -> None:
    world.bot(FORECAST)
    context = world.post(QUERY, 1_000)
    engine = world.engine(OfflineBuyer(), min_offers=5, gather_timeout_s=10)
    inspection = engine.start(world.buyer.id, context.id)
    engine.run_until_idle()
    world.bazaar.cancel_context(world.buyer.id, context.id)
    world.clock.advance(10)
    engine.tick()
    engine.run_until_idle()
    (root,) = engine.nodes(world.buyer.id, inspection.id)
    assert root.outcome is Outcome.CLOSED
    assert engine.audit_trail(world.operator.id, inspection.id) == []
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS
    assert audit(world.bazaar.store) == []


def test_cancelling_the_root_while_a_follow_up_gathers_ends_everything_at_once(
    world: World,
) -> None:
    world.bot(FORECAST)
    context = world.post(QUERY, 1_000)
    engine = world.engine(OfflineBuyer(), max_depth=1, min_offers=1)
    inspection = engine.start(world.buyer.id, context.id)
    engine.run_until_idle()
    root, child = engine.nodes(world.buyer.id, inspection.id)
    assert (root.state, child.state) == (NodeState.WAITING, NodeState.GATHERING)

    world.bazaar.cancel_context(world.buyer.id, context.id)  # cascades to the child context
    engine.context_closed(context.id)
    engine.run_until_idle()
    root, child = engine.nodes(world.buyer.id, inspection.id)
    assert (root.outcome, child.outcome) == (Outcome.CLOSED, Outcome.CLOSED)
    assert engine.inspection(inspection.id).status is InspectionStatus.DONE
    assert len(engine.audit_trail(world.operator.id, inspection.id)) == 1  # the follow-up only
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS
    assert world.money() == FUNDS and audit(world.bazaar.store) == []
