"""Turning templates into responses: one Jinja2 environment, money and time filters, and the
headers every page carries (no framing, no caching of pages that may hold private info)."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from volition.bazaar.api.errors import status_of
from volition.bazaar.web.session import CSRF_FIELD, Visitor, apply_cookies
from volition.bazaar.web.wording import inspector_usage, money
from volition.errors import VolitionError

__all__ = ["PLATFORM_FAILED", "error_page", "failure", "money", "redirect", "render"]

log = logging.getLogger("volition.bazaar.web")

_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self'; script-src 'none'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

# Fixed texts for ``?notice=``: a query parameter never puts its own words on a page.
NOTICES = {
    "signed-up": "Welcome! Your account is ready.",
    "signed-in": "You are signed in.",
    "signed-out": "You are signed out.",
    "posted": "Your context is posted and its budget is reserved.",
    "offered": "Your offer is posted.",
    "bought": "Bought blind. The private info is yours to read below.",
    "withdrawn": "The offer is withdrawn.",
    "cancelled": "The context is cancelled; what was left of its budget is back in your cash.",
    "matcher-added": "Matcher added.",
    "matcher-removed": "Matcher removed.",
    "credited": "Credited.",
}


def when(moment: datetime | None) -> str:
    """A moment as ``2026-01-01 12:00 UTC``; an em dash for none."""
    if moment is None:
        return "—"
    return moment.strftime("%Y-%m-%d %H:%M UTC")


_env = Environment(
    loader=PackageLoader("volition.bazaar.web", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["money"] = money
_env.filters["when"] = when
_env.globals["inspector_usage"] = inspector_usage
_env.globals["new_key"] = lambda: secrets.token_urlsafe(16)  # an idempotency key per form


def render(
    request: Request, visitor: Visitor, template: str, status: int = 200, **values: Any
) -> HTMLResponse:
    """Render ``template`` for ``visitor``, with the page headers and cookies."""
    notice = NOTICES.get(request.query_params.get("notice", ""))
    values.setdefault("error", None)
    html = _env.get_template(template).render(
        visitor=visitor, csrf_field=CSRF_FIELD, notice=notice, path=request.url.path, **values
    )
    response = HTMLResponse(html, status_code=status, headers=_HEADERS)
    apply_cookies(response, visitor, request)
    return response


def redirect(request: Request, visitor: Visitor, url: str) -> RedirectResponse:
    """See-other to ``url`` (after a form POST), with the visitor's cookies."""
    response = RedirectResponse(url, status_code=303, headers=_HEADERS)
    apply_cookies(response, visitor, request)
    return response


PLATFORM_FAILED = "The bazaar could not do this just now; nothing was changed. Try again."


def failure(exc: VolitionError) -> tuple[int, str]:
    """The status and the message to show for a domain error.

    The domain's own words for the caller's mistakes; for the platform's failures only that
    nothing changed (the words may quote stored data, and only the type is logged).
    """
    status, _ = status_of(exc)
    if status >= 500:
        log.error("web request failed: %s", type(exc).__name__)
        return status, PLATFORM_FAILED
    return status, str(exc)


def error_page(request: Request, visitor: Visitor, exc: VolitionError) -> HTMLResponse:
    """A page that says what went wrong, with the error's status."""
    status, message = failure(exc)
    return render(request, visitor, "error.html", status, error=message)
