"""Shared error builders for stores."""

from __future__ import annotations

from volition.bazaar.errors import Conflict

__all__ = ["duplicate"]


def duplicate(what: str, value: str) -> Conflict:
    """The error for a unique value that is already taken."""
    return Conflict(f"{what} {value!r} already exists; choose another")
