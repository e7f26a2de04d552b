"""A buyer has a context inspected by the offline buyer and watches it in headless Chromium.

JavaScript is on here: the inspection page polls its live part with htmx every second. The
bots answer at once, but each node wants three offers and gets two, so it waits out a short
gathering time: the page shows the root waiting, then a follow-up node appear (the offline
buyer checks the expensive forecast first), then the purchases. The same buyer in a second
browser with JavaScript off follows the page by its meta refresh to the same end. Screenshots
go where the other browser test puts its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.support.browser import PNG_SIGNATURE, LivePerson, Person
from tests.support.inspection_site import (
    CONFIRMATION,
    FORECAST,
    QUERY,
    STOCKS,
    InspectionSite,
    inspection_site,
)
from tests.support.people import PASSWORD

GATHER_SECONDS = 2.0


@pytest.fixture
def slow_site(sqlite_template: Path, tmp_path: Path) -> Iterator[InspectionSite]:
    with inspection_site(
        sqlite_template, tmp_path, min_offers=3, gather_seconds=GATHER_SECONDS
    ) as site:
        yield site


def test_a_buyer_watches_a_recursive_inspection_grow(
    slow_site: InspectionSite, browser: Browser, shots: Path
) -> None:
    buyer = LivePerson(browser, slow_site, shots, "alice")
    buyer.sign_up(buyer=True, seller=False)
    slow_site.credit("alice", 10_000)

    page = buyer.new_context(QUERY, "10.00")
    page.get_by_role("button", name="Post and reserve the budget").click()
    expect(page.get_by_test_id("query")).to_have_text(QUERY)
    page.get_by_label("Follow-up purchases you keep").select_option("with_parent")
    buyer.shot("context-to-inspect")
    page.get_by_role("button", name="Inspect", exact=True).click()

    expect(page).to_have_url(f"{slow_site.url}/inspections/ins_" + page.url.split("ins_")[-1])
    expect(page.get_by_test_id("inspection-status")).to_have_text("running")
    nodes = page.get_by_test_id("node")
    expect(nodes.first).to_have_attribute("data-depth", "0")
    expect(nodes.first).to_have_attribute("data-state", "gathering")
    buyer.shot("inspection-root-gathering")
    inspection_url = page.url

    # the same buyer in a browser without JavaScript opens the running inspection too
    reader = Person(browser, slow_site, shots, "alice-nojs")
    reader.go("/signin")
    reader.page.get_by_label("User name").fill("alice")
    reader.page.get_by_label("Password").fill(PASSWORD)
    reader.page.get_by_role("button", name="Sign in").click()
    reader.go(inspection_url.removeprefix(slow_site.url))
    expect(reader.page.get_by_test_id("inspection-status")).to_have_text("running")
    reader.shot("inspection-running")

    # htmx swaps the tree in as it grows: the follow-up about the forecast appears below it
    follow_up = page.locator('[data-testid="node"][data-depth="1"]')
    expect(follow_up).to_have_count(1, timeout=20_000)
    expect(nodes.first).to_have_attribute("data-state", "waiting")
    # while nothing is bought, what the inspector asked is forgotten (domain.follow_ups)
    expect(follow_up.get_by_test_id("node-query")).to_contain_text("what it asked is forgotten")
    assert page.url == inspection_url  # no reload: the live part was swapped in place
    buyer.shot("inspection-follow-up")

    expect(page.get_by_test_id("inspection-status")).to_have_text("done", timeout=20_000)
    expect(follow_up).to_have_attribute("data-state", "done")
    expect(follow_up.get_by_test_id("node-bought")).to_contain_text("Fact check")
    expect(nodes.first.get_by_test_id("node-bought").first).to_contain_text(FORECAST.preview)
    purchases = page.get_by_test_id("purchase")
    expect(purchases).to_have_count(2)
    expect(page.get_by_test_id("private-info")).to_have_count(2)
    expect(purchases.filter(has_text="from weatherbot")).to_contain_text(FORECAST.private_info)
    expect(purchases.filter(has_text="from checkbot")).to_contain_text(CONFIRMATION)
    assert STOCKS.private_info not in page.content()  # inspected, not bought: forgotten
    expect(page.get_by_test_id("spent")).to_have_text("$3.20")
    buyer.shot("inspection-done")
    assert buyer.errors == []  # htmx ran under the page's CSP without complaint

    # without JavaScript the page reloaded itself (meta refresh) until the inspection was done
    page = reader.page
    expect(page.get_by_test_id("inspection-status")).to_have_text("done", timeout=20_000)
    expect(page.get_by_test_id("node")).to_have_count(2)
    expect(page.get_by_test_id("purchase")).to_have_count(2)
    reader.shot("inspection-done")

    taken = buyer.taken + reader.taken
    assert len(taken) == 7
    for path in taken:
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 1_000, path
