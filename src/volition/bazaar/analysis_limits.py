"""How big an analysis the server takes (docs/design.md, "Trust model": every request is bounded).

The analyses of docs/theory.md §1-4 grow fast with their input (support enumeration in a game is
exponential in its strategies), so the HTTP API measures each input before anything is built
from it: these checks read the raw mapping only, counting names and list lengths, so that a
request naming a billion strategies is refused without making a billion labels. What the
checks cannot see (a small game that is hard all the same) the time limit of the analysis
pool catches (``volition.bazaar.api.analysis_pool``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from volition.errors import InputError

__all__ = ["AnalysisLimits", "AnalysisTooLarge", "check_economy", "check_game", "check_market"]


class AnalysisTooLarge(InputError):
    """An analysis input over one of the server's size limits (HTTP 413)."""


@dataclass(frozen=True, slots=True)
class AnalysisLimits:
    """The size limits and the pool of ``/api/analysis``. Sizes are per request; ``workers``
    processes per server process compute, ``queue`` more requests may wait for one, and a
    user has at most ``per_user`` analyses running or waiting at once."""

    max_body_bytes: int = 64 * 1024
    max_values: int = 20_000  # numbers and names in the whole input
    max_players: int = 6
    max_strategies: int = 32  # per player
    max_profiles: int = 1_024  # payoff cells: the product of the strategy counts
    max_goods: int = 10
    max_agents: int = 20
    max_states: int = 1_024  # of a market's world
    max_offers: int = 16  # of a market, all levels together
    max_scenarios: int = 64
    workers: int = 2
    queue: int = 8
    per_user: int = 2
    seconds: float = 20.0  # time limit of one analysis; its worker is killed after it
    retry_after: int = 10  # seconds, told to a client refused because the pool is full


def _over(what: str, count: int, limit: int, advice: str) -> AnalysisTooLarge:
    return AnalysisTooLarge(
        f"{what}: {count} is over this server's limit of {limit}; {advice} "
        "(or run the analysis locally with the `volition` command, which has no limit)"
    )


def count_values(data: Any, limit: int) -> int:
    """The scalars in ``data`` (nested mappings and lists), counting up to ``limit + 1``."""
    count = 0
    stack = [data]
    while stack and count <= limit:
        item = stack.pop()
        if isinstance(item, Mapping):
            count += len(item)  # the keys
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        else:
            count += 1
    return count


def _check_values(data: Any, limits: AnalysisLimits) -> None:
    count = count_values(data, limits.max_values)
    if count > limits.max_values:
        raise _over("numbers and names in the input", count, limits.max_values, "send less")


def _length(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, list | tuple | Mapping | str):
        return len(value)
    return 0


def check_game(game: Any, limits: AnalysisLimits) -> None:
    """Refuse a game (docs/theory.md §1) over the limits: players, strategies, payoff cells."""
    _check_values(game, limits)
    if not isinstance(game, Mapping):
        return  # the parser says what is wrong with it
    players = _length(game.get("players"))
    if players > limits.max_players:
        raise _over("players", players, limits.max_players, "analyse a game with fewer players")
    strategies = game.get("strategies")
    if isinstance(strategies, Mapping):
        strategies = list(strategies.values())
    if not isinstance(strategies, list):
        return
    if len(strategies) > limits.max_players:
        raise _over("players", len(strategies), limits.max_players, "give fewer players")
    counts = [_length(s) for s in strategies]
    widest = max(counts, default=0)
    if widest > limits.max_strategies:
        raise _over(
            "strategies of one player", widest, limits.max_strategies, "give fewer strategies"
        )
    profiles = math.prod(max(c, 1) for c in counts)
    if profiles > limits.max_profiles:
        raise _over(
            "payoff cells (strategy profiles)",
            profiles,
            limits.max_profiles,
            "give fewer strategies or players",
        )


def check_economy(economy: Any, limits: AnalysisLimits) -> None:
    """Refuse an exchange economy (docs/theory.md §2) over the limits: goods and agents."""
    _check_values(economy, limits)
    if not isinstance(economy, Mapping):
        return
    goods = _length(economy.get("goods"))
    if goods > limits.max_goods:
        raise _over("goods", goods, limits.max_goods, "give fewer goods")
    agents = _length(economy.get("agents"))
    if agents > limits.max_agents:
        raise _over("agents", agents, limits.max_agents, "give fewer agents")


def check_market(market: Any, limits: AnalysisLimits) -> None:
    """Refuse a market (docs/theory.md §3-4) over the limits: world states, offers, scenarios."""
    _check_values(market, limits)
    if not isinstance(market, Mapping):
        return
    world = market.get("world")
    if isinstance(world, Mapping):
        states = _length(world.get("states"))
        if states > limits.max_states:
            raise _over("states of the world", states, limits.max_states, "give fewer states")
    levels = market.get("levels")
    if isinstance(levels, list):
        offers = sum(_length(level.get("offers")) for level in levels if isinstance(level, Mapping))
        if offers > limits.max_offers:
            raise _over("offers (all levels)", offers, limits.max_offers, "give fewer offers")
    scenarios = _length(market.get("scenarios"))
    if scenarios > limits.max_scenarios:
        raise _over("scenarios", scenarios, limits.max_scenarios, "give fewer scenarios")
