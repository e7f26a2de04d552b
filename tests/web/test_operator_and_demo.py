"""The operator's page, and the demo's data through every page."""

from __future__ import annotations

import re

from tests.support.people import PASSWORD
from tests.support.web import Site
from volition.bazaar.demo import DEMO_LOGINS, seed_demo


def test_the_operator_credits_a_user_and_the_books_balance(site: Site) -> None:
    site.sign_up("alice")
    root = site.client()
    root.submit("/signin", "/signin", {"name": "root", "password": PASSWORD})
    page = root.get("/operator")
    assert page.status_code == 200 and "no problems found" in page.text
    r = root.submit("/operator", "/operator/credits", {"user": "alice", "amount": "12.34"})
    assert r.status_code == 303
    assert site.bazaar.balances(site.bazaar.find_user("alice").id).cash == 1234
    r = root.submit("/operator", "/operator/credits", {"user": "nobody", "amount": "1"})
    assert r.status_code == 404 and "there is no user &#39;nobody&#39;" in r.text


def test_nobody_else_may_credit_or_see_the_operator_page(site: Site) -> None:
    alice = site.sign_up("alice")
    assert alice.get("/operator").status_code == 403
    r = alice.submit("/", "/operator/credits", {"user": "alice", "amount": "1000"})
    assert r.status_code == 403 and "only an operator can credit money" in r.text
    assert site.bazaar.balances(site.bazaar.find_user("alice").id).cash == 0
    assert "Operator</a>" not in alice.get("/").text
    # the same answer whether the name exists or not: the role is checked first
    other = alice.submit("/", "/operator/credits", {"user": "nobody", "amount": "1000"})
    assert (other.status_code, other.text) == (r.status_code, r.text)


def test_every_page_renders_the_demo(site: Site) -> None:
    seed_demo(site.bazaar)
    anonymous = site.client()
    home = anonymous.get("/")
    ids = set(re.findall(r'href="/contexts/(ctx_[A-Za-z0-9_-]+)"', home.text))
    assert ids
    for login in DEMO_LOGINS:
        client = site.client()
        r = client.submit("/signin", "/signin", {"name": login.name, "password": login.password})
        assert r.status_code == 303, login.name
        for path in (
            "/",
            "/me/purchases",
            "/me/ledger",
            "/inbox",
            *(f"/contexts/{i}" for i in ids),
        ):
            assert client.get(path).status_code == 200, (login.name, path)
    for i in ids:
        assert anonymous.get(f"/contexts/{i}").status_code == 200
