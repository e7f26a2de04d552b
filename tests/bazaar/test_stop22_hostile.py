"""Hostile visits, over real HTTP, to what stop 22 changed: the busy routes' work on the event
loop, their caller read in one dependency, and sign-in tokens kept per process on PostgreSQL.

Two servers on one PostgreSQL database stand for two server processes (each keeps its own
tokens). Tried: another user's ids with kept tokens, many users at once on both servers (no
kept token answers for another user), sign-outs racing requests, zero, negative, huge and
non-integer amounts, malformed and enormous ``Authorization`` headers, a seller's own LLM
endpoint that hangs while the busy routes must keep answering, and a query quoting private
info bought by someone else, asked through the other server.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.api import Api, ok
from tests.support.people import CHEAP_HASHER
from tests.support.servers import wait_for
from tests.support.two_servers import TwoServers, kept_on_both, sign_in
from volition.agents.scripted_server import Reply, ScriptedOpenAIServer
from volition.bazaar.api import ApiSettings
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.domain import Bazaar, MemoryStore, audit
from volition.bazaar.platform import assemble
from volition.bazaar.secretbox import ENV_VAR, new_key
from volition.bazaar.server import build_app


def _funded(servers: TwoServers, name: str, cents: int = 10_000) -> dict[str, str]:
    headers = sign_in(servers.one, name, ["buyer", "seller"])
    bazaar = servers.first
    root = bazaar.find_user("root") if _has(bazaar, "root") else None
    if root is None:
        root = bazaar.bootstrap_operator("root", "root password 1")
    bazaar.credit(root.id, bazaar.find_user(name).id, cents)
    return headers


def _has(bazaar: Bazaar, name: str) -> bool:
    try:
        bazaar.find_user(name)
    except Exception:
        return False
    return True


def _cash(bazaar: Bazaar, name: str) -> int:
    return bazaar.balances(bazaar.find_user(name).id).cash


def test_kept_tokens_never_open_another_users_ids(two_pg_servers: TwoServers) -> None:
    servers = two_pg_servers
    one, other = servers.one, servers.other
    alice, bob, carol = (_funded(servers, n) for n in ("alice", "bob", "carol"))
    for who in (alice, bob, carol):  # every token checked, and kept, by both servers
        assert one.get("/me", headers=who).status_code == 200
        assert other.get("/me", headers=who).status_code == 200
    ctx = ok(one.post("/contexts", headers=alice, json={"query": "rain?", "budget": 500}), 201)
    body = {"preview": "radar", "private_info": "SECRET-7 rain at 3", "price": 100}
    offer = ok(other.post(f"/contexts/{ctx['id']}/offers", headers=bob, json=body), 201)
    ok(other.post(f"/offers/{offer['id']}/purchase", headers=alice), 201)
    # carol, kept on both servers, reads nothing of it and changes nothing
    for client in (one, other):
        seen = client.get(f"/offers/{offer['id']}", headers=carol)
        assert seen.status_code in (200, 403, 404) and "SECRET-7" not in seen.text
        listed = client.get(f"/contexts/{ctx['id']}/offers", headers=carol)
        assert "SECRET-7" not in listed.text
        assert client.post(f"/offers/{offer['id']}/purchase", headers=carol).status_code in (
            403,
            404,
            409,
        )
        assert client.post(f"/contexts/{ctx['id']}/cancel", headers=carol).status_code == 403
        assert client.post(f"/contexts/{ctx['id']}/decide", headers=bob).status_code == 403
        mine = ok(client.get("/contexts", headers=carol, params={"mine": "true"}))
        assert mine == []
    assert ok(one.get(f"/offers/{offer['id']}", headers=alice))["private_info"].startswith(
        "SECRET-7"
    )
    assert _cash(servers.first, "carol") == 10_000
    assert audit(servers.first.store) == []


def test_many_users_at_once_on_both_servers_each_get_their_own_answer(
    two_pg_servers: TwoServers,
) -> None:
    servers = two_pg_servers
    names = [f"user{i}" for i in range(6)]
    tokens = {n: sign_in(servers.one, n, ["buyer"]) for n in names}
    calls = [(c, n) for n in names for c in (servers.one, servers.other) for _ in range(15)]

    def who(call: tuple[httpx.Client, str]) -> tuple[str, str]:
        client, name = call
        r = client.get("/me", headers=tokens[name])
        assert r.status_code == 200, r.text
        return name, r.json()["name"]

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(who, calls))
    assert all(asked == answered for asked, answered in answers)
    assert len(answers) == len(calls)


def test_a_sign_out_racing_requests_on_the_other_server_ends_with_401_for_good(
    two_pg_servers: TwoServers,
) -> None:
    one, other = two_pg_servers.one, two_pg_servers.other
    alice, bob = kept_on_both(two_pg_servers, "alice", "bob")
    statuses: list[int] = []

    def hammer() -> None:
        for _ in range(40):
            statuses.append(other.get("/me", headers=alice).status_code)

    with ThreadPoolExecutor(4) as pool:
        running = [pool.submit(hammer) for _ in range(3)]
        time.sleep(0.05)
        assert one.delete("/tokens/current", headers=alice).status_code == 204
        for job in running:
            job.result()
    assert set(statuses) <= {200, 401}  # never a 5xx, never another user's answer
    wait_for(lambda: other.get("/me", headers=alice).status_code == 401, "the sign-out heard")
    assert all(other.get("/me", headers=alice).status_code == 401 for _ in range(20))
    assert one.delete("/tokens/current", headers=alice).status_code == 401  # signed out once
    assert other.get("/me", headers=bob).status_code == 200


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        ("/contexts", "budget", 0),
        ("/contexts", "budget", -1),
        ("/contexts", "budget", 10**12 + 1),
        ("/contexts", "budget", 10**30),
        ("/contexts", "budget", 1.5),
        ("/contexts", "budget", "100"),
        ("/contexts", "budget", None),
        ("offers", "price", -1),
        ("offers", "price", 10**30),
        ("offers", "price", 2.5),
        ("offers", "bid", -5),
    ],
)
def test_bad_amounts_on_the_inline_routes_move_no_money(
    two_pg_servers: TwoServers, path: str, field: str, value: Any
) -> None:
    servers = two_pg_servers
    alice = _funded(servers, "alice")
    bob = sign_in(servers.one, "bob", ["seller"])
    ctx = ok(servers.one.post("/contexts", headers=alice, json={"query": "q?", "budget": 400}), 201)
    before = _cash(servers.first, "alice")
    if path == "/contexts":
        body: dict[str, Any] = {"query": "rain?", "budget": 400, field: value}
        r = servers.other.post("/contexts", headers=alice, json=body)
    else:
        body = {"preview": "p", "private_info": "s", "price": 100, field: value}
        r = servers.other.post(f"/contexts/{ctx['id']}/offers", headers=bob, json=body)
    if field == "budget" and value == 0:  # a context with nothing to spend: allowed or refused
        assert r.status_code in (201, 422), r.text
    else:
        assert r.status_code == 422, r.text
        assert field in r.text  # the error names what is wrong
    if r.status_code == 422:
        assert _cash(servers.first, "alice") == before
        assert len(ok(servers.one.get("/contexts", headers=alice, params={"mine": "true"}))) == 1
        assert ok(servers.one.get(f"/contexts/{ctx['id']}/offers", headers=alice)) == []
    assert audit(servers.first.store) == []


def test_malformed_and_enormous_authorization_headers_are_refused_and_never_kept(
    two_pg_servers: TwoServers,
) -> None:
    servers = two_pg_servers
    alice = sign_in(servers.one, "alice", ["buyer"])
    other = servers.other
    assert other.get("/me", headers=alice).status_code == 200
    cache = servers.second.token_cache
    assert cache is not None and len(cache) == 1
    token = alice["Authorization"].removeprefix("Bearer ")
    headers: list[list[tuple[str, str | bytes]]] = [
        [("Authorization", token)],  # no scheme
        [("Authorization", f"Basic {token}")],
        [("Authorization", f"Bearer  {token} extra")],
        [("Authorization", "Bearer " + "A" * 60_000)],  # enormous
        [("Authorization", "Bearer \u00e9t\u00e9".encode())],  # not ASCII
        [("Authorization", "Bearer %00")],
        [("Authorization", "Bearer x"), ("Authorization", alice["Authorization"])],  # two
    ]
    for given in headers:
        for method, path in (("GET", "/me"), ("GET", "/contexts?mine=true")):
            r = other.request(method, path, headers=httpx.Headers(given))
            assert r.status_code in (400, 401, 431), (given[0][1][:30], r.status_code)
            assert r.status_code < 500
            assert "alice" not in r.text
    assert len(cache) == 1  # nothing new kept
    assert other.get("/me", headers=alice).json()["name"] == "alice"


@pytest.mark.parametrize("may_quote", [False, True])
def test_a_query_quoting_bought_private_info_is_withheld_on_both_servers(
    two_pg_servers: TwoServers, may_quote: bool
) -> None:
    """Alice buys carol's offer blind (never inspected) and asks mallory, in a follow-up about
    it, a question quoting its private info. Carol refused quotation: mallory sees a notice,
    on either server, never the secret (before stop 22's fix she saw the query whole)."""
    servers = two_pg_servers
    one, other = servers.one, servers.other
    alice = _funded(servers, "alice")
    carol = sign_in(one, "carol", ["seller"])
    mallory = sign_in(one, "mallory", ["seller"])
    assert other.get("/me", headers=mallory).status_code == 200  # kept there
    ctx = ok(one.post("/contexts", headers=alice, json={"query": "rain?", "budget": 800}), 201)
    body = {"preview": "radar", "private_info": "SECRET-G 4417", "price": 100}
    offer = ok(
        one.post(
            f"/contexts/{ctx['id']}/offers", headers=carol, json={**body, "quotable": may_quote}
        ),
        201,
    )
    ok(one.post(f"/offers/{offer['id']}/purchase", headers=alice), 201)
    follow = {
        "query": "Someone says SECRET-G 4417: is that so?",
        "budget": 200,
        "parent_offer_ids": [offer["id"]],
        "named_sellers": ["mallory"],
    }
    child = ok(other.post("/contexts", headers=alice, json=follow), 201)["id"]
    for client in (one, other):
        seen = ok(client.get(f"/contexts/{child}", headers=mallory))
        assert seen["disclosure"] == ("full" if may_quote else "withheld")
        assert ("SECRET-G" in seen["query"]) is may_quote
        inbox = client.get("/me/inbox", headers=mallory)
        assert inbox.status_code == 200 and ("SECRET-G" in inbox.text) <= may_quote
        for path in ("/contexts", "/contexts?status=open", f"/offers/{offer['id']}"):
            assert "SECRET-G" not in client.get(path, headers=mallory).text, path
        mine = ok(client.get(f"/contexts/{child}", headers=alice))  # her own: whole
        assert "SECRET-G" in mine["query"] and mine["disclosure"] == "full"


def test_a_sellers_own_endpoint_that_hangs_never_stops_the_busy_routes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The inspections and bots run beside the server (run_inspections): the seller's LLM bot
    is asked by the dispatcher's thread, never in a request's inline work."""
    monkeypatch.setenv(ENV_VAR, new_key())
    bazaar = Bazaar(MemoryStore(), hasher=CHEAP_HASHER)
    root = bazaar.bootstrap_operator("root", "root password 1")
    settings = ApiSettings(expiry_sweep_seconds=0)  # inspections and bots run in this process
    with (
        ScriptedOpenAIServer(responder=lambda _body: Reply('{"offer": false}', delay=4.0)) as llm,
        serve_in_thread(build_app(assemble(bazaar), settings)) as url,
    ):
        api = Api(url)
        buyer = api.sign_up("alice", ("buyer",))
        seller = api.sign_up("bob", ("seller",))
        bazaar.credit(root.id, bazaar.find_user("alice").id, 5_000)
        key = {"base_url": llm.base_url, "model": "m", "api_key": "sk-test-0123456789"}
        ok(seller.put("/api/me/llm", json=key))
        bot = {"name": "slow", "kind": "llm", "price": 50, "instructions": "answer"}
        ok(seller.post("/api/bots", json=bot), 201)
        ok(buyer.post("/api/contexts", json={"query": "Will it rain?", "budget": 500}), 201)
        wait_for(lambda: len(llm.requests) >= 1, "the bot asked", timeout=15)
        started = time.monotonic()  # the bot's call now hangs for 4 s
        for _ in range(5):
            ok(buyer.get("/api/me"))
            ok(seller.get("/api/contexts"))
            ok(buyer.post("/api/contexts", json={"query": "Snow?", "budget": 10}), 201)
        assert time.monotonic() - started < 2.0  # answered while the endpoint hangs
        api.close()
    assert audit(bazaar.store) == []


@pytest.mark.parametrize("store_factory", ["memory", "sqlite"], indirect=True)
def test_the_quotation_rule_holds_on_every_store(store_factory: Any) -> None:
    """The same story as above on the memory and SQLite stores (one server)."""
    bazaar = Bazaar(store_factory(), hasher=CHEAP_HASHER)
    root = bazaar.bootstrap_operator("root", "root password 1")
    settings = ApiSettings(run_inspections=False, expiry_sweep_seconds=0)
    with serve_in_thread(build_app(assemble(bazaar), settings)) as url:
        api = Api(url)
        alice, carol = api.sign_up("alice", ("buyer",)), api.sign_up("carol", ("seller",))
        mallory = api.sign_up("mallory", ("seller",))
        bazaar.credit(root.id, bazaar.find_user("alice").id, 5_000)
        ctx = ok(alice.post("/api/contexts", json={"query": "rain?", "budget": 800}), 201)
        body = {
            "preview": "radar",
            "private_info": "SECRET-G 4417",
            "price": 100,
            "quotable": False,
        }
        offer = ok(carol.post(f"/api/contexts/{ctx['id']}/offers", json=body), 201)
        ok(alice.post(f"/api/offers/{offer['id']}/purchase"), 201)
        follow = {
            "query": "Someone says SECRET-G 4417: is that so?",
            "budget": 200,
            "parent_offer_ids": [offer["id"]],
            "named_sellers": ["mallory"],
        }
        child = ok(alice.post("/api/contexts", json=follow), 201)["id"]
        seen = ok(mallory.get(f"/api/contexts/{child}"))
        assert seen["disclosure"] == "withheld" and "SECRET-G" not in str(seen)
        assert "SECRET-G" not in mallory.get("/api/me/inbox").text
        api.close()
