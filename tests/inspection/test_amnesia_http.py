"""Amnesia over HTTP (issue 5, docs/theory.md §5): after an inspection that followed up, nobody but
an offer's seller and, once bought and as the policy allows, the buyer reads its private info.

The expected matrix is written from the rules of ``volition.bazaar.domain.visibility``, not
from the server's answers:

- a top-level context is public; a follow-up context is seen only by its buyer, the sellers of
  the parent offers it is about and the sellers it names (the engine names its bots); never
  by other buyers, other sellers, anonymous visitors or operators;
- private info is read by the offer's seller; by the buyer once bought, and for a follow-up
  offer under ``with_parent`` only if the parent offer it is about was bought, under ``all``
  always; by nobody else, operators included.

Each story runs under both policies, with a check that confirms the forecast (the root buys
it) and one that refutes it (the root buys nothing): four worlds, on memory and SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.api import ok
from tests.support.http_world import (
    BUDGET,
    CONFIRMATION,
    FORECAST,
    QUERY,
    REFUTATION,
    STOCKS,
    Bots,
    served,
    wait_done,
    weather_bots,
    weather_engine,
)
from tests.support.inspection import PASSWORD, World
from volition.bazaar.domain import audit
from volition.bazaar.domain.follow_ups import FORGOTTEN_QUERY

ROLES = (
    "anonymous",
    "buyer",
    "other_buyer",
    "forecaster",
    "stocks",
    "checker",
    "other_seller",
    "operator",
)


@dataclass(frozen=True)
class Offer:
    """An inspected offer, as the test knows it: where it is and who sold it."""

    id: str
    context_id: str
    seller: str  # the role that sold it
    private_info: str
    in_follow_up: bool
    bought: bool


def sees_context(role: str, in_follow_up: bool) -> bool:
    """The rule for contexts: top-level ones are public; a follow-up is its buyer's, its parent
    offer's seller's (the forecaster) and its named sellers' (every bot)."""
    if not in_follow_up:
        return True
    return role in {"buyer", "forecaster", "stocks", "checker"}


def reads_private(role: str, offer: Offer, policy: str, parent_bought: bool) -> bool:
    """The rule for private info: the seller; the buyer once bought (a follow-up's offer under
    ``with_parent`` only when the parent offer it concerns was bought); nobody else."""
    if role == offer.seller:
        return True
    if role != "buyer" or not offer.bought:
        return False
    return not offer.in_follow_up or policy == "all" or parent_bought


def _clients(world: World, api: Any, bots: Bots) -> dict[str, httpx.Client]:
    world.bazaar.register("bob", PASSWORD, buyer=True)
    world.bazaar.register("dave", PASSWORD, buyer=True, seller=True)

    def bot(b: Any) -> httpx.Client:
        return api.sign_in(world.bazaar.user(b.user_id).name)  # type: ignore[no-any-return]

    return {
        "anonymous": api.anonymous,
        "buyer": api.sign_in("alice"),
        "other_buyer": api.sign_in("bob"),
        "forecaster": bot(bots.forecaster),
        "stocks": bot(bots.stocks),
        "checker": bot(bots.checker),
        "other_seller": api.sign_in("dave"),
        "operator": api.sign_in("root"),
    }


def _offers(world: World, bots: Bots, tree: Any) -> list[Offer]:
    role_of = {bots.forecaster.user_id: "forecaster", bots.stocks.user_id: "stocks"}
    role_of[bots.checker.user_id] = "checker"
    bought = {b["offer_id"] for b in tree["bought"]}
    out = []
    with world.bazaar.store.begin(write=False) as uow:
        for node in tree["nodes"]:
            for o in uow.offers.for_context(node["context_id"]):
                out.append(
                    Offer(
                        o.id,
                        o.context_id,
                        role_of[o.seller_id],
                        o.private_info,
                        node["depth"] > 0,
                        o.id in bought,
                    )
                )
    return out


@pytest.mark.parametrize("policy", ["with_parent", "all"])
@pytest.mark.parametrize("check", [CONFIRMATION, REFUTATION], ids=["confirmed", "refuted"])
def test_only_sellers_and_the_entitled_buyer_read_inspected_private_info(
    world: World, policy: str, check: str
) -> None:
    bots = weather_bots(world, check)
    engine = weather_engine(world)
    with served(world, engine) as api:
        clients = _clients(world, api, bots)
        buyer = clients["buyer"]
        context = ok(buyer.post("/api/contexts", json={"query": QUERY, "budget": BUDGET}), 201)
        started = ok(buyer.post(f"/api/contexts/{context['id']}/inspections", json={
            "policy": policy}), 202)  # fmt: skip
        tree = wait_done(buyer, started["id"])

        offers = _offers(world, bots, tree)
        _, child = tree["nodes"]  # it followed up: depth 1 was reached
        assert child["depth"] == 1 and child["outcome"] == "bought"
        forecast = next(o for o in offers if o.seller == "forecaster")
        parent_bought = forecast.bought
        assert parent_bought is (check == CONFIRMATION)  # the story went as designed
        follow_up_offers = [o for o in offers if o.in_follow_up]
        assert {o.seller for o in follow_up_offers} == {"checker", "stocks"}
        assert [o.seller for o in follow_up_offers if o.bought] == ["checker"]

        texts: dict[str, list[str]] = {role: [] for role in ROLES}
        for role, client in clients.items():
            for offer in offers:
                expected = reads_private(role, offer, policy, parent_bought)
                r = client.get(f"/api/offers/{offer.id}")
                texts[role].append(r.text)
                if not sees_context(role, offer.in_follow_up):
                    assert r.status_code == 404, (role, offer)
                    continue
                got = ok(r)["private_info"]
                assert got == (offer.private_info if expected else None), (role, offer)
            for node in tree["nodes"]:
                r = client.get(f"/api/contexts/{node['context_id']}/offers")
                texts[role].append(r.text)
                if not sees_context(role, node["depth"] > 0):
                    assert r.status_code == 404, (role, node)
                    continue
                for listed in ok(r):
                    offer = next(o for o in offers if o.id == listed["id"])
                    expected = reads_private(role, offer, policy, parent_bought)
                    assert listed["private_info"] == (offer.private_info if expected else None), (
                        role,
                        offer,
                    )
            _check_purchases(role, client, offers, policy, parent_bought, texts)
            _check_inspection_reads(role, client, started["id"], context["id"], texts)
            _check_follow_up_writings(
                world, role, client, (started["id"], child), offers, policy, parent_bought
            )

        # the catch-all: a secret appears in a role's answers only where the rules allow it
        for role in ROLES:
            body = "\n".join(texts[role])
            for offer in offers:
                allowed = any(
                    reads_private(role, o, policy, parent_bought)
                    for o in offers
                    if o.private_info == offer.private_info
                )
                assert (offer.private_info in body) is allowed, (role, offer)
    assert audit(world.bazaar.store) == []


