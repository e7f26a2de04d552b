"""The attention auction through the pages, in headless Chromium (JavaScript off): a buyer
posts a context with an attention and a reading cost, a seller bids on the offer form, a bid
below the reading cost is refused with the form kept, and the bid is held from the seller's
cash (docs/theory.md §5, The attention auction)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.support.browser import Person
from tests.support.web import Site


def test_a_context_declares_its_attention_and_a_seller_bids_to_be_read(
    site: Site, browser: Browser, shots: Path
) -> None:
    buyer = Person(browser, site, shots, "alice")
    seller = Person(browser, site, shots, "carol")
    buyer.sign_up(buyer=True, seller=False)
    site.credit("alice", 10_000)
    page = buyer.new_context("Will the ferry run on Tuesday?", "20.00")
    page.get_by_test_id("attention").fill("2")
    page.get_by_test_id("reading-cost").fill("0.50")
    buyer.shot("post-context-with-attention")
    page.get_by_role("button", name="Post and reserve the budget").click()
    expect(page.get_by_test_id("attention")).to_have_text("2 offers")
    expect(page.get_by_test_id("reading-cost")).to_have_text("$0.50")
    context_url = page.url.split("?")[0]

    seller.sign_up(buyer=False, seller=True)
    site.credit("carol", 300)
    page = seller.go(context_url.removeprefix(site.url))
    page.get_by_label("Preview").fill("I know the ferry schedule")
    page.get_by_label("Private info").fill("the ferry runs at 9")
    page.get_by_label("Price").fill("2.50")
    page.get_by_test_id("bid").fill("0.25")
    page.get_by_role("button", name="Post my offer").click()
    expect(page.get_by_role("alert")).to_contain_text("reading cost of 50 cents")
    expect(page.get_by_test_id("bid")).to_have_value("0.25")  # the form is kept
    seller.shot("bid-refused")
    page.get_by_test_id("bid").fill("1.00")
    page.get_by_role("button", name="Post my offer").click()
    expect(page.get_by_test_id("private-info")).to_contain_text("the ferry runs at 9")
    expect(page.locator("span[data-testid=bid]")).to_have_text("bids $1.00")
    seller.shot("bid-posted")
    page = seller.go("/")
    expect(page.get_by_test_id("cash")).to_have_text("$2.00")  # the bid is held
    page = seller.go("/me/ledger")
    expect(page.get_by_test_id("entry").first).to_contain_text("Held from your cash: the bid")
    expect(page.get_by_test_id("entry").first).to_contain_text("-$1.00")
    seller.shot("ledger")
    (offer,) = site.bazaar.offers(None, context_url.rsplit("/", 1)[1])
    assert offer.bid == 100
