"""The HTML error page for errors no page route caught: a form too large to read, a field the
form validation refused, an unknown page. ``api.errors.error_response`` calls it for every
path outside ``/api``, so a person who posted a form reads the message in the site's layout."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from volition.bazaar.api.deps import services_of
from volition.bazaar.web.rendering import PLATFORM_FAILED, render
from volition.bazaar.web.session import Visitor, visitor

__all__ = ["HEADINGS", "page_for_error"]

HEADINGS = {
    404: "There is no such page",
    405: "This page does not take that request",
    413: "That form was too large to read",
    422: "That form could not be read",
    429: "Too many tries",
}
_DEFAULT_HEADING = "That did not work"


def _visitor_of(request: Request) -> Visitor:
    """Who is visiting, so the page's header is theirs; anonymous if that cannot be told
    (the store may be the thing that failed)."""
    try:
        return visitor(request, services_of(request.app).platform.bazaar)
    except Exception:  # the error page itself must not fail
        return Visitor(None, None, "", new_anon=False)


def _back(request: Request) -> str | None:
    """The page the form was on (the same site's ``Referer``), to go back to; else none."""
    came_from = urlsplit(request.headers.get("referer", ""))
    if came_from.netloc != request.url.netloc or not came_from.path.startswith("/"):
        return None
    if came_from.path.startswith("//") or came_from.path == request.url.path:
        return None
    return came_from.path + (f"?{came_from.query}" if came_from.query else "")


async def page_for_error(request: Request, status: int, message: str) -> Response:
    """The error page: a heading for the status, the message, a link back."""
    who = await run_in_threadpool(_visitor_of, request)
    if status >= 500:
        message = PLATFORM_FAILED  # the words may quote stored data
    heading = HEADINGS.get(status, _DEFAULT_HEADING)
    return render(
        request, who, "error.html", status, error=message, heading=heading, back=_back(request)
    )
