"""Text no store can keep (NUL, lone surrogates) is refused with a 422 before any lookup.

One check (``domain.checks.unstorable``) applied at each door: every string in a JSON body
(``TextChecked``, the base of the input models), every web form field (``storable_form``,
in ``web.routes.common.Field``), and the URL's path and query (``UrlTextCheck``); the
domain's ``check_text`` applies it again to what it stores. Without it PostgreSQL refuses
a NUL inside the transaction and the caller gets a 503.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from volition.bazaar.api.errors import error_response
from volition.bazaar.domain.checks import unstorable

__all__ = ["TextChecked", "UrlTextCheck", "storable_form"]


def _find(value: object, where: str = "") -> tuple[str, str] | None:
    """Where in ``value`` (``""``, ``"[2]"``, ``"['k']"``) the first unstorable text is, and
    what is wrong with it."""
    if isinstance(value, str):
        problem = unstorable(value)
        return None if problem is None else (where, problem)
    if isinstance(value, Mapping):
        items: list[tuple[object, str]] = []
        for key, item in value.items():
            items += [(key, f"{where} (a key)"), (item, f"{where}[{key!r}]")]
    elif isinstance(value, list | tuple):
        items = [(item, f"{where}[{i}]") for i, item in enumerate(value)]
    else:
        return None
    for item, at in items:
        found = _find(item, at)
        if found is not None:
            return found
    return None


def _check_nested(value: object) -> None:
    found = _find(value)
    if found is not None:
        where, problem = found
        what = f"the text at {where.strip()}" if where else "the text"
        raise PydanticCustomError(
            "unstorable_text", "{what} {problem}", {"what": what, "problem": problem}
        )


class TextChecked(BaseModel):
    """A request body whose every string, however nested, is storable text (else 422 naming
    the field)."""

    @field_validator("*", mode="before")  # before the type checks: our message, not theirs
    @classmethod
    def _storable(cls, value: Any, info: ValidationInfo) -> Any:
        _check_nested(value)
        return value


def storable_form(value: str) -> str:
    """A web form field's value, if storable text (else 422 naming the field)."""
    _check_nested(value)
    return value


class UrlTextCheck:
    """Refuse a NUL in the URL's path or query string (422) before any route looks it up.
    (Percent-decoding in the server turns bytes that are not UTF-8 into U+FFFD, so no
    surrogate reaches a route that way.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query: bytes = scope.get("query_string", b"")
            where = None
            if "\x00" in scope.get("path", ""):
                where = "the URL's path"
            elif b"%00" in query or b"\x00" in query:
                where = "the URL's query string"
            if where is not None:
                message = f"{where} contains a NUL character (%00); remove it"
                response = await error_response(Request(scope), 422, "invalid_input", message)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
