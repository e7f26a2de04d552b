"""Forecast question pages (issue 13): the question with its forecast's path as a chart, a
resolution form for its resolver, and a seller's public track record.

``GET /contexts/{id}/forecast`` shows a question to whoever may see its context (its buyer
also sees the path and the offers' realised values, amnesia kept: ``Forecasts.view``);
``POST /contexts/{id}/resolve`` (CSRF-guarded) resolves it; ``GET /sellers/{name}/record``
shows a record.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from volition.bazaar.api.deps import BazaarDep
from volition.bazaar.domain import User
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.web.forecast_chart import COLOURS, path_chart
from volition.bazaar.web.form_models import Posted, ResolveForm
from volition.bazaar.web.rendering import error_page, render
from volition.bazaar.web.routes.common import submit
from volition.bazaar.web.session import VisitorDep
from volition.errors import VolitionError

__all__ = ["router"]

router = APIRouter()


@router.get("/contexts/{context_id}/forecast")
def forecast_page(
    request: Request, context_id: str, bazaar: BazaarDep, visitor: VisitorDep
) -> Response:
    """A forecast question: outcomes, close, resolver, resolution, and for its buyer the path."""
    viewer = visitor.user
    try:
        forecasts = Forecasts(bazaar)
        view = forecasts.view(viewer.id if viewer else None, context_id)
        context = bazaar.context(viewer.id if viewer else None, context_id)
    except VolitionError as exc:
        return error_page(request, visitor, exc)
    q = view.question
    chart = None
    if view.path is not None:
        steps = [s.distribution for s in view.path]
        chart = Markup(path_chart(q.outcomes, steps, "the forecast after each purchase step"))
    may_resolve = (
        viewer is not None
        and q.resolution is None
        and (viewer.id == q.resolver_id if q.resolver_id else viewer.is_operator)
    )
    return render(
        request,
        visitor,
        "forecast.html",
        context=context,
        view=view,
        chart=chart,
        colours=COLOURS,
        may_resolve=may_resolve,
        closed=bazaar.clock() >= q.closes_at,
    )


@router.post("/contexts/{context_id}/resolve")
def resolve_form(
    request: Request,
    context_id: str,
    bazaar: BazaarDep,
    visitor: VisitorDep,
    form: Posted[ResolveForm],
) -> Response:
    """Resolve a question from its page: an outcome, or annulled."""

    def resolve(user: User) -> str:
        annulled = bool(form.annulled)
        chosen = None if annulled else form.outcome
        Forecasts(bazaar).resolve(user.id, context_id, chosen, annulled=annulled)
        return f"/contexts/{context_id}/forecast"

    return submit(request, visitor, form.csrf_token, resolve)


@router.get("/sellers/{name}/record")
def record_page(request: Request, name: str, bazaar: BazaarDep, visitor: VisitorDep) -> Response:
    """A seller's (or bot's) public track record over resolved forecast questions."""
    try:
        record = Forecasts(bazaar).record(name)
    except VolitionError as exc:
        return error_page(request, visitor, exc)
    return render(request, visitor, "record.html", name=name, record=record)
