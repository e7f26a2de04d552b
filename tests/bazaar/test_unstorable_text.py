"""Text no store can keep (NUL, lone surrogates) is a 422 naming the field, on SQLite and
PostgreSQL alike, in JSON bodies, web forms and URLs (issue 10); before, PostgreSQL refused
a NUL inside the transaction and the caller got a 503."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.api import ok
from tests.support.bazaar import ApiWorld
from tests.support.databases import SQL_KINDS, StoreFactory
from tests.support.people import CHEAP_HASHER, PASSWORD
from tests.support.web import WebClient
from volition.bazaar.api import ApiSettings
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.domain import Bazaar, ContextSpec, MemoryStore
from volition.bazaar.domain.checks import check_text, unstorable
from volition.bazaar.platform import assemble
from volition.bazaar.secretbox import ENV_VAR, new_key
from volition.bazaar.server import build_app
from volition.errors import InputError

ON_SQL = pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
NUL = "\x00"
SURROGATE = "\ud800"


@pytest.fixture(autouse=True)
def master_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, new_key())  # the LLM credentials route encrypts


# ------------------------------------------------------------------ the one check


@given(st.text(), st.sampled_from([NUL, SURROGATE, "\udfff"]), st.text())
def test_text_with_nul_or_a_lone_surrogate_is_refused(before: str, bad: str, after: str) -> None:
    text = before + bad + after
    problem = unstorable(text)
    assert problem is not None
    first = min(i for i, c in enumerate(text) if c == NUL or 0xD800 <= ord(c) <= 0xDFFF)
    assert f"at character {first + 1};" in problem
    with pytest.raises(InputError, match="the query contains"):
        check_text(text + "x", "the query", 10**6)


@given(st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters=NUL)))
def test_any_other_text_passes(text: str) -> None:
    assert unstorable(text) is None
    assert text.encode("utf-8").decode("utf-8") == text  # UTF-8 text, which PostgreSQL takes


def test_the_domain_refuses_it_whatever_the_door() -> None:
    bazaar = Bazaar(MemoryStore(), hasher=CHEAP_HASHER)
    with pytest.raises(InputError, match="the password contains a NUL"):
        bazaar.register("alice", f"{PASSWORD}{NUL}")
    bazaar.register("alice", PASSWORD)
    with pytest.raises(InputError, match="the user name contains a NUL"):
        bazaar.issue_token(f"alice{NUL}", PASSWORD)
    with pytest.raises(InputError, match="the password contains a lone surrogate"):
        bazaar.issue_token("alice", SURROGATE)


# ------------------------------------------------------------------ JSON bodies


def _send(client: httpx.Client, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
    # json.dumps escapes a lone surrogate as \ud800, which the server decodes back to one
    content = json.dumps(body)
    headers = {"Content-Type": "application/json"}
    return client.request(method, path, content=content, headers=headers)


def _assert_refused(r: httpx.Response, field: str, kind: str = "NUL character") -> None:
    assert r.status_code == 422, (r.status_code, r.text)
    message = r.json()["message"]
    assert message.startswith(f"{field}: the text"), message
    assert kind in message and "remove it" in message


def _assert_page_refused(r: httpx.Response, field: str) -> None:
    """A web form's refusal: the HTML error page naming the field and what to do."""
    assert r.status_code == 422, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("text/html")
    assert f"{field}: the text" in r.text
    assert "NUL character" in r.text and "remove it" in r.text


@ON_SQL
def test_every_json_text_field_refuses_it(w: ApiWorld) -> None:
    ctx = ok(w.buyer.post("/api/contexts", json={"query": "Will it rain?", "budget": 500}), 201)
    anonymous = w.api.anonymous
    bot = {"name": "checker", "kind": "fixed", "price": 10, "preview": "p", "private_info": "s"}
    cases: list[tuple[httpx.Client, str, str, dict[str, Any], str]] = [
        (anonymous, "POST", "/api/users", {"name": f"eve{NUL}", "password": PASSWORD}, "name"),
        (anonymous, "POST", "/api/users", {"name": "eve", "password": PASSWORD + NUL}, "password"),
        (anonymous, "POST", "/api/tokens", {"name": f"alice{NUL}", "password": PASSWORD}, "name"),
        (anonymous, "POST", "/api/tokens", {"name": "alice", "password": SURROGATE}, "password"),
        (w.buyer, "POST", "/api/contexts", {"query": f"rain{NUL}?", "budget": 5}, "query"),
        (
            w.buyer,
            "POST",
            "/api/contexts",
            {"query": "q", "budget": 5, "pages": [SURROGATE]},
            "pages",
        ),
        (
            w.buyer,
            "POST",
            "/api/contexts",
            {"query": "q", "budget": 5, "named_sellers": [f"carol{NUL}"]},
            "named_sellers",
        ),
        (
            w.seller,
            "POST",
            f"/api/contexts/{ctx['id']}/offers",
            {"preview": f"radar{NUL}", "private_info": "x", "price": 10},
            "preview",
        ),
        (
            w.seller,
            "POST",
            f"/api/contexts/{ctx['id']}/offers",
            {"preview": "radar", "private_info": f"x{SURROGATE}", "price": 10},
            "private_info",
        ),
        (w.seller, "POST", "/api/me/matchers", {"keywords": ["rain", f"we{NUL}ather"]}, "keywords"),
        (w.seller, "POST", "/api/bots", {**bot, "name": f"c{NUL}"}, "name"),
        (w.seller, "POST", "/api/bots", {**bot, "private_info": NUL}, "private_info"),
        (w.seller, "POST", "/api/bots", {**bot, "keywords": [f"r{NUL}"]}, "keywords"),
        (
            w.seller,
            "PUT",
            "/api/me/llm",
            {"base_url": "http://127.0.0.1:9/v1", "model": "m", "api_key": f"sk{NUL}"},
            "api_key",
        ),
        (w.operator, "POST", "/api/operator/credits", {"user": f"alice{NUL}", "cents": 5}, "user"),
    ]
    for client, method, path, body, field in cases:
        kind = "lone surrogate" if SURROGATE in json.dumps(body, ensure_ascii=False) else "NUL"
        _assert_refused(_send(client, method, path, body), field, kind)
    # nothing was stored, and the same requests with clean text go through
    assert [c["id"] for c in ok(w.buyer.get("/api/contexts?mine=true"))] == [ctx["id"]]
    offer = {"preview": "radar", "private_info": "x", "price": 10}
    ok(w.seller.post(f"/api/contexts/{ctx['id']}/offers", json=offer), 201)
    ok(w.seller.post("/api/bots", json=bot), 201)


