"""The client's transport: one user's HTTP session with the bazaar and its error mapping.

Errors come back as volition's own exceptions (``NotFound``, ``InsufficientFunds``, ...) with
the server's message, so code using the client reads like code using the domain.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from volition.bazaar.api.errors import STATUS_OF
from volition.bazaar.errors import StorageError
from volition.errors import InputError, VolitionError

__all__ = ["Transport"]

M = TypeVar("M", bound=BaseModel)
_ERRORS: dict[str, type[VolitionError]] = {kind: cls for cls, _, kind in STATUS_OF}


class Transport:
    """One user's session with a bazaar server: the token, the connection, the calls."""

    def __init__(self, base_url: str, token: str | None = None, *, timeout: float = 30.0) -> None:
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)
        self.token = token

    def __enter__(self) -> Transport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        headers = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            r = self._http.request(method, f"/api{path}", json=json, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise StorageError(f"cannot reach the bazaar at {self._http.base_url}: {exc}") from exc
        if r.is_success:
            return r.json() if r.content else None
        try:
            body = r.json()
            kind, message = body.get("error", ""), body.get("message", r.text)
        except ValueError:
            kind, message = "", r.text
        error = _ERRORS.get(kind, InputError if r.status_code < 500 else StorageError)
        raise error(f"{message} (HTTP {r.status_code})")

    def _one(self, model: type[M], data: Any) -> M:
        return model.model_validate(data)

    def _many(self, model: type[M], data: Any) -> list[M]:
        return [model.model_validate(d) for d in data]