def sees_writings(role: str, offers: list[Offer], policy: str, parent_bought: bool) -> bool:
    """The rule for what the inspector wrote in the follow-up (its query, budget, parent
    offers): the sellers asked (every offer here allows quotation); the buyer only if it may
    read everything the inspector read when writing it (every inspected top-level offer, and
    what was bought below); nobody else."""
    if role in {"forecaster", "stocks", "checker"}:
        return True
    if role != "buyer":
        return False
    read = [o for o in offers if not o.in_follow_up or o.bought]
    return all(reads_private("buyer", o, policy, parent_bought) for o in read)


def _check_follow_up_writings(
    world: World,
    role: str,
    client: httpx.Client,
    where: tuple[str, dict[str, Any]],
    offers: list[Offer],
    policy: str,
    parent_bought: bool,
) -> None:
    """The follow-up's query and budget reach a role only under ``sees_writings``; its buyer
    is told otherwise that it was made and forgotten, everywhere it is listed."""
    inspection_id, child = where
    with world.bazaar.store.begin(write=False) as uow:
        raw = uow.contexts.get(child["context_id"])
    assert raw is not None and raw.by_inspector
    expected = sees_writings(role, offers, policy, parent_bought)
    answers = [
        client.get(f"/api/contexts/{raw.id}"),
        client.get(f"/api/inspections/{inspection_id}"),
    ]
    answers += [client.get("/api/contexts?mine=true"), client.get("/api/inbox")]
    body = "\n".join(r.text for r in answers)
    assert (raw.query in body) is expected, (role, raw.query)
    if not sees_context(role, True):
        assert answers[0].status_code in {401, 404}, role
        return
    shown = ok(answers[0])
    if role == "buyer":
        assert shown["disclosure"] == ("full" if expected else "forgotten")
        if not expected:
            assert shown["query"] == FORGOTTEN_QUERY and shown["budget"] == 0
            assert shown["parent_offer_ids"] == [] and shown["remaining"] is None
            assert FORGOTTEN_QUERY in "\n".join(r.text for r in answers[2:3])
    else:
        assert shown["budget"] == raw.budget and shown["parent_offer_ids"] == list(
            raw.parent_offer_ids
        )


def _check_purchases(
    role: str,
    client: httpx.Client,
    offers: list[Offer],
    policy: str,
    parent_bought: bool,
    texts: dict[str, list[str]],
) -> None:
    r = client.get("/api/me/purchases")
    texts[role].append(r.text)
    if role == "anonymous":
        assert r.status_code == 401
        return
    listed = {p["offer_id"]: p["offer"]["private_info"] for p in ok(r)}
    if role != "buyer":
        assert listed == {}, role  # sellers and operators bought nothing here
        return
    assert set(listed) == {o.id for o in offers if o.bought}
    for offer in offers:
        if offer.bought:
            expected = reads_private(role, offer, policy, parent_bought)
            assert listed[offer.id] == (offer.private_info if expected else None), offer


def _check_inspection_reads(
    role: str,
    client: httpx.Client,
    inspection_id: str,
    context_id: str,
    texts: dict[str, list[str]],
) -> None:
    """The inspection itself: its buyer and operators read its ids and numbers, others 404."""
    reads = [
        client.get(f"/api/inspections/{inspection_id}"),
        client.get(f"/api/contexts/{context_id}/inspection"),
    ]
    audit_trail = client.get(f"/api/inspections/{inspection_id}/audit")
    texts[role].extend(r.text for r in [*reads, audit_trail])
    expected = {"anonymous": 401, "buyer": 200, "operator": 200}.get(role, 404)
    assert [r.status_code for r in reads] == [expected, expected], role
    audit_status = {"anonymous": 401, "buyer": 403, "operator": 200}.get(role, 404)
    assert audit_trail.status_code == audit_status, role
    if role == "operator":
        assert len(audit_trail.json()) == 3


def test_the_story_offers_are_distinct_secrets() -> None:
    """The catch-all above needs every private text to be told apart."""
    secrets = [FORECAST.private_info, STOCKS.private_info, CONFIRMATION, REFUTATION]
    assert len(set(secrets)) == len(secrets)
    assert not any(a in b for a in secrets for b in secrets if a != b)
