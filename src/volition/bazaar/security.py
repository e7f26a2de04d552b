"""Argon2id password hashing (memory-hard), the platform's ``PasswordHasher``."""

from __future__ import annotations

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["Argon2Hasher"]


class Argon2Hasher:
    """Argon2id with OWASP-style defaults (19 MiB, 2 passes); tests may pass cheaper costs."""

    def __init__(self, *, time_cost: int = 2, memory_cost: int = 19_456, parallelism: int = 1):
        self._argon = _Argon2(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)

    def hash(self, password: str) -> str:
        """The encoded hash of ``password`` (salt and parameters included)."""
        return self._argon.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches ``password_hash``; never raises for a wrong password."""
        try:
            return self._argon.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
