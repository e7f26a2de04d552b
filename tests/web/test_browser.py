"""A buyer and a seller complete a blind purchase through the pages, in headless Chromium.

Playwright drives Debian's ``chromium`` (never a downloaded browser build) against uvicorn on
127.0.0.1. Both people browse with JavaScript off: the pages work as plain HTML forms. Each
page visited is saved as a screenshot (under ``$VOLITION_SCREENSHOTS`` when set, else a tmp
folder).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.web.conftest import PASSWORD, Site

SECRET = "the bridge closes on Tuesday"
PREVIEW = "I know the ferry schedule for next week"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
expect.set_options(timeout=15_000)


def _chromium() -> str:
    path = os.environ.get("VOLITION_CHROMIUM") or shutil.which("chromium")
    if path is None:
        message = (
            "the web tests need headless Chromium from Debian: apt-get install chromium "
            "(make test installs it when it is missing)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def browser() -> Iterator[Browser]:
    executable = _chromium()
    with sync_playwright() as playwright:
        # launch() gives each run a fresh temporary profile (user data dir) of its own
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("VOLITION_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Person:
    """One browser profile: its own cookies, JavaScript off, screenshots of each page."""

    def __init__(self, browser: Browser, site: Site, shots: Path, name: str) -> None:
        context = browser.new_context(
            java_script_enabled=False, viewport={"width": 1100, "height": 900}
        )
        context.set_default_timeout(20_000)  # generous: CI runs the suite on two busy cores
        self.page: Page = context.new_page()
        self.site = site
        self.shots = shots
        self.name = name
        self.taken: list[Path] = []

    def go(self, path: str) -> Page:
        self.page.goto(self.site.url + path)
        return self.page

    def shot(self, label: str) -> None:
        path = self.shots / f"{len(self.taken) + 1:02d}-{self.name}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)

    def sign_up(self, *, buyer: bool, seller: bool) -> None:
        page = self.go("/signup")
        page.get_by_label("User name").fill(self.name)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("buy information").set_checked(buyer)
        page.get_by_label("sell information").set_checked(seller)
        self.shot("signup")
        page.get_by_role("button", name="Create my account").click()
        expect(page.get_by_test_id("who")).to_have_text(self.name)


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
