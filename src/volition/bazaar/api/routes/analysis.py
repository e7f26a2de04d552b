"""The analyses over HTTP: markets and oversight (docs/theory.md §3-4), games, economies and market
failures (§1-2).

Stateless computations, open to anyone: no account is needed and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from volition.bazaar.api.errors import ERROR_RESPONSES
from volition.bazaar.errors import NotFound
from volition.errors import InputError
from volition.games import alignment_report, game_from_mapping
from volition.games.economies import economy_from_mapping
from volition.games.reports import FAILURES, economy_report, failure_report
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

router = APIRouter(prefix="/analysis", tags=["analysis"], responses=ERROR_RESPONSES)


class AlignRequest(BaseModel):
    """A game in the file format of ``volition align``, and the report's options."""

    game: dict[str, Any] = Field(description="A game as in a YAML/JSON game file.")
    principal: list[float] | None = Field(
        default=None, description="The principal's welfare weights, one per player."
    )
    disagreement: list[float] | None = None
    pure_only: bool = False


class EconomyRequest(BaseModel):
    """An economy in the file format of ``volition economy``."""

    economy: dict[str, Any] = Field(description="An economy as in a YAML/JSON economy file.")
    shares: list[float] | None = Field(
        default=None, description="Income shares: also decentralise that Pareto optimum."
    )


@router.post("/align")
async def align(body: AlignRequest) -> dict[str, Any]:
    """The alignment report of a game: equilibria against the Pareto frontier (``align``)."""

    def compute() -> dict[str, Any]:
        game = game_from_mapping(body.game, source="game")
        report = alignment_report(
            game,
            principal=body.principal,
            disagreement=body.disagreement,
            mixed="none" if body.pure_only else "auto",
        )
        return dict(to_jsonable(report.to_json()))

    return await run_in_threadpool(compute)


@router.post("/economy")
async def economy(body: EconomyRequest) -> dict[str, Any]:
    """Competitive equilibrium and the welfare theorems of an economy (``economy``)."""

    def compute() -> dict[str, Any]:
        parsed = economy_from_mapping(body.economy, source="economy")
        return dict(to_jsonable(economy_report(parsed, body.shares)))

    return await run_in_threadpool(compute)


class MarketRequest(BaseModel):
    """A market in the file format of ``volition market``, its world inline."""

    market: dict[str, Any] = Field(description="A market as in a YAML/JSON market file.")
    protocol: ProtocolName = ProtocolName.RIP
    depth: int | None = Field(default=None, ge=1, le=6)
    compare: bool = False


class OversightRequest(BaseModel):
    """A market whose level-0 offers are the informers' menu (``volition oversight``)."""

    market: dict[str, Any]
    informers: int | None = Field(default=None, ge=1, le=6)


def _inline(market: dict[str, Any]) -> None:
    if not isinstance(market.get("world"), dict):
        raise InputError("give the market's world inline under `world`; the API reads no files")


@router.post("/market")
async def market(body: MarketRequest) -> dict[str, Any]:
    """What a purchase protocol buys, decides and is worth (``volition market``)."""

    def compute() -> dict[str, Any]:
        _inline(body.market)
        parsed = market_from_mapping(body.market, source="market")
        if body.compare:
            return dict(to_jsonable(compare_report(parsed, body.depth)))
        protocol = build_protocol(body.protocol, body.depth)
        return dict(to_jsonable(market_report(protocol.evaluate(parsed))))

    return await run_in_threadpool(compute)


@router.post("/oversight")
async def oversight(body: OversightRequest) -> dict[str, Any]:
    """The marginal-value oversight mechanism's equilibrium (``volition oversight``)."""

    def compute() -> dict[str, Any]:
        _inline(body.market)
        setting = oversight_from_mapping(body.market, source="market")
        informers = body.informers if body.informers is not None else setting.informers
        problem = setting.market.problem
        result = marginal_value_equilibrium(
            problem, setting.market.levels[0], informers, setting.knows
        )
        return dict(to_jsonable(oversight_report(result, problem)))

    return await run_in_threadpool(compute)


@router.get("/failures")
def failure_names() -> list[str]:
    """The market failures on offer."""
    return list(FAILURES)


@router.get("/failures/{name}")
async def failure(name: str) -> dict[str, Any]:
    """A market failure on its shipped example (``volition failures NAME``)."""
    if name not in FAILURES:
        raise NotFound(f"unknown failure {name!r}; choose one of {', '.join(FAILURES)}")
    return dict(to_jsonable(await run_in_threadpool(failure_report, name)))
