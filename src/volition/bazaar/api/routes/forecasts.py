"""Forecast questions: their forecast's path, resolution, and sellers' track records."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from volition.bazaar.api.deps import Anyone, SignedIn
from volition.bazaar.api.errors import ERROR_RESPONSES
from volition.bazaar.api.schemas_forecasts import ForecastPublic, ResolveBody, TrackRecordPublic
from volition.bazaar.domain.forecast_service import Forecasts

router = APIRouter(tags=["forecasts"], responses=ERROR_RESPONSES)


@router.get("/contexts/{context_id}/forecast")
async def get_forecast(context_id: str, caller: Anyone) -> ForecastPublic:
    """A forecast question; its buyer also sees the forecast's path and the offers' scores
    (amnesia: a step with an offer the buyer may not read is withheld)."""

    def read() -> ForecastPublic:
        user = caller.optional_user()
        forecasts = Forecasts(caller.bazaar)
        return ForecastPublic.of(forecasts.view(user.id if user else None, context_id))

    return await run_in_threadpool(read)


@router.post("/contexts/{context_id}/resolve")
async def resolve(context_id: str, body: ResolveBody, caller: SignedIn) -> ForecastPublic:
    """Resolve a forecast question: ``{"outcome": LABEL}`` or ``{"annulled": true}``; only its
    resolver, once, after its close time. Scores the final forecast and each bought offer."""

    def write() -> ForecastPublic:
        user = caller.user()
        forecasts = Forecasts(caller.bazaar)
        forecasts.resolve(user.id, context_id, body.outcome, annulled=body.annulled)
        return ForecastPublic.of(forecasts.view(user.id, context_id))

    return await run_in_threadpool(write)


@router.get("/sellers/{name}/record")
async def seller_record(name: str, caller: Anyone) -> TrackRecordPublic:
    """A seller's (or bot's) public track record over resolved forecast questions."""

    def read() -> TrackRecordPublic:
        return TrackRecordPublic.of(Forecasts(caller.bazaar).record(name), seller=name)

    return await run_in_threadpool(read)


@router.get("/bots/{bot_id}/record")
async def bot_record(bot_id: str, caller: Anyone) -> TrackRecordPublic:
    """A stored bot's public track record over resolved forecast questions."""

    def read() -> TrackRecordPublic:
        name, record = Forecasts(caller.bazaar).bot_record(bot_id)
        return TrackRecordPublic.of(record, seller=name)

    return await run_in_threadpool(read)
