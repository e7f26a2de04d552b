"""Pay-on-resolution offers through the pages, in headless Chromium (JavaScript off): on a
forecast question a seller fills the share and the cap of the offer form, a cap above the
question's max escrow is refused with the form kept, the posted offer shows its terms; once
bought and resolved, the buyer's question page shows the escrow settled (docs/theory.md §5,
Pay-on-resolution offers)."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.support.browser import Person
from tests.support.web import Site
from volition.bazaar.domain import ContextSpec, audit
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.domain.forecasts import ForecastSpec


def test_a_seller_asks_a_share_and_the_buyer_sees_the_escrow_settle(
    site: Site, browser: Browser, shots: Path
) -> None:
    buyer = Person(browser, site, shots, "alice")
    seller = Person(browser, site, shots, "carol")
    buyer.sign_up(buyer=True, seller=False)
    seller.sign_up(buyer=False, seller=True)
    site.credit("alice", 10_000)
    b = site.bazaar
    forecasts = Forecasts(b)
    alice = b.find_user("alice")
    spec = ForecastSpec(("on time", "late"), b.clock() + timedelta(seconds=30), max_escrow=300)
    context, _ = forecasts.post(alice.id, ContextSpec("Will the ferry be on time?", 2_000), spec)

    page = seller.go(f"/contexts/{context.id}")
    page.get_by_label("Preview").fill("I know the ferry schedule")
    page.get_by_label("Private info").fill("the ferry runs on time")
    page.get_by_label("Price").fill("0.50")
    page.get_by_test_id("escrow-rate").fill("0.5")
    page.get_by_test_id("escrow-cap").fill("3.01")
    page.get_by_role("button", name="Post my offer").click()
    expect(page.get_by_role("alert")).to_contain_text("accepts escrow caps up to 300 cents")
    expect(page.get_by_test_id("escrow-cap")).to_have_value("3.01")  # the form is kept
    page.get_by_test_id("escrow-cap").fill("2.00")
    page.get_by_role("button", name="Post my offer").click()
    expect(page.locator("span[data-testid=pay-on-resolution]")).to_contain_text(
        "50% of its realised value at resolution, up to $2.00"
    )
    seller.shot("pay-on-resolution-posted")

    (offer,) = b.offers(alice.id, context.id)
    b.buy_blind(alice.id, offer.id)
    forecasts.propose(context.id, "node", (0.8, 0.2))
    forecasts.confirm("node", (offer.id,))
    real_clock = b.clock
    b.clock = lambda: real_clock() + timedelta(hours=1)  # past its close time
    forecasts.resolve(site.operator.id, context.id, "on time")
    paid = math.floor(0.5 * 300 * math.log(0.8 / 0.5))  # 70 cents
    page = buyer.go(f"/contexts/{context.id}/forecast")
    row = page.get_by_test_id("escrow")
    expect(row).to_contain_text("settled")
    expect(row).to_contain_text(f"$0.{paid}")
    expect(row).to_contain_text(f"$1.{200 - paid - 100}")
    buyer.shot("escrow-settled")
    assert audit(b.store) == []
