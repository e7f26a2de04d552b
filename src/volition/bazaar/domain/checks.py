"""Checks of the values callers hand the domain, each failing with an ``InputError`` that
says what is wrong (shared by the services of contexts, offers, bots and credentials)."""

from __future__ import annotations

from volition.errors import InputError

__all__ = ["check_cents", "check_text"]


def check_cents(value: object, what: str) -> int:
    """``value`` as whole cents (a bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{what} must be a whole number of cents, not {value!r}")
    return value


def check_text(value: object, what: str, limit: int, *, empty_ok: bool = False) -> str:
    """``value`` as text of at most ``limit`` characters, not blank unless ``empty_ok``."""
    if not isinstance(value, str):
        raise InputError(f"{what} must be text")
    if not empty_ok and not value.strip():
        raise InputError(f"{what} is empty; write something")
    if len(value) > limit:
        raise InputError(f"{what} is {len(value)} characters long; the limit is {limit}")
    return value
