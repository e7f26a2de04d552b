"""The bots page lists a bayesian bot with the offer it sells and its true state."""

from __future__ import annotations

from tests.support.bayesian import market_spec
from tests.support.web import Site
from volition.bazaar.domain import BotService


def test_the_bots_page_shows_a_bayesian_bot_to_its_owner_only(site: Site) -> None:
    seller = site.sign_up("carol", buyer=False, seller=True)
    other = site.sign_up("dave", buyer=False, seller=True)
    carol = site.bazaar.find_user("carol")
    BotService(site.bazaar).create_bot(
        carol.id,
        name="fact check",
        kind="bayesian",
        market=market_spec(),
        market_offer="o2",
        market_state="i11_E",
        cents_per_unit=100,
    )
    page = seller.get("/bots").text
    assert "fact check" in page and "bayesian" in page
    assert "sells market offer o2 in the true state i11_E" in page and "$0.01" in page
    assert "i11_E" not in other.get("/bots").text
