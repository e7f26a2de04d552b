"""Bayesian bot sellers (issue 5): one offer of a stored market, sold truthfully in a true
state, answering the contexts of its level once each; bad markets are refused. Every store."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.bayesian import market_spec
from tests.support.bazaar import Cast
from tests.support.databases import SQL_KINDS
from tests.support.people import PASSWORD
from volition.agents.bayesian import Revelation, parse_revelation
from volition.bazaar.bot_dispatch import BotDispatcher
from volition.bazaar.domain import (
    Bazaar,
    BotKind,
    BotService,
    ContextSpec,
    DecisionContext,
    JobStatus,
    RevealPolicy,
    Store,
    audit,
)
from volition.bazaar.domain.bot_markets import MAX_MARKET
from volition.errors import InputError

TRUE_STATE = "i11_E"  # I1 = 1, I2 = 1: the fact-check reverses the first fact


@pytest.fixture
def service(bazaar: Bazaar) -> BotService:
    return BotService(bazaar)


def bayes(service: BotService, owner: str, offer: str, **fields: Any) -> str:
    values: dict[str, Any] = {
        "name": f"sells {offer}",
        "kind": "bayesian",
        "market": market_spec(),
        "market_offer": offer,
        "market_state": TRUE_STATE,
        "cents_per_unit": 100,
        **fields,
    }
    return service.create_bot(owner, **values).id


def about(
    bazaar: Bazaar, cast: Cast, offer_id: str, named: tuple[str, ...], budget: int = 100
) -> DecisionContext:
    spec = ContextSpec(
        "Is this accurate?",
        budget,
        parent_offer_ids=(offer_id,),
        named_sellers=named,
        reveal=RevealPolicy.ALL,  # the buyer reads a child purchase at once, as RIP's does
    )
    return bazaar.post_context(cast.buyer.id, spec)


def test_bayesian_bots_answer_the_contexts_of_their_level_once(
    bazaar: Bazaar, cast: Cast, service: BotService
) -> None:
    erin = bazaar.register("erin", PASSWORD, buyer=False, seller=True)
    first = bayes(service, cast.seller.id, "o1")  # level 0
    checker = bayes(service, cast.other_seller.id, "o2")  # level 1: the fact-check
    other_first = bayes(service, erin.id, "o1")  # level 0 again, named below
    stored = service.bot(cast.seller.id, first)
    assert stored.kind is BotKind.BAYESIAN and stored.market_state == TRUE_STATE
    assert stored.price == 0 and service.bot(cast.other_seller.id, checker).price == 1
    dispatcher = BotDispatcher(bazaar, service)

    root = bazaar.post_context(cast.buyer.id, ContextSpec("Will E happen?", 500))
    assert dispatcher.run_due() == 2 and dispatcher.run_due() == 0
    offers = {o.seller_id: o for o in bazaar.offers(cast.seller.id, root.id)}
    assert set(offers) == {cast.seller.id, erin.id}  # the level-1 bot stays silent
    assert parse_revelation(offers[cast.seller.id].private_info or "") == Revelation(
        "o1", {"I1": 1}
    )
    assert offers[cast.seller.id].preview.startswith("market offer o1 at level 0")
    [silent] = service.jobs(cast.other_seller.id, checker)
    assert (silent.context_id, silent.status, silent.offer_id) == (root.id, JobStatus.DONE, None)

    child = about(bazaar, cast, offers[cast.seller.id].id, ("dave", "erin"), budget=200)
    assert dispatcher.run_due() == 1 and dispatcher.solicit(child) == 0
    [check] = bazaar.offers(cast.buyer.id, child.id)
    assert (check.seller_id, check.price) == (cast.other_seller.id, 1)
    jobs = {j.context_id: j for j in service.jobs(erin.id, other_first)}
    assert jobs[child.id].status is JobStatus.DONE and jobs[child.id].offer_id is None

    grandchild = about(bazaar, cast, check.id, ("carol", "erin"), budget=50)
    assert dispatcher.run_due() == 0  # level 2: nobody sells there
    assert bazaar.offers(cast.buyer.id, grandchild.id) == []

    bazaar.buy_blind(cast.buyer.id, check.id)
    bought = bazaar.offer(cast.buyer.id, check.id).private_info
    assert parse_revelation(bought or "") == Revelation("o2", {"I2": 1})
    assert bazaar.balances(cast.other_seller.id).earnings == 1
    assert audit(bazaar.store) == []


def test_the_true_state_may_be_an_index_and_the_price_follows_the_rate(
    bazaar: Bazaar, cast: Cast, service: BotService
) -> None:
    bot = bayes(service, cast.seller.id, "o2", market_state=6, cents_per_unit=5_000)
    stored = service.bot(cast.seller.id, bot)
    assert (stored.market_state, stored.price) == (TRUE_STATE, 50)
    changed = service.update_bot(cast.seller.id, bot, {"cents_per_unit": 300})
    assert changed.price == 3  # the price is the offer's at the new rate
    changed = service.update_bot(cast.seller.id, bot, {"market_state": "i00_E"})
    dispatcher = BotDispatcher(bazaar, service)
    root = bazaar.post_context(cast.buyer.id, ContextSpec("Will E happen?", 500))
    offer = bazaar.post_offer(
        cast.other_seller.id,
        root.id,
        preview="market offer o1 at level 0: reveals I1",  # what a level-0 bot posts
        private_info="x",
        price=10,
    )
    child = about(bazaar, cast, offer.id, ("carol",))
    assert dispatcher.run_due() == 1
    [sold] = bazaar.offers(cast.seller.id, child.id)
    assert parse_revelation(sold.private_info or "") == Revelation("o2", {"I2": 0})
    assert sold.price == 3


def _world(**changes: Any) -> dict[str, Any]:
    spec = market_spec()
    spec["world"].update(changes)
    return spec


def _impossible_first_state() -> dict[str, Any]:
    spec = market_spec()
    prior = spec["world"]["prior"]
    spec["world"]["prior"] = [0.0, prior[0] + prior[1], *prior[2:]]
    return spec


def _priced(price: float) -> dict[str, Any]:
    spec = market_spec()
    spec["levels"][1]["offers"][0]["price"] = price
    return spec


BAD: list[tuple[dict[str, Any], str]] = [
    ({"market": {**market_spec(), "world": "fact_checking.yaml"}}, "world: give the problem"),
    ({"market": {"world": market_spec()["world"]}}, r"levels: Field required"),
    ({"market": _world(prior=[1.0])}, r"world: .*prior"),
    ({"market": _world(states=10**9)}, "states: at most"),
    ({"market": {**market_spec(), "levels": [{"offers": [{"id": "o1"}]}]}}, "levels.0.offers.0"),
    ({"market": [1, 2]}, "must be a mapping"),
    ({"market": {**market_spec(), "description": "x" * MAX_MARKET}}, "the limit is"),
    ({"market": {**market_spec(), "description": float("nan")}}, "no NaN"),
    ({"market_offer": "o9"}, r"no offer 'o9'; its offers are o1, o2"),
    ({"market_state": "i22_E"}, r"unknown state 'i22_E'"),
    ({"market_state": 8}, r"index must be 0..7, not 8"),
    ({"market_state": True}, "label or index"),
    ({"market": _impossible_first_state(), "market_state": 0}, "prior probability 0"),
    ({"cents_per_unit": 0}, "cents_per_unit must be from 1"),
    ({"market": _priced(1e300)}, r"costs 1e\+300 units: over"),
    ({"cents_per_unit": None}, "needs cents_per_unit"),
    ({"market": None}, "needs market"),
    ({"price": 5}, r"price is its offer's: .* give 1, not 5"),
    ({"kind": "fixed", "preview": "p", "private_info": "s", "price": 5}, "only a bayesian bot"),
    ({"kind": "oracle"}, "'fixed', 'llm' or 'bayesian'"),
]


@pytest.mark.parametrize(("fields", "message"), BAD)
def test_bad_bayesian_bots_are_refused_and_change_nothing(
    cast: Cast, service: BotService, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        bayes(service, cast.seller.id, "o2", **fields)
    assert service.bots(cast.seller.id) == []


def test_a_bad_change_to_a_bayesian_bot_changes_nothing(cast: Cast, service: BotService) -> None:
    bot = bayes(service, cast.seller.id, "o2")
    before = service.bot(cast.seller.id, bot)
    for changes, message in [
        ({"market_offer": "o9"}, "no offer 'o9'"),
        ({"market": {"levels": []}}, "world"),
        ({"price": 7}, "give 1, not 7"),
    ]:
        with pytest.raises(InputError, match=message):
            service.update_bot(cast.seller.id, bot, changes)
    assert service.bot(cast.seller.id, bot) == before
    fixed = service.create_bot(
        cast.seller.id, name="f", kind="fixed", price=5, preview="p", private_info="s"
    )
    with pytest.raises(InputError, match="only a bayesian bot"):
        service.update_bot(cast.seller.id, fixed.id, {"market_offer": "o1"})
    with pytest.raises(InputError, match="a fixed bot needs a price"):
        service.create_bot(cast.seller.id, name="f", kind="fixed", preview="p", private_info="s")


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
def test_migration_0007_keeps_bots_and_will_not_drop_a_bayesian_one(
    store: Store, cast: Cast, service: BotService
) -> None:
    """Down to 0006 refuses while a bayesian bot exists; without one, fixed bots survive."""
    from volition.bazaar.storage import SqlStore
    from volition.bazaar.storage.migrate import downgrade, upgrade

    assert isinstance(store, SqlStore)
    fixed = service.create_bot(
        cast.seller.id, name="f", kind="fixed", price=5, preview="p", private_info="s"
    )
    bot = bayes(service, cast.seller.id, "o2")
    with pytest.raises(Exception, match=r"(?i)check|constraint"):
        downgrade(store.engine, "0006")
    assert service.bot(cast.seller.id, bot).market_offer == "o2"  # nothing changed
    service.delete_bot(cast.seller.id, bot)
    downgrade(store.engine, "0006")
    upgrade(store.engine)
    assert service.bots(cast.seller.id) == [fixed]
    assert service.bot(cast.seller.id, bayes(service, cast.seller.id, "o1")).price == 0


def test_the_parsed_market_cache_tells_a_bool_from_an_index(
    cast: Cast, service: BotService
) -> None:
    bayes(service, cast.seller.id, "o2", market_state=1)  # caches index 1
    with pytest.raises(InputError, match="label or index, not True"):
        bayes(service, cast.seller.id, "o2", market_state=True)
    with pytest.raises(InputError, match="offer's id, not"):
        bayes(service, cast.seller.id, ["o2"])  # type: ignore[arg-type]
    assert len(service.bots(cast.seller.id)) == 1
