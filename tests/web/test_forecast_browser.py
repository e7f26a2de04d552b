"""A forecast question in headless Chromium (issue 13): the buyer has it inspected and reads
the forecast's path as a chart and a table; the operator resolves it with the page's form;
the weather bot's public record page shows the realised value. JavaScript stays off."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.support.browser import Person
from tests.support.http_world import QUERY
from tests.support.inspection_site import InspectionSite, inspection_site
from tests.support.people import PASSWORD
from volition.bazaar.domain import ContextSpec, audit
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.domain.forecasts import ForecastSpec

CLOSES = 6.0  # seconds: the inspection is done well before


@pytest.fixture
def site(sqlite_template: Path, tmp_path: Path) -> Iterator[InspectionSite]:
    with inspection_site(sqlite_template, tmp_path, min_offers=2, gather_seconds=30) as s:
        yield s


def _sign_in(person: Person, name: str) -> None:
    page = person.go("/signin")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("who")).to_have_text(name)


def test_a_question_is_inspected_charted_resolved_and_recorded(
    site: InspectionSite, browser: Browser, shots: Path
) -> None:
    buyer = Person(browser, site, shots, "alice")
    buyer.sign_up(buyer=True, seller=False)
    site.credit("alice", 10_000)
    alice = site.bazaar.find_user("alice")
    closes = site.bazaar.clock() + timedelta(seconds=CLOSES)
    context, _ = Forecasts(site.bazaar).post(
        alice.id, ContextSpec(QUERY, 1_000), ForecastSpec(("rain", "dry"), closes)
    )

    page = buyer.go(f"/contexts/{context.id}")
    page.get_by_test_id("forecast-link").get_by_role("link").click()
    expect(page.get_by_test_id("resolution")).to_contain_text("not resolved yet")
    expect(page.get_by_test_id("step")).to_have_count(1)  # the prior alone
    buyer.go(f"/contexts/{context.id}")
    page.get_by_role("button", name="Inspect", exact=True).click()
    deadline = time.monotonic() + 30
    while not site.engine.repository.inspection_for_context(context.id) or (
        site.engine.repository.inspection_for_context(context.id).status.value != "done"  # type: ignore[union-attr]
    ):
        assert time.monotonic() < deadline, "the inspection did not finish"
        time.sleep(0.1)

    page = buyer.go(f"/contexts/{context.id}/forecast")
    steps = page.get_by_test_id("step")
    expect(steps).to_have_count(3)  # prior, the fact check, the forecast
    expect(steps.nth(2)).to_contain_text("0.857")  # 6/7 rain (tests/inspection: by hand)
    chart = page.get_by_test_id("forecast-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("polyline")).to_have_count(2)  # one line per outcome
    expect(chart.locator("circle")).to_have_count(6)  # three steps each
    assert page.get_by_test_id("resolve-form").count() == 0  # the buyer does not resolve
    buyer.shot("forecast-path")

    operator = Person(browser, site, shots, "root")
    _sign_in(operator, "root")
    wait = (closes - site.bazaar.clock()).total_seconds()
    time.sleep(max(wait, 0) + 0.2)
    page = operator.go(f"/contexts/{context.id}/forecast")
    assert page.get_by_test_id("forecast-chart").count() == 0  # the path is the buyer's
    page.get_by_test_id("resolve-form").get_by_label("Outcome").select_option("rain")
    operator.shot("resolve")
    page.get_by_test_id("resolve-form").get_by_role("button", name="Resolve").click()
    expect(page.get_by_test_id("resolution")).to_contain_text("resolved to rain")
    assert page.get_by_test_id("resolve-form").count() == 0

    page = buyer.go(f"/contexts/{context.id}/forecast")
    expect(page.get_by_test_id("resolution")).to_contain_text("scored -0.1542")  # log 6/7
    expect(page.get_by_test_id("score")).to_have_count(2)
    buyer.shot("resolved")

    page = buyer.go("/sellers/weatherbot/record")
    expect(page.get_by_test_id("record")).to_contain_text("0.2513")  # log(6/7) - log(2/3)
    buyer.shot("record")
    page = buyer.go("/sellers/nobody/record")
    expect(page.locator("main")).to_contain_text("nobody")
    assert audit(site.bazaar.store) == []
