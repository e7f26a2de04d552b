"""A buyer and a seller complete a blind purchase through the pages, in headless Chromium.

Playwright drives Debian's ``chromium`` (never a downloaded browser build) against uvicorn on
127.0.0.1. Both people browse with JavaScript off: the pages work as plain HTML forms. Each
page visited is saved as a screenshot (under ``$VOLITION_SCREENSHOTS`` when set, else a tmp
folder).
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.support.browser import PNG_SIGNATURE, Person
from tests.support.people import PASSWORD
from tests.support.web import Site

SECRET = "the bridge closes on Tuesday"
PREVIEW = "I know the ferry schedule for next week"


def test_a_buyer_and_a_seller_complete_a_blind_purchase(
    site: Site, browser: Browser, shots: Path
) -> None:
    buyer = Person(browser, site, shots, "alice")
    seller = Person(browser, site, shots, "carol")

    buyer.sign_up(buyer=True, seller=False)
    site.credit("alice", 10_000)  # the operator funds the buyer
    page = buyer.go("/")
    expect(page.get_by_test_id("cash")).to_have_text("$100.00")
    buyer.shot("home")

    page.get_by_role("link", name="Post a context").click()
    page.get_by_label("Your question").fill("Will the ferry run on Tuesday?")
    page.get_by_label("Budget").fill("20.00")
    page.get_by_label("Priority").fill("0.8")
    buyer.shot("post-context")
    page.get_by_role("button", name="Post and reserve the budget").click()
    expect(page.get_by_test_id("query")).to_have_text("Will the ferry run on Tuesday?")
    expect(page.get_by_test_id("remaining")).to_have_text("$20.00")
    context_url = page.url.split("?")[0]
    buyer.shot("context-posted")

    seller.sign_up(buyer=False, seller=True)
    page = seller.go("/")
    page.get_by_role("link", name="Will the ferry run on Tuesday?").first.click()
    page.get_by_label("Preview").fill(PREVIEW)
    page.get_by_label("Private info").fill(SECRET)
    page.get_by_label("Price").fill("2.50")
    seller.shot("offer-form")
    page.get_by_role("button", name="Post my offer").click()
    expect(page.get_by_test_id("private-info")).to_contain_text(SECRET)  # the seller's own
    seller.shot("offer-posted")

    page = buyer.page
    page.goto(context_url)
    expect(page.get_by_test_id("preview")).to_have_text(PREVIEW)
    expect(page.get_by_test_id("price")).to_have_text("$2.50")
    expect(page.get_by_test_id("private-info")).to_have_count(0)
    assert SECRET not in page.content()
    buyer.shot("before-purchase")
    page.get_by_role("button", name="Buy blind (naive market) for $2.50").click()
    expect(page.get_by_test_id("private-info")).to_contain_text(SECRET)
    expect(page.get_by_test_id("remaining")).to_have_text("$17.50")
    buyer.shot("after-purchase")
    page.get_by_role("link", name="Purchases").click()
    expect(page.get_by_test_id("purchase")).to_contain_text(SECRET)
    buyer.shot("purchases")
    page.get_by_role("link", name="Ledger").click()
    entries = page.get_by_test_id("entry")
    expect(entries).to_have_count(3)  # newest first: the purchase, the reservation, the credit
    expect(entries.first).to_contain_text("purchase")
    expect(entries.first).to_contain_text("-$2.50")
    buyer.shot("ledger")

    page = seller.page  # signs out, and back in through the sign-in page
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("User name").fill("carol")
    page.get_by_label("Password").fill(PASSWORD)
    seller.shot("signin")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("who")).to_have_text("carol")
    expect(page.get_by_test_id("earnings")).to_have_text("$2.50")
    seller.shot("earnings")
    seller.go("/inbox")
    seller.shot("inbox")

    taken = buyer.taken + seller.taken
    assert len(taken) == 14
    for path in taken:
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 1_000, path
