"""Identifiers and the clock: the only sources of non-determinism in the domain."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["Clock", "new_id", "utc_now"]

Clock = Callable[[], datetime]


def new_id(prefix: str) -> str:
    """A fresh random id such as ``ctx_3f9a0c2e71b4d8e5a6c1`` (80 random bits)."""
    return f"{prefix}_{secrets.token_hex(10)}"


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)
