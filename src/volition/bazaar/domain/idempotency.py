"""Idempotency keys: a retried call answers with its first result (docs/design.md).

A caller may send a key with a call that moves money or posts something. The first call with
that key is remembered (``IdempotencyRecord``) in the same unit of work as its effect; a later
call with the same key and the same request gets the first result back and changes nothing,
and a later call with the same key and a different request is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from volition.bazaar.domain.store import IdempotencyRecord, UnitOfWork
from volition.bazaar.errors import Conflict
from volition.errors import InputError

__all__ = ["KeyedCall"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class KeyedCall:
    """``operation`` called by ``user_id`` with idempotency ``key`` (None: no key) on
    ``request`` (the text that fingerprints what was asked)."""

    user_id: str
    key: str | None
    operation: str
    request: str

    def replay(self, uow: UnitOfWork, load: Callable[[str], T | None]) -> T | None:
        """The first result of an earlier identical call with this key (None: there was none)."""
        if self.key is None:
            return None
        if not 1 <= len(self.key) <= 200:
            raise InputError("an idempotency key must be 1 to 200 characters long")
        record = uow.idempotency.get(self.user_id, self.key)
        if record is None:
            return None
        if record.operation != self.operation or record.request_hash != self._digest():
            raise Conflict(
                f"idempotency key {self.key!r} was already used for a different request "
                f"(a {record.operation}); use a fresh key for each new request"
            )
        return load(record.result_id)

    def remember(self, uow: UnitOfWork, result_id: str, now: datetime) -> None:
        """Keep ``result_id`` as this call's first result, in ``uow`` (with its effect)."""
        if self.key is not None:
            digest = self._digest()
            record = IdempotencyRecord(
                self.user_id, self.key, self.operation, digest, result_id, now
            )
            uow.idempotency.add(record)

    def _digest(self) -> str:
        return hashlib.sha256(self.request.encode()).hexdigest()
