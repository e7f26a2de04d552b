"""Domain errors become HTTP statuses here, and only here.

Every error response is JSON ``{"error": kind, "message": text}`` with the domain's own words.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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

__all__ = ["ERROR_RESPONSES", "STATUS_OF", "install_error_handlers", "status_of"]

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


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, VolitionError)
    status, kind = status_of(exc)
    if status >= 500:
        # The type only: messages may quote stored data, and nothing secret goes to logs.
        log.error("%s %s failed: %s", request.method, request.url.path, type(exc).__name__)
    return _json(status, kind, str(exc))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
        parts.append(f"{where}: {err.get('msg', 'is not valid')}")
    return _json(422, "invalid_input", "; ".join(parts) or "the request is not valid")


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    kind = {
        404: "not_found",
        405: "method_not_allowed",
        413: "too_large",
        429: "too_many_requests",
        503: "unavailable",
    }.get(exc.status_code, "http_error")
    return _json(exc.status_code, kind, str(exc.detail), exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register the one mapping from errors to JSON responses."""
    app.add_exception_handler(VolitionError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
