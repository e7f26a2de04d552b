"""The password hashing interface the domain needs (implemented in ``volition.bazaar.security``)."""

from __future__ import annotations

from typing import Protocol

__all__ = ["PasswordHasher"]


class PasswordHasher(Protocol):
    """Hashes passwords for storage and checks them; the hash is opaque to the domain."""

    def hash(self, password: str) -> str: ...
    def verify(self, password_hash: str, password: str) -> bool: ...
