"""Posting a forecast question through ``POST /api/contexts`` and showing it with a context."""

from __future__ import annotations

from datetime import datetime, timedelta

from volition.bazaar.api.schemas_forecasts import ForecastCreate, ForecastPublic
from volition.bazaar.domain import Bazaar, ContextSpec, DecisionContext, User
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.domain.forecasts import ForecastSpec
from volition.core.scoring import ScoringRule
from volition.errors import InputError

__all__ = ["forecast_of", "post_question"]


def post_question(
    bazaar: Bazaar, actor_id: str, spec: ContextSpec, body: ForecastCreate, key: str | None
) -> DecisionContext:
    """Post ``spec`` as a forecast question (422 saying what to fix when ``body`` is not one)."""
    if (body.closes_at is None) == (body.closes_in_seconds is None):
        raise InputError("a forecast question needs closes_at (ISO 8601) or closes_in_seconds")
    if body.closes_in_seconds is not None:
        closes = bazaar.clock() + timedelta(seconds=body.closes_in_seconds)
    else:
        try:
            closes = datetime.fromisoformat(str(body.closes_at))
        except ValueError:
            raise InputError(
                f"closes_at {str(body.closes_at)[:40]!r} is not an ISO 8601 time, "
                "e.g. 2027-01-31T12:00:00+00:00"
            ) from None
    forecast = ForecastSpec(
        tuple(body.outcomes),
        closes,
        body.resolver,
        ScoringRule(body.rule),
        None if body.prior is None else tuple(body.prior),
        body.max_escrow,
    )
    context, _ = Forecasts(bazaar).post(actor_id, spec, forecast, key=key)
    return context


def forecast_of(bazaar: Bazaar, context_id: str, viewer: User | None) -> ForecastPublic | None:
    """The forecast part of a top-level context for ``viewer`` (None: not a question)."""
    forecasts = Forecasts(bazaar)
    if forecasts.question(context_id) is None:
        return None
    return ForecastPublic.of(forecasts.view(viewer.id if viewer else None, context_id))
