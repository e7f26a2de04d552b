"""The analyses over HTTP: markets and oversight (docs/theory.md §3-4), games, economies and market
failures (§1-2).

Stateless computations for signed-in users: nothing is stored. Each input is measured against
the server's limits first (``volition.bazaar.analysis_limits``, 413 naming the limit), then
computed in a worker process of the app's ``AnalysisPool`` with a time limit (503 after it),
so that analyses never hold the threads that serve the other routes.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from volition.bazaar import analysis_jobs
from volition.bazaar.analysis_limits import (
    check_economy,
    check_game,
    check_market,
)
from volition.bazaar.api.deps import AnalysisPoolDep, CurrentUser
from volition.bazaar.api.errors import ERROR_RESPONSES
from volition.bazaar.errors import NotFound
from volition.games.reports import FAILURES
from volition.mechanisms.reports import ProtocolName

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
async def align(body: AlignRequest, user: CurrentUser, pool: AnalysisPoolDep) -> dict[str, Any]:
    """The alignment report of a game: equilibria against the Pareto frontier (``align``)."""
    check_game(body.game, pool.limits)
    return await pool.run(
        user.id, analysis_jobs.align, body.game, body.principal, body.disagreement, body.pure_only
    )


@router.post("/economy")
async def economy(body: EconomyRequest, user: CurrentUser, pool: AnalysisPoolDep) -> dict[str, Any]:
    """Competitive equilibrium and the welfare theorems of an economy (``economy``)."""
    check_economy(body.economy, pool.limits)
    return await pool.run(user.id, analysis_jobs.economy, body.economy, body.shares)


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


@router.post("/market")
async def market(body: MarketRequest, user: CurrentUser, pool: AnalysisPoolDep) -> dict[str, Any]:
    """What a purchase protocol buys, decides and is worth (``volition market``)."""
    check_market(body.market, pool.limits)
    return await pool.run(
        user.id, analysis_jobs.market, body.market, body.protocol, body.depth, body.compare
    )


@router.post("/oversight")
async def oversight(
    body: OversightRequest, user: CurrentUser, pool: AnalysisPoolDep
) -> dict[str, Any]:
    """The marginal-value oversight mechanism's equilibrium (``volition oversight``)."""
    check_market(body.market, pool.limits)
    return await pool.run(user.id, analysis_jobs.oversight, body.market, body.informers)


@router.get("/failures")
async def failure_names(user: CurrentUser) -> list[str]:
    """The market failures on offer."""
    return list(FAILURES)


@router.get("/failures/{name}")
async def failure(name: str, user: CurrentUser, pool: AnalysisPoolDep) -> dict[str, Any]:
    """A market failure on its shipped example (``volition failures NAME``)."""
    if name not in FAILURES:
        raise NotFound(f"unknown failure {name!r}; choose one of {', '.join(FAILURES)}")
    return await pool.run(user.id, analysis_jobs.failure, name)
