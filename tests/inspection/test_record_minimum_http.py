"""A context's record minimum over real HTTP, on SQLite and PostgreSQL (docs/theory.md §5,
Track records and record minimums): an inspection never reads an offer of a seller whose
track record is below the minimum (its private info reaches neither the inspector nor the
buyer, and the report counts it as skipped), reads good sellers and newcomers per the flag;
bad minimums are refused with nothing changed; another buyer's context ids get nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.agents import Recording
from tests.support.api import ok
from tests.support.http_world import QUERY, served, wait_done
from tests.support.inspection import World
from tests.support.people import PASSWORD
from tests.support.records import give_record
from volition.bazaar.domain import audit

MINIMUM = {"min_offers_bought": 2, "min_value_per_dollar": 0.1, "max_calibration_gap": 0.4}


def _sellers(world: World) -> dict[str, str]:
    """good (a record above the minimum), bad (below it) and new (no record), by name."""
    bob = world.bazaar.register("bob", PASSWORD, buyer=True)
    names = {kind: world.seller().name for kind in ("good", "bad", "new")}
    for kind, value in (("good", 0.5), ("bad", -0.5)):
        seller = world.bazaar.find_user(names[kind])
        give_record(world.bazaar, bob.id, seller.id, offers=3, value=value)
    return names


def _books(world: World) -> tuple[Any, ...]:
    with world.bazaar.store.begin(write=False) as uow:
        contexts = uow.contexts.find(limit=10**6)
        offers = [o for c in contexts for o in uow.offers.for_context(c.id)]
        return dict(uow.ledger.balances()), len(contexts), len(offers)


@pytest.mark.parametrize("newcomers", [True, False])
def test_an_inspection_reads_only_sellers_the_minimum_admits(
    sql_world: World, newcomers: bool
) -> None:
    world = sql_world
    names = _sellers(world)
    agent = Recording()
    engine = world.engine(agent, max_depth=0, min_offers=3)
    with served(world, engine) as api:
        buyer = api.sign_in("alice")
        minimum = MINIMUM | {"admit_newcomers": newcomers}
        body = {"query": QUERY, "budget": 500, "record_minimum": minimum}
        context = ok(buyer.post("/api/contexts", json=body), 201)
        assert context["record_minimum"] == minimum
        shown = ok(api.anonymous.get(f"/api/contexts/{context['id']}"))
        assert shown["record_minimum"] == minimum  # sellers may know whom it reads
        ids = {}
        for kind, name in names.items():
            offer = {"preview": "rain tomorrow", "private_info": f"SECRET-{kind}", "price": 10}
            posted = api.sign_in(name).post(f"/api/contexts/{context['id']}/offers", json=offer)
            ids[kind] = ok(posted, 201)["id"]

        started = ok(buyer.post(f"/api/contexts/{context['id']}/inspections", json={}), 202)
        done = wait_done(buyer, started["id"])
        read = {"good", "new"} if newcomers else {"good"}
        (root,) = done["nodes"]
        assert root["skipped_by_record"] == done["skipped_by_record"] == 3 - len(read)
        seen = {o.id for v in agent.views for o in v.offers}
        assert seen == {ids[k] for k in read}
        shown_to_agent = repr(agent.views)
        assert "SECRET-bad" not in shown_to_agent
        assert ("SECRET-new" in shown_to_agent) is newcomers
        calls = engine.audit_trail(world.operator.id, started["id"])
        assert {i for c in calls for i in c.seen_offer_ids} == {ids[k] for k in read}
        assert not set(root["bought"]) - {ids[k] for k in read}

        for path in (
            f"/api/inspections/{started['id']}",
            f"/api/contexts/{context['id']}",
            f"/api/contexts/{context['id']}/offers",
            "/api/me/purchases",
            "/api/me/ledger",
        ):
            assert "SECRET-bad" not in ok(buyer.get(path)).__repr__(), path
        with world.bazaar.store.begin(write=False) as uow:
            offer = uow.offers.get(ids["bad"])
            assert offer is not None and not offer.inspected
    assert audit(world.bazaar.store) == []


@pytest.mark.parametrize(
    "minimum",
    [
        {"min_offers_bought": -1},
        {"min_offers_bought": 10**9},
        {"min_offers_bought": 1.5},
        {"min_offers_bought": "2"},
        {"min_value_per_dollar": "NaN"},
        {"min_value_per_dollar": 1e300},
        {"max_calibration_gap": -0.1},
        {"max_calibration_gap": 1.01},
        {"admit_newcomers": "no"},
        {"admit_newcomers": None},
        {"min_offers": 2},
        [2],
        "strict",
    ],
)
def test_bad_minimums_are_refused_with_nothing_changed(sql_world: World, minimum: Any) -> None:
    world = sql_world
    with served(world, None) as api:
        buyer = api.sign_in("alice")
        before = _books(world)
        body = {"query": QUERY, "budget": 100, "record_minimum": minimum}
        r = buyer.post("/api/contexts", json=body)
        assert r.status_code == 422, r.text
        assert "record_minimum" in r.text
        assert _books(world) == before


def test_another_buyers_context_ids_get_nothing(sql_world: World) -> None:
    world = sql_world
    names = _sellers(world)
    world.bazaar.credit(world.operator.id, world.bazaar.find_user("bob").id, 1_000)
    engine = world.engine(Recording(), max_depth=0, min_offers=1)
    with served(world, engine) as api:
        alice, bob = api.sign_in("alice"), api.sign_in("bob")
        body = {"query": QUERY, "budget": 500, "record_minimum": MINIMUM}
        context = ok(alice.post("/api/contexts", json=body), 201)
        offer = {"preview": "rain", "private_info": "SECRET-good", "price": 10}
        good = api.sign_in(names["good"])
        offer_id = ok(good.post(f"/api/contexts/{context['id']}/offers", json=offer), 201)["id"]
        before = _books(world)

        r = bob.post(f"/api/contexts/{context['id']}/inspections", json={})
        assert r.status_code in (403, 404), r.text
        follow_up = {
            "query": "is it?",
            "budget": 50,
            "parent_offer_ids": [offer_id],
            "record_minimum": {"admit_newcomers": True},
        }
        r = bob.post("/api/contexts", json=follow_up)
        assert r.status_code in (403, 404), r.text
        assert "SECRET" not in r.text
        assert _books(world) == before

        started = ok(alice.post(f"/api/contexts/{context['id']}/inspections", json={}), 202)
        wait_done(alice, started["id"])
        for path in (f"/api/inspections/{started['id']}", f"/api/contexts/{context['id']}/offers"):
            r = bob.get(path)
            assert "SECRET" not in r.text and "skipped_by_record" not in r.text, path
    assert audit(world.bazaar.store) == []
