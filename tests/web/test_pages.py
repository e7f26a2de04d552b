"""The web pages over real HTTP: forms, sessions, CSRF, errors on the page, and privacy."""

from __future__ import annotations

import re

import pytest

from tests.support.people import PASSWORD
from tests.support.web import Site, WebClient, csrf_of
from volition.bazaar.domain import ContextSpec
from volition.bazaar.errors import Unauthorized
from volition.bazaar.web.session import CSRF_COOKIE, SESSION_COOKIE

SECRET = "the bridge closes on Tuesday"


def _id_in(location: str, kind: str) -> str:
    match = re.search(rf"/{kind}/([A-Za-z0-9_-]+)", location)
    assert match is not None, location
    return match.group(1)


def _post_context(buyer: WebClient, budget: str = "20.00", query: str = "Will it rain?") -> str:
    r = buyer.submit(
        "/contexts/new",
        "/contexts",
        {"query": query, "budget": budget, "priority": "0.7", "idempotency_key": ""},
    )
    assert r.status_code == 303, r.text
    return _id_in(r.headers["location"], "contexts")


def _post_offer(seller: WebClient, context_id: str, price: str = "2.50") -> None:
    page = f"/contexts/{context_id}"
    data = {"preview": "I know the schedule", "private_info": SECRET, "price": price}
    r = seller.submit(page, f"{page}/offers", data)
    assert r.status_code == 303, r.text


def _offer_id(site: Site, context_id: str) -> str:
    return site.bazaar.offers(None, context_id)[0].id


def _market(site: Site) -> tuple[WebClient, WebClient, str]:
    """A funded buyer with a context and a seller with an offer on it."""
    buyer = site.sign_up("alice")
    site.credit("alice", 10_000)
    seller = site.sign_up("carol", buyer=False, seller=True)
    context_id = _post_context(buyer)
    _post_offer(seller, context_id)
    return buyer, seller, context_id


def test_sign_up_hands_out_an_http_only_same_site_session(site: Site) -> None:
    client = site.client()
    r = client.get("/signup")
    assert "HttpOnly" in r.headers["set-cookie"] and CSRF_COOKIE in r.headers["set-cookie"]
    r = client.post(
        "/signup",
        data={"csrf_token": csrf_of(r.text), "name": "alice", "password": PASSWORD, "buyer": "1"},
    )
    assert r.status_code == 303
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    token = client.cookies[SESSION_COOKIE]
    assert site.bazaar.authenticate(token).name == "alice"  # the API's own bearer token
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    home = client.get("/")
    assert 'data-testid="who">alice<' in home.text and 'data-testid="cash">$0.00<' in home.text


def test_sign_in_with_a_wrong_password_says_so_and_signs_nobody_in(site: Site) -> None:
    site.sign_up("alice")
    client = site.client()
    r = client.submit("/signin", "/signin", {"name": "alice", "password": "not the password"})
    assert r.status_code == 401
    assert "wrong user name or password" in r.text
    assert SESSION_COOKIE not in client.cookies


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(site: Site) -> None:
    site.sign_up("alice")
    client = site.client()
    r = client.get("/me/ledger")
    assert r.status_code == 303 and r.headers["location"] == "/signin?next=/me/ledger"
    data = {"name": "alice", "password": PASSWORD, "next": "/me/ledger"}
    assert client.submit("/signin", "/signin", data).headers["location"] == "/me/ledger"
    other = site.client()
    data["next"] = "//evil.example/phish"
    assert other.submit("/signin", "/signin", data).headers["location"].startswith("/?")


def test_sign_out_revokes_the_token_and_clears_the_cookie(site: Site) -> None:
    client = site.sign_up("alice")
    token = client.cookies[SESSION_COOKIE]
    r = client.submit("/", "/signout", {})
    assert r.status_code == 303
    with pytest.raises(Unauthorized):
        site.bazaar.authenticate(token)
    assert SESSION_COOKIE not in client.cookies
    assert "Sign in" in client.get("/").text


def test_a_stale_session_cookie_is_cleared_and_the_visitor_is_anonymous(site: Site) -> None:
    client = site.sign_up("alice")
    site.bazaar.revoke_token(client.cookies[SESSION_COOKIE])
    r = client.get("/")
    assert r.status_code == 200 and "Sign in" in r.text
    assert SESSION_COOKIE not in client.cookies


