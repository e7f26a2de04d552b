"""Checks of the values callers hand the domain, each failing with an ``InputError`` that
says what is wrong (shared by the services of contexts, offers, bots and credentials)."""

from __future__ import annotations

import re

from volition.errors import InputError

__all__ = ["check_cents", "check_storable", "check_text", "unstorable"]

# NUL, which PostgreSQL's text refuses, and lone UTF-16 surrogates, which are not Unicode
# scalar values and cannot be encoded as UTF-8 (JSON's "\ud800" decodes to one)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(value: str) -> str | None:
    """What is wrong with ``value`` as stored text (None: nothing): the one check of every
    text a user supplies, on every store (the API's models and forms use it too)."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    char = found.group()
    kind = "a NUL character" if char == "\x00" else "a lone surrogate"
    return (
        f"contains {kind} (U+{ord(char):04X}) at character {found.start() + 1}; "
        "remove it and send plain Unicode text"
    )


def check_storable(value: str, what: str) -> str:
    """``value`` if it can be stored as text on every store; else an ``InputError``."""
    problem = unstorable(value)
    if problem is not None:
        raise InputError(f"{what} {problem}")
    return value


def check_cents(value: object, what: str) -> int:
    """``value`` as whole cents (a bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{what} must be a whole number of cents, not {value!r}")
    return value


def check_text(value: object, what: str, limit: int, *, empty_ok: bool = False) -> str:
    """``value`` as text of at most ``limit`` characters, not blank unless ``empty_ok``."""
    if not isinstance(value, str):
        raise InputError(f"{what} must be text")
    check_storable(value, what)
    if not empty_ok and not value.strip():
        raise InputError(f"{what} is empty; write something")
    if len(value) > limit:
        raise InputError(f"{what} is {len(value)} characters long; the limit is {limit}")
    return value
