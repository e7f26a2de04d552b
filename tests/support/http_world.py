"""Inspections served over HTTP: a world of the weather story with its bots, served by uvicorn.

A buyer asks whether it will rain in Paris tomorrow. A weather bot sells an expensive forecast
(300 of a 1,000 budget: the offline buyer checks it first, in a follow-up, since it costs over
a quarter of the budget and nothing is known about it), a stock bot sells something
irrelevant (cheap enough to offer in the follow-up too), and a fact-checker answers follow-ups
only, confirming or refuting the forecast.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx

from tests.support.api import Api, ok
from tests.support.inspection import FollowUpsOnly, World
from volition.agents import FixedSeller, OfflineBuyer
from volition.bazaar.api import ApiSettings
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.inspection import Bot, InspectionEngine
from volition.bazaar.platform import assemble
from volition.bazaar.server import build_app

QUERY = "Will it rain in Paris tomorrow?"
BUDGET = 1_000
FORECAST = FixedSeller(
    "Paris rain forecast for tomorrow",
    "Meteo models give 80% chance of rain in Paris tomorrow",
    300,
)
STOCKS = FixedSeller("Stock tips", "Buy ACME shares before Friday", 100)
REFUTATION = "This forecast is false and outdated: it is last week's model run"
CONFIRMATION = "Confirmed: this forecast is accurate, today's model run agrees"
CHECK_PRICE = 20


def checker(text: str) -> FollowUpsOnly:
    return FollowUpsOnly(FixedSeller("Fact check of the Paris rain forecast", text, CHECK_PRICE))


@dataclass
class Bots:
    forecaster: Bot
    stocks: Bot
    checker: Bot


def weather_bots(world: World, check_text: str) -> Bots:
    """The three bots of the story, registered as sellers of ``world``."""
    return Bots(world.bot(FORECAST), world.bot(STOCKS), world.bot(checker(check_text)))


def weather_engine(world: World, **limits: Any) -> InspectionEngine:
    """The offline buyer with the world's bots; a node decides on two offers."""
    limits = {"max_depth": 1, "min_offers": 2} | limits
    return world.engine(OfflineBuyer(), **limits)


@contextmanager
def served(world: World, engine: InspectionEngine | None) -> Iterator[Api]:
    """The app on the platform of ``world.bazaar``, with ``engine`` (the world's own bots and
    buyer) in place of the platform's (None: the platform's), stepped in the background."""
    platform = assemble(world.bazaar)
    if engine is not None:
        platform = replace(platform, engine=engine)
    app = build_app(platform, ApiSettings(expiry_sweep_seconds=0))
    with serve_in_thread(app) as url:
        api = Api(url)
        try:
            yield api
        finally:
            api.close()


def wait_done(client: httpx.Client, inspection_id: str, timeout: float = 30) -> Any:
    """Poll ``GET /api/inspections/{id}`` until it is done; its last answer."""
    deadline = time.monotonic() + timeout
    while True:
        body = ok(client.get(f"/api/inspections/{inspection_id}"))
        if body["status"] == "done":
            return body
        assert time.monotonic() < deadline, f"inspection still running: {body}"
        time.sleep(0.05)


def offers_by_seller(world: World, context_id: str) -> dict[str, str]:
    """Offer ids of a context by seller id (read from the store, for the test's bookkeeping)."""
    with world.bazaar.store.begin(write=False) as uow:
        return {o.seller_id: o.id for o in uow.offers.for_context(context_id)}
