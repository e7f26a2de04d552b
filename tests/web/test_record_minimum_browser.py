"""Record minimums and buyers' rates through the pages, in headless Chromium (JavaScript off):
a buyer posts a context with a record minimum (a bad one is refused with the form kept and
nothing reserved), its page says which sellers are read; a seller's inbox matcher and a bot's
matcher ask for buyers' inspection and purchase rates (a rate above 1 is refused)
(docs/theory.md §5, Track records and record minimums)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.support.browser import Person
from tests.support.web import Site
from volition.bazaar.domain.record_minimum import RecordMinimum


def test_a_context_asks_for_a_record_minimum(site: Site, browser: Browser, shots: Path) -> None:
    buyer = Person(browser, site, shots, "alice")
    buyer.sign_up(buyer=True, seller=False)
    site.credit("alice", 10_000)
    page = buyer.new_context("Will the ferry run on Tuesday?", "20.00")
    page.get_by_test_id("record-min-offers").fill("3")
    page.get_by_test_id("record-min-value").fill("0.25")
    page.get_by_test_id("record-max-gap").fill("1.5")
    page.get_by_test_id("refuse-newcomers").check()
    page.get_by_role("button", name="Post and reserve the budget").click()
    expect(page.get_by_role("alert")).to_contain_text("calibration gap must be between 0 and 1")
    expect(page.get_by_test_id("record-max-gap")).to_have_value("1.5")  # the form is kept
    expect(page.get_by_test_id("refuse-newcomers")).to_be_checked()
    alice = site.bazaar.find_user("alice")
    assert site.bazaar.contexts(alice.id, mine=True) == []
    assert site.bazaar.balances(alice).reserved == 0
    buyer.shot("record-minimum-refused")

    page.get_by_test_id("record-max-gap").fill("0.2")
    page.get_by_role("button", name="Post and reserve the budget").click()
    expect(page.get_by_test_id("record-minimum")).to_have_text(
        "records with at least 3 offers bought on resolved questions, value per dollar at "
        "least 0.25, calibration gap at most 0.2; newcomers refused"
    )
    buyer.shot("record-minimum-posted")
    (context,) = site.bazaar.contexts(alice.id, mine=True)
    assert context.record_minimum == RecordMinimum(3, 0.25, 0.2, admit_newcomers=False)

    page = buyer.new_context("And on Wednesday?", "5.00")
    page.get_by_role("button", name="Post and reserve the budget").click()
    expect(page.get_by_test_id("status")).to_have_text("open")
    expect(page.get_by_test_id("record-minimum")).to_have_count(0)  # blank: every seller


def test_matchers_ask_for_buyers_rates(site: Site, browser: Browser, shots: Path) -> None:
    seller = Person(browser, site, shots, "carol")
    seller.sign_up(buyer=False, seller=True)
    page = seller.go("/inbox")
    page.get_by_label("Keywords").fill("ferry")
    page.get_by_test_id("min-inspection-rate").fill("1.5")
    page.get_by_role("button", name="Add matcher").click()
    expect(page.get_by_role("alert")).to_contain_text("inspection rate")
    expect(page.get_by_test_id("min-inspection-rate")).to_have_value("1.5")
    carol = site.bazaar.find_user("carol")
    assert site.bazaar.matchers(carol.id) == []
    page.get_by_test_id("min-inspection-rate").fill("0.6")
    page.get_by_test_id("min-purchase-rate").fill("0.25")
    page.get_by_role("button", name="Add matcher").click()
    expect(page.get_by_test_id("matcher-inspection-rate")).to_contain_text("at least 0.60")
    expect(page.get_by_test_id("matcher-purchase-rate")).to_contain_text("at least 0.25")
    seller.shot("matcher-rates")
    (matcher,) = site.bazaar.matchers(carol.id)
    assert (matcher.min_inspection_rate, matcher.min_purchase_rate) == (0.6, 0.25)

    page = seller.go("/bots/new/fixed")
    page.get_by_label("Name").fill("ferrybot")
    page.get_by_label("Preview (public)").fill("ferry times")
    page.get_by_label("Private info").fill("runs at 9")
    page.get_by_label("Price").fill("0.50")
    page.get_by_test_id("min-purchase-rate").fill("abc")
    page.get_by_role("button", name="Create bot").click()
    expect(page.get_by_role("alert")).to_contain_text("purchase rate")
    page.get_by_test_id("min-purchase-rate").fill("0.3")
    page.get_by_role("button", name="Create bot").click()
    expect(page.get_by_test_id("bot-purchase-rate")).to_contain_text("at least 0.30")
    expect(page.get_by_test_id("bot-inspection-rate")).to_have_count(0)
    seller.shot("bot-rates")
