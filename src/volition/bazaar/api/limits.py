"""Refusing oversize request bodies, whether they declare their length or arrive chunked."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from volition.bazaar.api.errors import error_response

__all__ = ["BodyLimit"]


class BodyLimit:
    """ASGI middleware: a body over ``max_bytes`` gets 413 before it is read into memory.

    ``prefixes`` gives paths starting with a key their own limit (``/api/analysis/``).
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int, prefixes: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.prefixes = dict(prefixes or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        max_bytes = next(
            (n for p, n in self.prefixes.items() if path.startswith(p)), self.max_bytes
        )
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > max_bytes):
                await _refuse(scope, receive, send, max_bytes)
                return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    # raised inside the route, so the app's own handler answers 413
                    raise HTTPException(413, _too_large(max_bytes))
            return message

        await self.app(scope, limited, send)


def _too_large(max_bytes: int) -> str:
    return f"the request body is over {max_bytes} bytes; send less"


async def _refuse(scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
    """413 before the body is read: JSON under /api, the error page for a web form."""
    response = await error_response(Request(scope), 413, "too_large", _too_large(max_bytes))
    await response(scope, receive, send)
