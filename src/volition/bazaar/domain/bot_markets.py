"""Bayesian bots: one offer of a stored ``volition.mechanisms`` market, sold in a true state.

docs/design.md, "One mechanism, two worlds" (docs/theory.md §4): a bayesian bot stores a
market file's mapping (the world inline: a stored bot reads no files), the id of the offer
it sells, the true state and a rate of cents per utility unit. Its agent is
:class:`~volition.agents.bayesian.BayesianSeller`: on contexts of the offer's level it posts
the offer, its private info the revealed values in the true state. Everything is checked when
the bot is created or changed, each mistake an ``InputError`` that names the field or key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from volition.agents.bayesian import BayesianSeller
from volition.bazaar.domain.bots import BotKind, BotSeller
from volition.errors import InputError
from volition.mechanisms import Market, Offer, market_from_mapping

__all__ = [
    "MAX_CENTS_PER_UNIT",
    "MAX_MARKET",
    "MAX_STATES",
    "MarketSale",
    "bayesian_seller",
    "check_market_bot",
    "market_text",
    "sale_of",
]

MAX_MARKET = 100_000  # characters of the market's JSON
MAX_STATES = 10_000  # states (or actions) given as a count
MAX_CENTS_PER_UNIT = 1_000_000
MAX_PRICE = 10**12  # cents, as the API's amounts


@dataclass(frozen=True, eq=False)
class MarketSale:
    """What a bayesian bot sells: ``offer`` (at market level ``level``) in state ``state``."""

    market: Market
    offer: Offer
    level: int
    state: int


def market_text(spec: object) -> str:
    """The stored form of a market: its mapping as compact JSON (JSON text is also taken)."""
    data = spec
    if isinstance(spec, str):
        try:
            data = json.loads(spec)
        except ValueError as exc:
            raise InputError(f"the market is not valid JSON: {exc}") from None
    if not isinstance(data, Mapping):
        raise InputError("the market must be a mapping with keys world, levels, scenarios")
    try:
        text = json.dumps(data, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise InputError(f"the market must be plain JSON (no NaN or infinity): {exc}") from None
    if len(text) > MAX_MARKET:
        raise InputError(f"the market is {len(text)} characters as JSON; the limit is {MAX_MARKET}")
    return text


def sale_of(market: str, offer_id: object, state: object) -> MarketSale:
    """Parse and check a stored market, the offer sold and the true state (label or index)."""
    if not isinstance(offer_id, str):
        raise InputError(f"the market offer must be an offer's id, not {offer_id!r}")
    if isinstance(state, bool) or not isinstance(state, str | int):
        raise InputError(f"the true state must be a state's label or index, not {state!r}")
    # the cache tells 1 from "1" (different types) and never sees a bool (True == 1)
    return _sale(market_text(market), offer_id, state)


@lru_cache(maxsize=64)
def _sale(market: str, offer_id: str, state: str | int) -> MarketSale:
    data = json.loads(market)
    world = data.get("world")
    if not isinstance(world, Mapping):
        raise InputError(
            "the market: world: give the problem inline (a mapping with states, prior, "
            "variables, ...); a stored bot reads no files"
        )
    for key in ("states", "actions"):
        count = world.get(key)
        if isinstance(count, int) and not isinstance(count, bool) and count > MAX_STATES:
            raise InputError(f"the market: world: {key}: at most {MAX_STATES}, not {count}")
    built = market_from_mapping(data, source="the market")
    if offer_id not in built.offers:
        raise InputError(
            f"the market has no offer {offer_id!r}; its offers are {', '.join(built.offers)}"
        )
    offer = built.offers[offer_id]
    space = built.problem.space
    if isinstance(state, int):
        if not 0 <= state < space.size:
            raise InputError(f"the true state's index must be 0..{space.size - 1}, not {state}")
        index = state
    else:
        index = space.index(state)  # UnknownNameError lists the states
    if not built.problem.prior[index] > 0:
        raise InputError(
            f"the true state {space.states[index]!r} has prior probability 0; "
            "a true state must be possible"
        )
    return MarketSale(built, offer, offer.level, index)


def check_market_bot(bot: BotSeller, *, price_given: bool) -> BotSeller:
    """A bayesian bot checked, its market stored as JSON, its state as a label and its price
    the offer's in cents (``price_given``: the caller's price must be that one)."""
    if bot.kind is not BotKind.BAYESIAN:
        return bot
    missing = [
        name
        for name in ("market", "market_offer", "market_state", "cents_per_unit")
        if getattr(bot, name) is None
    ]
    if missing:
        raise InputError(f"a bayesian bot needs {', '.join(missing)}")
    cents = bot.cents_per_unit
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise InputError(f"cents_per_unit must be a whole number of cents, not {cents!r}")
    if not 1 <= cents <= MAX_CENTS_PER_UNIT:
        raise InputError(f"cents_per_unit must be from 1 to {MAX_CENTS_PER_UNIT}, not {cents}")
    text = market_text(bot.market)
    sale = sale_of(text, bot.market_offer, bot.market_state)
    amount = sale.offer.price * cents
    if not amount <= MAX_PRICE:  # also NaN and infinity
        raise InputError(
            f"offer {sale.offer.id} costs {sale.offer.price} units: over {MAX_PRICE} cents at "
            f"{cents} cents per unit"
        )
    price = round(amount)
    if price_given and bot.price != price:
        raise InputError(
            f"a bayesian bot's price is its offer's: {sale.offer.id} costs "
            f"{sale.offer.price} units, {price} cents at {cents} cents per unit; "
            f"leave the price out or give {price}, not {bot.price}"
        )
    label = sale.market.problem.space.states[sale.state]
    return replace(bot, market=text, market_state=label, price=price)


def bayesian_seller(bot: BotSeller) -> BayesianSeller:
    """The agent of a stored bayesian bot."""
    if bot.kind is not BotKind.BAYESIAN or bot.market is None or bot.cents_per_unit is None:
        raise InputError(f"bot {bot.id} is not a bayesian bot")
    sale = sale_of(bot.market, bot.market_offer, bot.market_state)
    return BayesianSeller(
        sale.offer, sale.level, sale.market.problem, sale.state, bot.cents_per_unit, bot.name
    )
