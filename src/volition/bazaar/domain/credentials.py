"""Per-user LLM endpoint credentials for a seller's own bots, stored encrypted (issue 5).

Only the owner's LLM bots use it, to write the owner's offers; it never inspects anything
(issue 10: inspections run on the operator's inspectors, ``volition.bazaar.inspectors``, since
whoever runs an inspector's model reads every offer it sees).

The domain keeps the API key only as ciphertext (``secret``) made by a :class:`Cipher`; the
clear key exists for one agent call at a time (``volition.bazaar.secretbox``). ``key_hint``
(the last four characters of a long key) lets the owner recognise which key is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

__all__ = ["Cipher", "LLMCredential", "key_hint"]


class Cipher(Protocol):
    """Encrypts and decrypts short secrets (a master key stays inside)."""

    def encrypt(self, clear: str) -> str: ...
    def decrypt(self, secret: str) -> str: ...


@dataclass(frozen=True, slots=True)
class LLMCredential:
    """A user's bots' OpenAI-compatible endpoint: base URL, model, and the encrypted API key."""

    user_id: str
    base_url: str
    model: str
    secret: str
    key_hint: str
    updated_at: datetime

    def __repr__(self) -> str:  # never print even the ciphertext
        return f"LLMCredential(user_id={self.user_id!r}, base_url={self.base_url!r})"


def key_hint(api_key: str) -> str:
    """What the owner may see of a key: ``...wxyz`` for a key of 12 characters or more."""
    return f"...{api_key[-4:]}" if len(api_key) >= 12 else "..."
