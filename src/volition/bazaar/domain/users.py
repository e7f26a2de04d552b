"""Users, their roles, and the bearer tokens that stand for them."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from volition.errors import InputError

__all__ = ["Token", "User", "hash_token", "validate_name"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,38}$")


@dataclass(frozen=True, slots=True)
class User:
    """A person or bot on the platform.

    ``is_buyer`` and ``is_seller`` are chosen at sign-up; ``is_operator`` is separate and only
    an existing operator (or the trusted bootstrap, never an API call) can grant it.
    ``password_hash`` is opaque to the domain.
    """

    id: str
    name: str
    password_hash: str
    is_buyer: bool
    is_seller: bool
    is_operator: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Token:
    """A bearer token: only its SHA-256 is stored, never the token itself."""

    token_hash: str
    user_id: str
    created_at: datetime
    expires_at: datetime


def hash_token(token: str) -> str:
    """The stored form of a bearer token (tokens are 256 random bits, so a plain hash suffices)."""
    return hashlib.sha256(token.encode()).hexdigest()


def validate_name(name: str) -> str:
    """Check a user name: 2-39 characters of lower-case letters, digits, ``_ . -``."""
    if not _NAME.match(name):
        raise InputError(
            f"user name {name!r} is not allowed: use 2-39 lower-case letters, digits, '_', '.' "
            "or '-', starting with a letter or digit"
        )
    return name
