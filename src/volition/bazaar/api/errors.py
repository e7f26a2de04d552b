"""Domain errors become HTTP statuses here, and only here.

Every error response under ``/api`` is JSON ``{"error": kind, "message": text}`` with the
domain's own words. Elsewhere (the web pages, whose forms a person posts) the same error is an
HTML page with the message, when the app has a page renderer (``install_error_handlers``'s
``page``); ``error_response`` is the one place that chooses, and the middlewares that answer
before any route (``BodyLimit``, ``UrlTextCheck``) call it too.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from volition.bazaar.analysis_limits import AnalysisTooLarge
from volition.bazaar.errors import (
    Conflict,
    Forbidden,
    InsufficientFunds,
    NotFound,
    StorageError,
    Unauthorized,
)
from volition.errors import InputError, VolitionError

__all__ = [
    "ERROR_RESPONSES",
    "STATUS_OF",
    "ErrorPage",
    "error_response",
    "install_error_handlers",
    "status_of",
    "use_error_page",
]

log = logging.getLogger("volition.bazaar.api")

# Most specific first: the first matching class decides.
STATUS_OF: tuple[tuple[type[VolitionError], int, str], ...] = (
    (NotFound, 404, "not_found"),
    (Unauthorized, 401, "unauthorized"),
    (Forbidden, 403, "forbidden"),
    (Conflict, 409, "conflict"),
    (InsufficientFunds, 402, "insufficient_funds"),
    (AnalysisTooLarge, 413, "too_large"),
    (InputError, 422, "invalid_input"),
    (StorageError, 503, "storage_unavailable"),
    (VolitionError, 500, "internal_error"),
)


class ErrorBody(BaseModel):
    """Every error: a machine-readable kind and a message that says what to fix."""

    error: str
    message: str


# For the OpenAPI schema: what an error looks like, per status.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": kind.replace("_", " ")}
    for _, status, kind in STATUS_OF
    if status < 500
}


def status_of(exc: VolitionError) -> tuple[int, str]:
    """The HTTP status and error kind for a domain error."""
    for cls, status, kind in STATUS_OF:
        if isinstance(exc, cls):
            return status, kind
    return 500, "internal_error"  # pragma: no cover - VolitionError matches above


def _json(
    status: int, kind: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse({"error": kind, "message": message}, status_code=status, headers=headers)


# An HTML error page for a request, its status and the message (the web pages supply it).
ErrorPage = Callable[[Request, int, str], Awaitable[Response]]


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


async def error_response(
    request: Request,
    status: int,
    kind: str,
    message: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The error's response: JSON under ``/api`` (programs read it), else the app's HTML
    error page (a person posted a form or followed a link), JSON when the app has none."""
    app = request.scope.get("app")  # absent when a middleware runs outside a Starlette app
    page: ErrorPage | None = getattr(getattr(app, "state", None), "error_page", None)
    if page is None or _is_api(request.url.path):
        return _json(status, kind, message, headers)
    response = await page(request, status, message)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, VolitionError)
    status, kind = status_of(exc)
    if status >= 500:
        # The type only: messages may quote stored data, and nothing secret goes to logs.
        log.error("%s %s failed: %s", request.method, request.url.path, type(exc).__name__)
    return await error_response(request, status, kind, str(exc))


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
        parts.append(f"{where}: {err.get('msg', 'is not valid')}")
    message = "; ".join(parts) or "the request is not valid"
    return await error_response(request, 422, "invalid_input", message)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    kind = {
        404: "not_found",
        405: "method_not_allowed",
        413: "too_large",
        429: "too_many_requests",
        503: "unavailable",
    }.get(exc.status_code, "http_error")
    return await error_response(request, exc.status_code, kind, str(exc.detail), exc.headers)


def install_error_handlers(app: FastAPI, page: ErrorPage | None = None) -> None:
    """Register the one mapping from errors to responses; ``page`` renders them as HTML
    outside ``/api`` (see ``error_response``)."""
    use_error_page(app, page)
    app.add_exception_handler(VolitionError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


def use_error_page(app: FastAPI, page: ErrorPage | None) -> None:
    """Render ``app``'s errors outside ``/api`` with ``page`` (the web pages plug theirs in)."""
    app.state.error_page = page
