"""The analyses of ``/api/analysis``, as functions a worker process runs (docs/theory.md §1-4).

Each takes the request's plain data and returns the report as JSON-ready data, so that only
plain values cross between processes. This module imports the analyses and nothing of the
server: a worker started by ``forkserver`` or ``spawn`` loads only what it computes with.
Errors in the input are ``InputError`` here as in the commands; they travel back by pickling
and the API answers them with a 4xx in the same words.
"""

from __future__ import annotations

import os
from typing import Any

from volition.errors import InputError
from volition.games import alignment_report, game_from_mapping
from volition.games.economies import economy_from_mapping
from volition.games.reports import economy_report, failure_report
from volition.jsonable import to_jsonable
from volition.mechanisms import marginal_value_equilibrium, market_from_mapping
from volition.mechanisms.files import oversight_from_mapping
from volition.mechanisms.reports import (
    ProtocolName,
    build_protocol,
    compare_report,
    market_report,
    oversight_report,
)

__all__ = ["align", "economy", "failure", "lower_priority", "market", "oversight", "ready"]


def lower_priority() -> None:
    """A worker's initializer: it yields the CPU to the server's requests (``nice`` +10)."""
    if hasattr(os, "nice"):
        os.nice(10)


_WARM_UP = {
    "players": ["Row", "Column"],
    "strategies": [["C", "D"], ["C", "D"]],
    "payoffs": [[[3, 3], [0, 5]], [[5, 0], [1, 1]]],
}


def ready() -> int:
    """A new worker's first call, before any time limit runs: one small analysis, which loads
    (and compiles) what the analyses import lazily."""
    align(_WARM_UP, None, None, False)
    return os.getpid()


def align(
    game: dict[str, Any],
    principal: list[float] | None,
    disagreement: list[float] | None,
    pure_only: bool,
) -> dict[str, Any]:
    """The alignment report of a game (``volition align``, docs/theory.md §1)."""
    parsed = game_from_mapping(game, source="game")
    report = alignment_report(
        parsed,
        principal=principal,
        disagreement=disagreement,
        mixed="none" if pure_only else "auto",
    )
    return dict(to_jsonable(report.to_json()))


def economy(data: dict[str, Any], shares: list[float] | None) -> dict[str, Any]:
    """Competitive equilibrium, welfare theorems (``volition economy``, docs/theory.md §2)."""
    parsed = economy_from_mapping(data, source="economy")
    return dict(to_jsonable(economy_report(parsed, shares)))


def _inline(data: dict[str, Any]) -> None:
    if not isinstance(data.get("world"), dict):
        raise InputError("give the market's world inline under `world`; the API reads no files")


def market(
    data: dict[str, Any], protocol: ProtocolName, depth: int | None, compare: bool
) -> dict[str, Any]:
    """What a purchase protocol buys and is worth (``volition market``, docs/theory.md §3)."""
    _inline(data)
    parsed = market_from_mapping(data, source="market")
    if compare:
        return dict(to_jsonable(compare_report(parsed, depth)))
    built = build_protocol(protocol, depth)
    return dict(to_jsonable(market_report(built.evaluate(parsed))))


def oversight(data: dict[str, Any], informers: int | None) -> dict[str, Any]:
    """The marginal-value mechanism's equilibrium (``volition oversight``, docs/theory.md §4)."""
    _inline(data)
    setting = oversight_from_mapping(data, source="market")
    count = informers if informers is not None else setting.informers
    problem = setting.market.problem
    result = marginal_value_equilibrium(problem, setting.market.levels[0], count, setting.knows)
    return dict(to_jsonable(oversight_report(result, problem)))


def failure(name: str) -> dict[str, Any]:
    """A market failure on its shipped example (``volition failures NAME``, docs/theory.md §2)."""
    return dict(to_jsonable(failure_report(name)))
