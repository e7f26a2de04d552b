"""A served bazaar with an inspection engine (offline buyer, fixed bots), for the page tests.

The weather story of ``tests/support/http_world``: an expensive forecast the offline buyer
checks in a follow-up first, irrelevant stock tips, and a fact-checker that answers only
follow-ups. ``min_offers`` and ``gather_seconds`` set how fast the tree grows: with three
offers wanted and two coming, each node waits out its gathering time, so a page can watch it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from tests.support.inspection import FollowUpsOnly
from tests.support.people import CHEAP_HASHER, PASSWORD
from tests.support.web import Site
from volition.agents import FixedSeller, OfflineBuyer
from volition.bazaar.api import ApiSettings
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.domain import Bazaar
from volition.bazaar.inspection import Bot, InspectionEngine, InspectionLimits
from volition.bazaar.platform import assemble
from volition.bazaar.server import build_app
from volition.bazaar.storage import SqlStore

QUERY = "Will it rain in Paris tomorrow?"
FORECAST = FixedSeller(
    "Paris rain forecast for tomorrow",
    "Meteo models give 80% chance of rain in Paris tomorrow",
    300,
)
STOCKS = FixedSeller("Stock tips", "Buy ACME shares before Friday", 100)
CONFIRMATION = "Confirmed: this forecast is accurate, today's model run agrees"
CHECK = FollowUpsOnly(FixedSeller("Fact check of the Paris rain forecast", CONFIRMATION, 20))


@dataclass
class InspectionSite(Site):
    engine: InspectionEngine


@contextmanager
def inspection_site(
    template: Path, folder: Path, *, min_offers: int = 2, gather_seconds: float = 60
) -> Iterator[InspectionSite]:
    """The site on a copy of the migrated SQLite ``template``, with the three bots."""
    path = folder / "bazaar.db"
    shutil.copy(template, path)
    store = SqlStore.open(f"sqlite:///{path}", migrate=False)
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    operator = bazaar.bootstrap_operator("root", PASSWORD)
    bots = []
    for name, agent in (("weatherbot", FORECAST), ("stockbot", STOCKS), ("checkbot", CHECK)):
        user = bazaar.register(name, PASSWORD, buyer=False, seller=True)
        bots.append(Bot(user.id, agent))
    limits = InspectionLimits(
        max_depth=1, min_offers=min_offers, gather_timeout=timedelta(seconds=gather_seconds)
    )
    engine = InspectionEngine(bazaar, OfflineBuyer(), bots=tuple(bots), limits=limits)
    platform = replace(assemble(bazaar), engine=engine)  # the story's bots and buyer
    app = build_app(platform, ApiSettings(expiry_sweep_seconds=0))
    try:
        with serve_in_thread(app) as url:
            yield InspectionSite(url, bazaar, operator, engine)
    finally:
        store.close()