@pytest.mark.parametrize("token", ["", "forged-token", "use-the-anonymous-one"])
def test_forms_without_the_right_csrf_token_are_refused_and_change_nothing(
    site: Site, token: str
) -> None:
    buyer = site.sign_up("alice")
    site.credit("alice", 10_000)
    if token == "use-the-anonymous-one":
        token = buyer.cookies[CSRF_COOKIE]  # the pre-sign-in value is not the session's
    r = buyer.post("/contexts", data={"csrf_token": token, "query": "q?", "budget": "5"})
    assert r.status_code == 403
    assert "did not come from this site" in r.text
    me = site.bazaar.find_user("alice")
    assert site.bazaar.contexts(me.id, mine=True) == []
    assert site.bazaar.balances(me.id).cash == 10_000


def test_sign_in_without_the_csrf_cookie_is_refused(site: Site) -> None:
    site.sign_up("alice")
    page = site.client().get("/signin")
    fresh = site.client()  # a form posted from another site: no cookie of ours comes along
    data = {"csrf_token": csrf_of(page.text), "name": "alice", "password": PASSWORD}
    r = fresh.post("/signin", data=data)
    assert r.status_code == 403 and SESSION_COOKIE not in fresh.cookies


def test_posting_a_context_reserves_its_budget(site: Site) -> None:
    buyer = site.sign_up("alice")
    site.credit("alice", 10_000)
    context_id = _post_context(buyer, budget="20.00")
    page = buyer.get(f"/contexts/{context_id}?notice=posted")
    assert "Will it rain?" in page.text and "budget is reserved" in page.text
    assert 'data-testid="remaining">$20.00<' in page.text
    home = buyer.get("/").text
    assert 'data-testid="cash">$80.00<' in home and 'data-testid="reserved">$20.00<' in home
    ledger = buyer.get("/me/ledger").text
    assert "reserve" in ledger and "-$20.00" in ledger


def test_a_budget_over_the_cash_is_refused_on_the_page_and_reserves_nothing(site: Site) -> None:
    buyer = site.sign_up("alice")
    site.credit("alice", 1_000)
    data = {"query": "Will it rain?", "budget": "50.00", "priority": "0.5"}
    r = buyer.submit("/contexts/new", "/contexts", data)
    assert r.status_code == 402
    assert "more than your available cash (1000 cents)" in r.text
    assert "Will it rain?" in r.text  # the form keeps what was typed
    me = site.bazaar.find_user("alice")
    assert site.bazaar.contexts(me.id, mine=True) == []
    assert site.bazaar.balances(me.id).cash == 1_000


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("budget", "ten dollars", "the budget must be an amount such as 12.50"),
        ("priority", "high", "the priority must be a number in [0, 1]"),
        ("priority", "2", "the priority must be a number in [0, 1]"),
        ("query", "   ", "the query is empty"),
        ("pages", "ftp://example.org/x", "is not an http(s) URL"),
    ],
)
def test_bad_context_fields_are_named_on_the_page(
    site: Site, field: str, value: str, message: str
) -> None:
    buyer = site.sign_up("alice")
    site.credit("alice", 10_000)
    data = {"query": "Will it rain?", "budget": "5", "priority": "0.5", field: value}
    r = buyer.submit("/contexts/new", "/contexts", data)
    assert r.status_code == 422
    assert message in r.text.replace("&#39;", "'")


def test_private_info_is_in_the_html_only_for_the_seller_and_then_the_buyer(site: Site) -> None:
    buyer, seller, context_id = _market(site)
    other_buyer = site.sign_up("bob")
    other_seller = site.sign_up("dave", seller=True)
    page = f"/contexts/{context_id}"
    for viewer in (site.client(), buyer, other_buyer, other_seller):
        html = viewer.get(page).text
        assert "I know the schedule" in html and "$2.50" in html
        assert SECRET not in html
    assert SECRET in seller.get(page).text
    assert 'data-testid="buy"' in buyer.get(page).text
    assert 'data-testid="buy"' not in other_buyer.get(page).text
    assert "Offer information" in other_seller.get(page).text  # the seller's form
    assert "Offer information" not in buyer.get(page).text

    offer_id = _offer_id(site, context_id)
    r = buyer.submit(page, f"{page}/offers/{offer_id}/buy", {"idempotency_key": "k1"})
    assert r.status_code == 303
    bought = buyer.get(r.headers["location"])
    assert SECRET in bought.text and "Bought blind" in bought.text
    for viewer in (site.client(), other_buyer, other_seller):
        assert SECRET not in viewer.get(page).text
    purchases = buyer.get("/me/purchases").text
    assert SECRET in purchases and "bought blind (naive market)" in purchases
    assert SECRET not in other_buyer.get("/me/purchases").text
    assert 'data-testid="earnings">$2.50<' in seller.get("/").text
    assert 'data-testid="remaining">$17.50<' in buyer.get(page).text


