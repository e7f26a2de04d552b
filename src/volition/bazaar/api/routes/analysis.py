"""The alignment analyses over HTTP: games, economies and market failures (THEORY.md §1-2).

Stateless computations, open to anyone: no account is needed and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from volition.bazaar.api.errors import ERROR_RESPONSES
from volition.bazaar.errors import NotFound
from volition.games import alignment_report, game_from_mapping
from volition.games.economies import economy_from_mapping
from volition.games.reports import FAILURES, economy_report, failure_report
from volition.jsonable import to_jsonable

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
