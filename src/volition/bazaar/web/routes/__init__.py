"""The page routes, gathered into one router."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import Response

from volition.bazaar.web.routes import (
    account,
    bots,
    forecasts,
    inspections,
    market,
    operator,
    seller,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)  # pages, not API: kept out of the OpenAPI schema
for _module in (market, account, seller, bots, inspections, forecasts, operator):
    router.include_router(_module.router)

_CSS = files("volition.bazaar.web").joinpath("static/bazaar.css").read_bytes()
_HTMX = files("volition.bazaar.web").joinpath("static/htmx.min.js").read_bytes()
_ICON = files("volition.bazaar.web").joinpath("static/favicon.svg").read_bytes()


@router.get("/static/bazaar.css")
def stylesheet() -> Response:
    """The pages' one stylesheet."""
    return Response(_CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@router.get("/static/htmx.min.js")
def htmx() -> Response:
    """htmx 2.0.11 (0BSD), vendored: the one script, run by the pages that update live."""
    return Response(_HTMX, media_type="text/javascript", headers={"Cache-Control": "max-age=3600"})


@router.get("/favicon.ico")
@router.get("/static/favicon.svg")
def favicon() -> Response:
    """The site's icon, an SVG (browsers ask for ``/favicon.ico`` whatever the page links)."""
    return Response(_ICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})
