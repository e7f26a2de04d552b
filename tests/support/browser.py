"""People in a real browser: Playwright driving Debian's ``chromium`` (never a downloaded
browser build) against a served site; each page visited can be saved as a screenshot."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.people import PASSWORD
from tests.support.web import Site

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


def chromium() -> str:
    """Debian's Chromium; the test is skipped without it (failed in CI)."""
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

    def new_context(self, query: str, budget: str) -> Page:
        """The form to post a context, with its question and budget filled in (not sent)."""
        page = self.go("/contexts/new")
        page.get_by_label("Your question").fill(query)
        page.get_by_label("Budget").fill(budget)
        return page

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


class LivePerson(Person):
    """A person whose browser runs JavaScript (htmx)."""

    def __init__(self, browser: Browser, site: Site, shots: Path, name: str) -> None:
        super().__init__(browser, site, shots, name)
        context = browser.new_context(
            java_script_enabled=True, viewport={"width": 1100, "height": 900}
        )
        context.set_default_timeout(20_000)
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on(
            "console",
            lambda m: (
                self.errors.append(m.text)
                if m.type == "error" and "Failed to load resource" not in m.text
                else None
            ),
        )
        self.page.on(  # a browser asks for /favicon.ico by itself; anything else must load
            "response",
            lambda r: (
                self.errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )
