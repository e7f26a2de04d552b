"""Operator inspectors over HTTP (issue 10), on SQLite and PostgreSQL.

The attack: a buyer with no cash stores their own endpoint, posts a context with budget 0 and
asks for an ``llm`` inspection, hoping every offer's private info is sent to their server for
nothing. It must fail safely: no request reaches the buyer's server, nothing is read or paid.
An inspection on an operator's priced inspector runs on the operator's scripted
OpenAI-compatible server, and its tokens are charged exactly, as ``inspection_cost`` entries
paid to the house from the context's reservation; the books stay sound.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.api import PASSWORD, Api, ok
from tests.support.databases import one_store
from tests.support.people import CHEAP_HASHER
from volition.agents.scripted_server import ScriptedOpenAIServer
from volition.bazaar import secretbox
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.config import PlatformSettings
from volition.bazaar.domain import Bazaar, ContextSpec, EntryKind, Store, audit
from volition.bazaar.domain.ledger import HOUSE, hold
from volition.bazaar.inspection.pricing import Pricing
from volition.bazaar.inspectors import Inspectors
from volition.bazaar.platform import assemble
from volition.bazaar.server import build_app
from volition.bazaar.storage import SqlStore

PROMPT_PRICE = 20_000  # cents per million prompt tokens
COMPLETION_PRICE = 50_000
SECRET_FILE_KEY = "sk-operator-file-key-7f3a9c"
SECRET_INLINE_KEY = "sk-operator-inline-key-0b1d2e"


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    yield from one_store(request.param, request, tmp_path, "inspection_pg_url")


@dataclass
class Site:
    api: Api
    bazaar: Bazaar
    operator_model: ScriptedOpenAIServer
    seller: httpx.Client
    operator: httpx.Client


def _buy_the_first_offer(request: dict[str, Any]) -> str:
    prompt = request["messages"][-1]["content"]
    return json.dumps({"action": "buy", "buy": re.findall(r"off_[0-9a-f]{20}", prompt)[:1]})


@contextmanager
def site(store: Store, tmp_path: Path) -> Iterator[Site]:
    """The platform served with two operator inspectors on the operator's scripted server:
    ``mini`` (priced, its key in a file) and ``free`` (no price, its key inline)."""
    assert isinstance(store, SqlStore)
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    root = bazaar.bootstrap_operator("root", PASSWORD)
    with ScriptedOpenAIServer(responder=_buy_the_first_offer) as model:
        key_file = tmp_path / "operator.key"
        key_file.write_text(SECRET_FILE_KEY + "\n")
        inspectors = Inspectors.parse(
            json.dumps(
                [
                    {
                        "name": "mini",
                        "base_url": model.base_url,
                        "model": "scripted",
                        "api_key_file": str(key_file),
                        "description": "the operator's small model",
                        "prompt_cents_per_million": PROMPT_PRICE,
                        "completion_cents_per_million": COMPLETION_PRICE,
                    },
                    {
                        "name": "free",
                        "base_url": model.base_url,
                        "model": "scripted",
                        "api_key": SECRET_INLINE_KEY,
                    },
                ]
            )
        )
        with serve_in_thread(
            build_app(assemble(bazaar, PlatformSettings(inspectors=inspectors)))
        ) as url:
            api = Api(url)
            try:
                seller = api.sign_up("carol", ("seller",))
                assert root.is_operator
                yield Site(api, bazaar, model, seller, api.sign_in("root"))
            finally:
                api.close()


def _context_with_offers(s: Site, buyer: httpx.Client, budget: int, prices: list[int]) -> str:
    body = {"query": "Rain in Oslo?", "budget": budget}
    context = ok(buyer.post("/api/contexts", json=body), 201)
    for i, price in enumerate(prices):
        body = {"preview": f"forecast {i}", "private_info": f"secret {i}", "price": price}
        ok(s.seller.post(f"/api/contexts/{context['id']}/offers", json=body), 201)
    return str(context["id"])


def _wait_done(client: httpx.Client, inspection_id: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        body = ok(client.get(f"/api/inspections/{inspection_id}"))
        if body["status"] == "done":
            return body
        assert time.monotonic() < deadline, f"inspection {inspection_id} not done: {body}"
        time.sleep(0.05)


FAST = {"max_depth": 0, "min_offers": 1, "gather_seconds": 5}


def test_a_buyer_cannot_point_an_inspection_at_their_own_server(
    sql_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(secretbox.ENV_VAR, secretbox.new_key())  # PostgreSQL: a shared key
    with (
        site(sql_store, tmp_path) as s,
        ScriptedOpenAIServer(responder=_buy_the_first_offer) as own,
    ):
        mallory = s.api.sign_up("mallory")  # no cash at all
        ok(
            mallory.put(
                "/api/me/llm",
                json={"base_url": own.base_url, "model": "spy", "api_key": "sk-mallory-own"},
            )
        )
        context_id = _context_with_offers(s, mallory, 0, [100, 50])
        path = f"/api/contexts/{context_id}/inspections"

        refused = mallory.post(path, json={"agent": "llm", **FAST})
        assert refused.status_code == 422
        detail = refused.json()["message"]
        assert "operator's inspectors" in detail and "'mini'" in detail
        assert "PUT /api/me/llm" in detail  # says why her own endpoint is not used
        for body in (
            {"agent": "llm", "inspector": "spy"},
            {"inspector": own.base_url},
            {"agent": "offline", "inspector": "mini"},
            {"agent": "gpt"},
        ):
            r = mallory.post(path, json={**body, **FAST})
            assert r.status_code == 422, (body, r.text)
        assert (
            "there is no inspector 'spy'"
            in mallory.post(path, json={"inspector": "spy"}).json()["message"]
        )

        # the operator's priced inspector on a budget of 0: it ends unread, nothing paid
        started = ok(mallory.post(path, json={"inspector": "mini", **FAST}), 202)
        done = _wait_done(mallory, started["id"])
        assert done["inspector"] == "mini" and done["agent"] == "llm"
        assert [n["outcome"] for n in done["nodes"]] == ["no_budget"]
        assert done["bought"] == [] and done["inspection_cost"] == 0
        assert done["usage"]["calls"] == 0
        offers = _offers(s.bazaar, context_id)
        assert len(offers) == 2 and not any(o.inspected for o in offers)
        for offer in offers:  # never read, so still withdrawable
            ok(s.seller.delete(f"/api/offers/{offer.id}"))

    assert own.requests == [] and own.authorizations == []  # her server heard nothing
    assert s.operator_model.requests == []  # nor did the operator's: nothing to pay it with
    assert s.bazaar.balances(s.bazaar.find_user("mallory").id).cash == 0
    assert audit(s.bazaar.store) == []


def test_the_inspector_list_shows_names_and_prices_never_urls_or_keys(
    sql_store: Store, tmp_path: Path
) -> None:
    with site(sql_store, tmp_path) as s:
        buyer = s.api.sign_up("alice")
        for client in (s.api.anonymous, buyer):
            r = client.get("/api/inspectors")
            listed = ok(r)
            assert [i["name"] for i in listed] == ["offline", "mini", "free"]
            assert [i["default"] for i in listed] == [True, False, False]
            assert listed[1]["prompt_cents_per_million"] == PROMPT_PRICE
            assert listed[1]["completion_cents_per_million"] == COMPLETION_PRICE
            for secret in (SECRET_FILE_KEY, SECRET_INLINE_KEY, s.operator_model.base_url):
                assert secret not in r.text
            assert "127.0.0.1" not in r.text and "base_url" not in r.text
            assert set(listed[1]) == {
                "name",
                "agent",
                "description",
                "prompt_cents_per_million",
                "completion_cents_per_million",
                "default",
            }


def test_a_named_inspector_runs_and_its_tokens_are_charged_exactly(
    sql_store: Store, tmp_path: Path
) -> None:
    with site(sql_store, tmp_path) as s:
        buyer = s.api.sign_up("alice")
        alice = s.bazaar.find_user("alice")
        s.bazaar.credit(s.bazaar.find_user("root").id, alice.id, 5_000)
        context_id = _context_with_offers(s, buyer, 1_000, [300, 200])
        started = ok(
            buyer.post(
                f"/api/contexts/{context_id}/inspections",
                json={"inspector": "mini", **FAST, "min_offers": 2},
            ),
            202,
        )
        assert started["inspector"] == "mini"
        done = _wait_done(buyer, started["id"])
        trail = ok(s.operator.get(f"/api/inspections/{started['id']}/audit"))
        # the privacy matrix of the new entry: the buyer's ledger shows what her tokens cost;
        # the seller's, another user's and an anonymous visitor's show nothing of it
        mine = ok(buyer.get("/api/me/ledger", params={"limit": 500}))
        charged = [e for e in mine if e["kind"] == "inspection_cost"]
        assert len(charged) == len(trail) >= 1
        others = {"seller": s.seller.get("/api/me/ledger"), "eve": s.api.sign_up("eve")}
        others["eve"] = others["eve"].get("/api/me/ledger")
        for name, r in others.items():
            assert "inspection_cost" not in ok(r).__repr__(), name
        assert s.api.anonymous.get("/api/me/ledger").status_code == 401

    requests = s.operator_model.requests
    assert len(requests) == len(trail) >= 1
    assert s.operator_model.authorizations == [f"Bearer {SECRET_FILE_KEY}"] * len(requests)
    expected = 0
    for call, request in zip(trail, requests, strict=True):
        # the scripted server counts words: the tokens recorded are the ones it reported
        words = sum(len(str(m.get("content", "")).split()) for m in request["messages"])
        assert call["prompt_tokens"] == words
        micro = words * PROMPT_PRICE + call["completion_tokens"] * COMPLETION_PRICE
        cents = -(-micro // 1_000_000)  # rounded up per call
        assert cents > 0 and call["charged"] == cents
        expected += cents
    assert done["inspection_cost"] == expected
    assert len(done["bought"]) == 1 and done["spent"] in (300, 200)

    with s.bazaar.store.begin(write=False) as uow:
        costs = [e for e in uow.ledger.entries() if e.kind is EntryKind.INSPECTION_COST]
        house = uow.ledger.balance(HOUSE)
        left = uow.ledger.balance(hold(context_id))
    assert [e.amount_for([HOUSE]) for e in costs] == [c["charged"] for c in trail]
    assert all(e.amount_for([hold(context_id)]) == -e.amount_for([HOUSE]) for e in costs)
    assert house == expected and left == 0  # decided: the rest went back to her cash
    assert s.bazaar.balances(alice.id).cash == 5_000 - done["spent"] - expected
    assert sum(-p["amount"] for e in charged for p in e["postings"] if p["amount"] < 0) == (
        expected
    )
    assert audit(s.bazaar.store) == []


def test_a_legacy_llm_inspection_ends_unread_and_the_migration_goes_down_and_up(
    sql_store: Store, tmp_path: Path
) -> None:
    """Migration 0008: an ``llm`` inspection from before inspectors (a buyer's own endpoint)
    keeps no inspector and ends ``no_agent`` without a request; offline ones become
    ``offline``. Going down refuses while inspection costs are on the books."""
    from sqlalchemy import text

    from volition.bazaar.inspection import InspectionEngine, InspectionLimits
    from volition.bazaar.platform import BuyerAgents
    from volition.bazaar.storage import SqlInspectionRepository
    from volition.bazaar.storage.migrate import downgrade, upgrade

    assert isinstance(sql_store, SqlStore)
    bazaar = Bazaar(sql_store, hasher=CHEAP_HASHER)
    root = bazaar.bootstrap_operator("root", PASSWORD)
    alice = bazaar.register("alice", PASSWORD)
    carol = bazaar.register("carol", PASSWORD, seller=True)
    bazaar.credit(root.id, alice.id, 1_000)
    contexts = [bazaar.post_context(alice.id, ContextSpec(q, budget=300)) for q in "ab"]
    for c in contexts:
        bazaar.post_offer(carol.id, c.id, preview="p", private_info="s", price=100)
    repository = SqlInspectionRepository(sql_store)
    engine = InspectionEngine(
        bazaar,
        BuyerAgents(Inspectors()),
        repository=repository,
        limits=InspectionLimits(max_depth=0, min_offers=1),
    )
    legacy = engine.start(alice.id, contexts[0].id)
    offline = engine.start(alice.id, contexts[1].id)
    with sql_store.engine.begin() as conn:  # as 0007 stored an inspection on her endpoint
        conn.execute(text("UPDATE inspections SET agent = 'llm' WHERE id = :i"), {"i": legacy.id})

    downgrade(sql_store.engine, "0008")
    upgrade(sql_store.engine)
    assert repository.get_inspection(legacy.id).inspector is None  # type: ignore[union-attr]
    assert repository.get_inspection(offline.id).inspector == "offline"  # type: ignore[union-attr]

    with ScriptedOpenAIServer(responder=_buy_the_first_offer) as model:
        inspectors = Inspectors.parse(
            json.dumps([{"name": "mini", "base_url": model.base_url, "model": "m"}])
        )
        engine = InspectionEngine(bazaar, BuyerAgents(inspectors), repository=repository)
        engine.run_until_idle()
    assert model.requests == []
    [node] = engine.nodes(alice.id, legacy.id)
    assert node.outcome is not None and node.outcome.value == "no_agent"
    assert not any(o.inspected for o in _offers(bazaar, contexts[0].id))
    [other] = engine.nodes(alice.id, offline.id)  # the offline one ran as before
    assert other.outcome is not None and other.outcome.value == "bought"
    assert all(o.inspected for o in _offers(bazaar, contexts[1].id))
    assert audit(sql_store) == []

    # an inspection cost on the books: going down would drop its kind, so it refuses
    third = bazaar.post_context(alice.id, ContextSpec("c", budget=50))
    assert bazaar.charge_inspection(alice.id, third.id, 80, idempotency_key="k") == 50
    assert bazaar.charge_inspection(alice.id, third.id, 80, idempotency_key="k") == 50
    assert bazaar.remaining(third.id) == 0
    with pytest.raises(Exception, match=r"(?i)check|constraint|broke"):
        downgrade(sql_store.engine, "0008")
    assert audit(sql_store) == []


def _offers(bazaar: Bazaar, context_id: str) -> list[Any]:
    with bazaar.store.begin(write=False) as uow:
        return list(uow.offers.for_context(context_id))


def test_prices_round_up_per_call() -> None:
    price = Pricing(prompt_cents_per_million=15, completion_cents_per_million=60)
    assert price.cost(0, 0) == 0
    assert price.cost(1, 0) == 1  # 0.000015 cents: rounded up to one
    assert price.cost(1_000_000, 0) == 15
    assert price.cost(1_000_000, 1_000_000) == 75
    assert price.cost(1_000_001, 0) == 16


def test_hostile_inspection_requests_fail_safely(sql_store: Store, tmp_path: Path) -> None:
    """Another buyer's context, malformed and enormous inspector names, a quotable flag that
    is not a boolean, eight racing starts: refused or served once; nothing read, nothing paid
    beyond the budget, the books sound."""
    with site(sql_store, tmp_path) as s:
        alice, mallory = s.api.sign_up("alice"), s.api.sign_up("mallory")
        root = s.bazaar.find_user("root").id
        s.bazaar.credit(root, s.bazaar.find_user("alice").id, 5_000)
        context_id = _context_with_offers(s, alice, 1_000, [300, 200])
        path = f"/api/contexts/{context_id}/inspections"

        theirs = mallory.post(path, json={"inspector": "mini", **FAST})
        assert theirs.status_code == 404  # someone else's context: as if it were not there
        for bad in (7, ["mini"], {"name": "mini"}, "m" * 10_000, "mini\x00", ""):
            r = alice.post(path, json={"inspector": bad, **FAST})
            assert r.status_code == 422, (repr(bad)[:40], r.text[:200])
            assert "m" * 200 not in r.text  # an enormous name is not echoed back whole
        for bad_flag in ("maybe", None, [True], 2):
            body = {"preview": "p", "private_info": "SECRET-x", "price": 10, "quotable": bad_flag}
            r = s.seller.post(f"/api/contexts/{context_id}/offers", json=body)
            assert r.status_code == 422, (bad_flag, r.text[:200])
        assert len(_offers(s.bazaar, context_id)) == 2
        assert s.operator_model.requests == []

        with ThreadPoolExecutor(8) as pool:
            answers = list(
                pool.map(
                    lambda _: alice.post(path, json={"inspector": "mini", **FAST, "min_offers": 2}),
                    range(8),
                )
            )
        started = [r for r in answers if r.status_code == 202]
        assert len({r.json()["id"] for r in started}) == 1, [a.text[:120] for a in answers]
        assert all(r.status_code in (202, 409) for r in answers), [a.text[:120] for a in answers]
        done = _wait_done(alice, started[0].json()["id"])
        assert done["spent"] + done["inspection_cost"] <= 1_000
        assert len(s.operator_model.requests) == done["usage"]["calls"]
    assert audit(s.bazaar.store) == []
