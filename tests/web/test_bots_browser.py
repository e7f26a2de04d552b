"""A seller creates a fixed bot through the bots page in headless Chromium (screenshots)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.support.browser import PNG_SIGNATURE, Person
from tests.support.web import Site


def test_a_seller_creates_and_pauses_a_bot_in_the_browser(
    site: Site,
    browser: Browser,
    shots: Path,
) -> None:
    seller = Person(browser, site, shots, "carol")
    seller.sign_up(buyer=False, seller=True)
    page = seller.page
    page.get_by_role("link", name="Bots").click()
    expect(page.get_by_role("heading", name="Bots", exact=True)).to_be_visible()
    seller.shot("bots-empty")
    page.get_by_role("link", name="New fixed bot").click()  # a page per kind of bot
    expect(page.get_by_role("heading", name="New fixed bot")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("fact checker")
    page.get_by_label("Preview (public)").fill("Checked against the registry")
    page.get_by_label("Private info").fill("The registry says it is false.")
    page.get_by_label("Price", exact=True).fill("0.40")
    page.get_by_label("Keywords (separated by commas; blank matches every query)", exact=True).fill(
        "accurate, verify"
    )
    seller.shot("bot-form")
    page.get_by_role("button", name="Create bot").click()
    expect(page.get_by_role("heading", name="Bots", exact=True)).to_be_visible()  # back to the list
    bot = page.get_by_test_id("bot")
    expect(bot).to_have_count(1)
    expect(bot).to_contain_text("fact checker")
    expect(bot).to_contain_text("active")
    expect(bot).to_contain_text("accurate, verify")
    seller.shot("bots")
    bot.get_by_role("button", name="pause").click()
    expect(page.get_by_test_id("bot")).to_contain_text("paused")
    seller.shot("bot-paused")
    for path in seller.taken:
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 1_000, path