def test_buying_twice_shows_the_conflict_and_pays_the_seller_once(site: Site) -> None:
    buyer, _, context_id = _market(site)
    page = f"/contexts/{context_id}"
    offer_id = _offer_id(site, context_id)
    r = buyer.submit(page, f"{page}/offers/{offer_id}/buy", {"idempotency_key": "k1"})
    assert r.status_code == 303
    r = buyer.submit(page, f"{page}/offers/{offer_id}/buy", {"idempotency_key": "k2"})
    assert r.status_code == 409
    assert "already bought; it is paid only once" in r.text
    assert site.bazaar.balances(site.bazaar.find_user("carol").id).earnings == 250


def test_a_double_click_on_buy_replays_the_first_purchase(site: Site) -> None:
    buyer, _, context_id = _market(site)
    page = f"/contexts/{context_id}"
    offer_id = _offer_id(site, context_id)
    for _ in range(2):  # the same form sent twice carries the same idempotency key
        r = buyer.submit(page, f"{page}/offers/{offer_id}/buy", {"idempotency_key": "same"})
        assert r.status_code == 303
    assert site.bazaar.balances(site.bazaar.find_user("carol").id).earnings == 250


def test_a_price_over_the_remaining_budget_is_refused_and_moves_no_money(site: Site) -> None:
    buyer = site.sign_up("alice")
    site.credit("alice", 10_000)
    seller = site.sign_up("carol", buyer=False, seller=True)
    context_id = _post_context(buyer, budget="1.00")
    _post_offer(seller, context_id, price="5.00")
    page = f"/contexts/{context_id}"
    offer_id = _offer_id(site, context_id)
    r = buyer.submit(page, f"{page}/offers/{offer_id}/buy", {})
    assert r.status_code == 402
    assert "has only 100 cents of its budget left" in r.text
    assert SECRET not in r.text
    assert site.bazaar.balances(site.bazaar.find_user("carol").id).earnings == 0
    assert site.bazaar.remaining(context_id) == 100


def test_sellers_cannot_buy_and_buyers_cannot_offer(site: Site) -> None:
    buyer, seller, context_id = _market(site)
    page = f"/contexts/{context_id}"
    offer_id = _offer_id(site, context_id)
    r = seller.submit(page, f"{page}/offers/{offer_id}/buy", {})
    assert r.status_code == 403 and "only the buyer who posted the context" in r.text
    data = {"preview": "p", "private_info": "x", "price": "1"}
    r = buyer.submit(page, f"{page}/offers", data)
    assert r.status_code == 403 and "only sellers can post offers" in r.text


def test_a_bad_price_is_shown_with_the_offer_form_kept(site: Site) -> None:
    buyer = site.sign_up("alice")
    site.credit("alice", 10_000)
    seller = site.sign_up("carol", buyer=False, seller=True)
    context_id = _post_context(buyer)
    page = f"/contexts/{context_id}"
    data = {"preview": "my preview", "private_info": SECRET, "price": "-3"}
    r = seller.submit(page, f"{page}/offers", data)
    assert r.status_code == 422 and "a price must be a whole number of cents &gt;= 0" in r.text
    assert "my preview" in r.text and site.bazaar.offers(None, context_id) == []


def test_the_seller_withdraws_an_offer(site: Site) -> None:
    _, seller, context_id = _market(site)
    page = f"/contexts/{context_id}"
    offer_id = _offer_id(site, context_id)
    r = seller.submit(page, f"{page}/offers/{offer_id}/withdraw", {})
    assert r.status_code == 303
    assert "withdrawn" in seller.get(page).text
    assert site.bazaar.offers(None, context_id)[0].status.value == "withdrawn"


def test_cancelling_releases_the_budget(site: Site) -> None:
    buyer, _, context_id = _market(site)
    page = f"/contexts/{context_id}"
    r = buyer.submit(page, f"{page}/cancel", {})
    assert r.status_code == 303
    html = buyer.get(r.headers["location"]).text
    assert 'data-testid="status">cancelled<' in html and 'data-testid="buy"' not in html
    home = buyer.get("/").text
    assert 'data-testid="cash">$100.00<' in home and 'data-testid="reserved">$0.00<' in home
    r = buyer.submit(page, f"{page}/cancel", {})  # the button is gone; a replayed form is refused
    assert r.status_code == 409 and "already cancelled; nothing to release" in r.text
    assert site.bazaar.balances(site.bazaar.find_user("alice").id).cash == 10_000


