"""Pages a person can read: the site's icon, HTML error pages for forms, plain words for costs."""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from tests.support.people import PASSWORD
from tests.support.web import Site, csrf_of
from volition.bazaar.domain import ContextSpec
from volition.bazaar.web.wording import count, inspector_usage


def test_the_favicon_is_served_as_an_image_and_linked_from_every_page(site: Site) -> None:
    client = site.client()
    for path in ("/favicon.ico", "/static/favicon.svg"):
        r = client.get(path)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("image/")
        assert r.content.lstrip().startswith(b"<svg")
    home = client.get("/").text
    assert '<link rel="icon" href="/static/favicon.svg"' in home


NUL = "\x00"
HUGE = "q" * 300_000  # over the default body limit of 256 KiB


def _is_error_page(r: httpx.Response, status: int, *words: str) -> str:
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("text/html"), r.headers["content-type"]
    page = r.text
    assert '<header class="top">' in page and "<h1>" in page  # the site's layout, a heading
    assert '<a href="/">Back to the open contexts</a>' in page
    for word in words:
        assert word in page, word
    return page


def test_a_form_too_large_to_read_gets_the_error_page(site: Site) -> None:
    buyer = site.sign_up("alice")
    site.credit("alice", 10_000)
    data = {"query": HUGE, "budget": "1.00", "priority": "0.5"}
    page = _is_error_page(
        buyer.submit("/contexts/new", "/contexts", data), 413, "That form was too large"
    )
    assert "the request body is over 262144 bytes; send less" in page
    assert 'data-testid="who">alice<' in page  # still signed in, in the header

    def chunks() -> Iterator[bytes]:  # no Content-Length: refused while it is read
        yield b"query="
        for _ in range(40):
            yield b"q" * 10_000

    r = buyer.post(
        "/contexts",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    _is_error_page(r, 413, "That form was too large", "send less")
    assert site.bazaar.contexts(site.bazaar.find_user("alice").id, mine=True) == []


def test_a_nul_in_a_form_field_gets_the_error_page_naming_the_field(site: Site) -> None:
    buyer = site.sign_up("alice")
    token = csrf_of(buyer.get("/contexts/new").text)
    r = buyer.post(
        "/contexts",
        data={"csrf_token": token, "query": f"rain{NUL}", "budget": "1"},
        headers={"Referer": f"{site.url}/contexts/new"},  # as a browser sends it
    )
    page = _is_error_page(r, 422, "That form could not be read", "query: the text")
    assert "NUL character" in page
    assert 'href="/contexts/new" data-testid="back"' in page  # the link back to the form
    _is_error_page(site.client().get("/contexts/ctx%00"), 422, "NUL character")
    _is_error_page(site.client().get("/no/such/page"), 404, "There is no such page")


def test_the_api_keeps_answering_errors_in_json(site: Site) -> None:
    client = site.client()
    token = client.post("/api/tokens", json={"name": "root", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}", "Accept": "text/html"}
    r = client.post("/api/contexts", json={"query": HUGE, "budget": 1}, headers=headers)
    assert r.status_code == 413 and r.json()["error"] == "too_large"
    r = client.post("/api/contexts", json={"query": f"rain{NUL}", "budget": 1}, headers=headers)
    assert r.status_code == 422 and "NUL character" in r.json()["message"]
    r = client.get("/api/contexts/ctx%00", headers=headers)
    assert r.status_code == 422 and r.json()["error"] == "invalid_input"
    assert client.get("/api/no/such", headers=headers).json()["error"] == "not_found"


def test_an_inspectors_usage_is_said_in_words() -> None:
    assert inspector_usage(3, 0, 0, offline=True) == (
        "3 agent calls · offline inspector: no tokens, no cost"
    )
    assert inspector_usage(1, 12_345, 207, offline=False) == (
        "1 agent call · inspector's tokens: 12,345, cost $2.07 (paid from the budget)"
    )
    # tokens too few to cost a cent: the tokens are still counted, the cost is none
    assert inspector_usage(2, 40, 0, offline=False) == (
        "2 agent calls · inspector's tokens: 40, no cost"
    )
    assert count(0, "agent call") == "no agent calls"


def test_your_contexts_lists_what_you_posted_not_your_inspectors_follow_ups(site: Site) -> None:
    buyer = site.sign_up("alice")
    site.sign_up("carol", buyer=False, seller=True)
    site.credit("alice", 10_000)
    bazaar = site.bazaar
    alice, carol = bazaar.find_user("alice"), bazaar.find_user("carol")
    root = bazaar.post_context(alice.id, ContextSpec("Rain in Bergen tomorrow?", budget=500))
    offer = bazaar.post_offer(
        carol.id, root.id, preview="radar", private_info="radar says yes", price=100
    )
    own = bazaar.post_context(
        alice.id, ContextSpec("Her own follow-up?", budget=50, parent_offer_ids=(offer.id,))
    )
    engine_s = bazaar.post_context(
        alice.id,
        ContextSpec(
            "The inspector's follow-up?", budget=50, parent_offer_ids=(offer.id,), by_inspector=True
        ),
    )
    home = buyer.get("/").text
    mine = home[home.index('data-testid="my-contexts"') :]
    assert root.id in mine and own.id in mine
    assert engine_s.id not in mine and "inspector&#39;s follow-up" not in mine


SCRIPT = "<script>alert('pwned')</script>"


def test_the_error_page_escapes_what_it_quotes_and_links_back_only_on_site(site: Site) -> None:
    """A hostile form: markup in a field the error quotes, a Referer off the site or to a
    ``javascript:`` URL. The page shows the words escaped, and never links off the site."""
    buyer = site.sign_up("mallory")
    cases = (
        {"query": "q?", "budget": SCRIPT, "priority": "0.5"},  # the form's own error
        {"query": SCRIPT + NUL, "budget": "1.00", "priority": "0.5"},  # the error page
    )
    for data in cases:
        for referer in (
            "https://evil.example/contexts/new",
            "javascript:alert(1)",
            f"{site.url}//evil.example/x",
        ):
            token = csrf_of(buyer.get("/contexts/new").text)
            body = {"csrf_token": token, **data}
            r = buyer.post("/contexts", data=body, headers={"Referer": referer})
            assert r.status_code in (400, 422), r.text[:300]
            assert r.headers["content-type"].startswith("text/html")
            assert SCRIPT not in r.text and "<script>alert" not in r.text
            assert "evil.example" not in r.text and "javascript:" not in r.text, referer
    token = csrf_of(buyer.get("/contexts/new").text)
    back = buyer.post(
        "/contexts",
        data={"csrf_token": token, **cases[1]},
        headers={"Referer": f"{site.url}/me/ledger"},
    )
    assert 'href="/me/ledger" data-testid="back"' in back.text  # the same site: one link back
    assert site.bazaar.contexts(site.bazaar.find_user("mallory").id, mine=True) == []