@ON_SQL
def test_a_nul_in_the_url_is_refused_before_any_lookup(w: ApiWorld) -> None:
    for path in ("/api/contexts/ctx%00x", "/api/contexts?status=%00"):
        r = w.buyer.get(path)
        assert r.status_code == 422, (path, r.text)
        assert "NUL character" in r.json()["message"]
    r = w.buyer.get("/contexts/ctx%00")  # a web page: the error page says it in words
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "NUL character" in r.text
    assert w.buyer.get("/api/contexts/ctx_nope").status_code == 404  # the routes still answer


# ------------------------------------------------------------------ web forms


@pytest.fixture
def site(store_factory: StoreFactory) -> Iterator[tuple[str, Bazaar]]:
    bazaar = Bazaar(store_factory(), hasher=CHEAP_HASHER)
    bazaar.register("alice", PASSWORD, buyer=True)
    bazaar.register("carol", PASSWORD, buyer=False, seller=True)
    with serve_in_thread(build_app(assemble(bazaar), ApiSettings(expiry_sweep_seconds=0))) as url:
        yield url, bazaar


def _signed_in(url: str, name: str) -> WebClient:
    page = WebClient(base_url=url, timeout=30)
    r = page.submit("/signin", "/signin", {"name": name, "password": PASSWORD})
    assert r.status_code == 303, r.text
    return page


@ON_SQL
def test_every_web_form_field_refuses_it(site: tuple[str, Bazaar]) -> None:
    url, bazaar = site
    anonymous = WebClient(base_url=url, timeout=30)
    buyer, seller = _signed_in(url, "alice"), _signed_in(url, "carol")
    alice = bazaar.find_user("alice")
    bazaar.credit(bazaar.bootstrap_operator("root", PASSWORD).id, alice.id, 1_000)
    ctx = bazaar.post_context(alice.id, ContextSpec("Will it rain?", 500))
    bot = {"name": "checker", "preview": "p", "private_info": "s", "price": "0.10"}
    cases: list[tuple[WebClient, str, str, dict[str, str], str]] = [
        (anonymous, "/signup", "/signup", {"name": f"eve{NUL}", "password": PASSWORD}, "name"),
        (anonymous, "/signup", "/signup", {"name": "eve", "password": NUL + PASSWORD}, "password"),
        (anonymous, "/signin", "/signin", {"name": f"alice{NUL}", "password": PASSWORD}, "name"),
        (anonymous, "/signin", "/signin", {"name": "alice", "password": f"x{NUL}"}, "password"),
        (buyer, "/contexts/new", "/contexts", {"query": f"rain{NUL}", "budget": "1"}, "query"),
        (
            seller,
            f"/contexts/{ctx.id}",
            f"/contexts/{ctx.id}/offers",
            {"preview": f"radar{NUL}", "private_info": "x", "price": "0.10"},
            "preview",
        ),
        (
            seller,
            f"/contexts/{ctx.id}",
            f"/contexts/{ctx.id}/offers",
            {"preview": "radar", "private_info": f"x{NUL}", "price": "0.10"},
            "private_info",
        ),
        (seller, "/inbox", "/inbox/matchers", {"keywords": f"rain, we{NUL}ather"}, "keywords"),
        (seller, "/bots", "/bots", {**bot, "name": f"c{NUL}"}, "name"),
        (seller, "/bots", "/bots", {**bot, "private_info": f"s{NUL}"}, "private_info"),
    ]
    for client, page, action, data, field in cases:
        _assert_page_refused(client.submit(page, action, data), field)
    assert bazaar.offers(alice.id, ctx.id) == []  # nothing half-done
    assert [c.id for c in bazaar.contexts(alice.id, mine=True)] == [ctx.id]
    r = seller.submit("/bots", "/bots", bot)  # clean text goes through
    assert r.status_code == 303, r.text