def test_the_home_page_lists_public_contexts_but_never_follow_ups(site: Site) -> None:
    buyer, _, context_id = _market(site)
    alice = site.bazaar.find_user("alice")
    offer_id = _offer_id(site, context_id)
    spec = ContextSpec(query="Is the follow-up hidden?", budget=100, parent_offer_ids=(offer_id,))
    child = site.bazaar.post_context(alice.id, spec)
    anonymous = site.client().get("/").text
    assert "Will it rain?" in anonymous
    assert "Is the follow-up hidden?" not in anonymous
    assert site.client().get(f"/contexts/{child.id}").status_code == 404
    assert site.sign_up("bob").get(f"/contexts/{child.id}").status_code == 404
    assert "Is the follow-up hidden?" in buyer.get(f"/contexts/{child.id}").text


def test_the_seller_inbox_shows_matched_contexts(site: Site) -> None:
    buyer = site.sign_up("alice")
    site.credit("alice", 10_000)
    seller = site.sign_up("carol", buyer=False, seller=True)
    _post_context(buyer, query="Will the harvest be late?")
    _post_context(buyer, query="Who wins the match?")
    assert "Nothing in your inbox" in seller.get("/inbox").text
    r = seller.submit("/inbox", "/inbox/matchers", {"keywords": "harvest", "min_budget": "1"})
    assert r.status_code == 303
    inbox = seller.get("/inbox").text
    assert "Will the harvest be late?" in inbox and "Who wins the match?" not in inbox
    r = seller.submit("/inbox", "/inbox/matchers", {"keywords": "late", "min_priority": "7"})
    assert r.status_code == 422 and "minimum priority must be in [0, 1]" in r.text
    assert re.search(r'name="min_priority"\s+value="7"', r.text)  # what was typed is kept
    assert re.search(r'name="keywords"\s+value="late"', r.text)
    assert len(site.bazaar.matchers(site.bazaar.find_user("carol").id)) == 1


def test_pages_that_need_an_account_send_visitors_to_sign_in(site: Site) -> None:
    client = site.client()
    for path in ("/contexts/new", "/me/purchases", "/me/ledger", "/inbox"):
        r = client.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/signin?next=")


def test_an_unknown_context_is_a_404_page(site: Site) -> None:
    r = site.client().get("/contexts/ctx_nope")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert "there is no context ctx_nope" in r.text


def test_text_from_users_is_escaped(site: Site) -> None:
    buyer = site.sign_up("alice")
    site.credit("alice", 10_000)
    context_id = _post_context(buyer, query="<script>alert(1)</script>")
    html = site.client().get(f"/contexts/{context_id}").text
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_pages_forbid_framing_and_caching(site: Site) -> None:
    r = site.client().get("/")
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"
    css = site.client().get("/static/bazaar.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_the_pages_stay_out_of_the_api_schema(site: Site) -> None:
    paths = site.client().get("/api/openapi.json").json()["paths"]
    assert paths and all(p.startswith("/api/") for p in paths)


def test_a_context_with_pages_an_expiry_and_named_sellers(site: Site) -> None:
    buyer = site.sign_up("alice")
    site.credit("alice", 10_000)
    named = site.sign_up("carol", buyer=False, seller=True)
    other = site.sign_up("dave", buyer=False, seller=True)
    data = {
        "query": "Is the report right?",
        "budget": "5",
        "pages": "https://example.org/report\nhttps://example.org/data",
        "sellers": "carol",
        "expires": "30",
    }
    r = buyer.submit("/contexts/new", "/contexts", data)
    assert r.status_code == 303
    page = r.headers["location"].split("?")[0]
    html = buyer.get(page).text
    assert 'href="https://example.org/report" rel="noopener noreferrer nofollow"' in html
    assert "Expires" in html
    assert "Offer information" in named.get(page).text
    assert "Offer information" not in other.get(page).text
    offer = {"preview": "p", "private_info": "x", "price": "1"}
    r = other.submit(page, f"{page}/offers", offer)
    assert r.status_code == 403 and "open only to the sellers it names" in r.text
    context_id = _id_in(page, "contexts")
    assert site.bazaar.offers(None, context_id) == []
    assert site.bazaar.context(None, context_id).expires_at is not None
