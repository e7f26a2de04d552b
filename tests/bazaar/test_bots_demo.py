"""The demo's bots: they answer the demo's contexts, and an inspection of the rain context
recurses through a follow-up that a fact-checking bot answers."""

from __future__ import annotations

from tests.support.people import CHEAP_HASHER
from volition.agents import OfflineBuyer
from volition.bazaar.bot_dispatch import BotDispatcher
from volition.bazaar.demo import DEMO_BOTS, seed_demo
from volition.bazaar.domain import Bazaar, BotService, MemoryStore, audit
from volition.bazaar.domain.follow_ups import FORGOTTEN_QUERY
from volition.bazaar.inspection import InspectionEngine, InspectionLimits


def demo_bazaar() -> Bazaar:
    bazaar = Bazaar(MemoryStore(), hasher=CHEAP_HASHER)
    seed_demo(bazaar)
    return bazaar


def test_the_demo_bots_answer_the_demo_contexts_once() -> None:
    bazaar = demo_bazaar()
    carol, dave = bazaar.find_user("carol"), bazaar.find_user("dave")
    names = {b.name for u in (carol, dave) for b in BotService(bazaar).bots(u.id)}
    assert names == {b.name for b in DEMO_BOTS}
    offers = {
        c.query.split("?")[0]: [o.preview for o in bazaar.offers(None, c.id)]
        for c in bazaar.contexts(None)
    }
    assert offers["Which of two laptops has the better keyboard for long writing days"] == [
        "A week of typing tests on both keyboards."
    ]
    assert offers["Is the 8:15 train to Bergen usually on time"] == [
        "Last year's punctuality of the Bergen line, by departure."
    ]
    assert BotDispatcher(bazaar).run_due() == 0
    seed_demo(bazaar)  # seeding again changes nothing
    assert sum(len(v) for v in offers.values()) == sum(
        len(bazaar.offers(None, c.id)) for c in bazaar.contexts(None)
    )


def test_an_inspection_of_the_rain_context_recurses_through_a_fact_checking_bot() -> None:
    bazaar = demo_bazaar()
    alice, carol = bazaar.find_user("alice"), bazaar.find_user("carol")
    [rain] = [c for c in bazaar.contexts(alice.id, mine=True) if "rain" in c.query]
    engine = InspectionEngine(
        bazaar,
        OfflineBuyer(),
        bots=BotDispatcher(bazaar),
        limits=InspectionLimits(max_depth=1, min_offers=1),
    )
    inspection = engine.start(alice.id, rain.id)
    engine.run_until_idle()
    root, child = engine.nodes(alice.id, inspection.id)
    # the fact-checker asked sees the question; alice, who did not buy the locals' tip, will not
    assert bazaar.context(alice.id, child.context_id).query == FORGOTTEN_QUERY
    follow_up = bazaar.context(carol.id, child.context_id)
    assert follow_up.query.startswith("Is this accurate: What the locals say")
    assert carol.id in follow_up.named_seller_ids
    [check] = bazaar.offers(carol.id, follow_up.id)
    assert check.seller_id == carol.id and "Inaccurate" in (check.private_info or "")
    assert child.bought == (check.id,)  # the inspector bought the refutation...
    [radar, knee] = bazaar.offers(alice.id, rain.id)
    assert root.bought == (radar.id,)  # ...then the radar forecast, not the knee
    assert "picnic" in (radar.private_info or "") and knee.private_info is None
    # amnesia: the refutation concerns an offer the buyer did not buy
    assert bazaar.offer(alice.id, check.id).private_info is None
    assert bazaar.balances(carol.id).earnings == radar.price + check.price
    assert audit(bazaar.store) == []
