"""The in-memory repositories of people: users, sign-in tokens, idempotency keys, LLM
credentials (``MemoryStore``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from volition.bazaar.domain.credentials import LLMCredential
from volition.bazaar.domain.errors_util import duplicate
from volition.bazaar.domain.memory_table import MemoryTable
from volition.bazaar.domain.store import IdempotencyRecord
from volition.bazaar.domain.users import Token, User

__all__ = ["MemoryCredentials", "MemoryIdempotency", "MemoryTokens", "MemoryUsers"]


class MemoryUsers:
    def __init__(self, table: MemoryTable[str, User]) -> None:
        self._t = table

    def add(self, user: User) -> None:
        if self.get_by_name(user.name) is not None or self._t.get(user.id) is not None:
            raise duplicate("user name", user.name)
        self._t.put(user.id, user)

    def get(self, user_id: str, *, lock: bool = False) -> User | None:
        return self._t.get(user_id)

    def get_by_name(self, name: str) -> User | None:
        return next((u for u in self._t.values() if u.name == name), None)

    def get_by_names(self, names: Sequence[str]) -> list[User]:
        wanted = set(names)
        return [u for u in self._t.values() if u.name in wanted]

    def get_many(self, user_ids: Sequence[str]) -> list[User]:
        return [u for i in dict.fromkeys(user_ids) if (u := self._t.get(i)) is not None]

    def update(self, user: User) -> None:
        self._t.put(user.id, user)

    def count(self) -> int:
        return len(self._t.rows)


class MemoryTokens:
    def __init__(self, table: MemoryTable[str, Token], users: MemoryTable[str, User]) -> None:
        self._t = table
        self._users = users

    def add(self, token: Token) -> None:
        self._t.put(token.token_hash, token)

    def get(self, token_hash: str) -> Token | None:
        return self._t.get(token_hash)

    def delete(self, token_hash: str) -> None:
        self._t.delete(token_hash)

    def user_for(self, token_hash: str, now: datetime) -> tuple[User, datetime] | None:
        token = self._t.get(token_hash)
        if token is None or token.expires_at <= now:
            return None
        user = self._users.get(token.user_id)
        return None if user is None else (user, token.expires_at)

    def delete_expired(self, now: datetime, user_id: str | None = None) -> int:
        gone = [
            t.token_hash
            for t in self._t.values()
            if t.expires_at <= now and (user_id is None or t.user_id == user_id)
        ]
        for token_hash in gone:
            self._t.delete(token_hash)
        return len(gone)


class MemoryIdempotency:
    def __init__(self, table: MemoryTable[tuple[str, str], IdempotencyRecord]) -> None:
        self._t = table

    def get(self, user_id: str, key: str) -> IdempotencyRecord | None:
        return self._t.get((user_id, key))

    def get_many(self, user_id: str, keys: Sequence[str]) -> dict[str, IdempotencyRecord]:
        found = ((k, self._t.get((user_id, k))) for k in keys)
        return {k: record for k, record in found if record is not None}

    def add(self, record: IdempotencyRecord) -> None:
        if self._t.get((record.user_id, record.key)) is not None:
            raise duplicate("idempotency key", record.key)
        self._t.put((record.user_id, record.key), record)

    def add_many(self, records: Sequence[IdempotencyRecord]) -> None:
        for record in records:
            self.add(record)


class MemoryCredentials:
    def __init__(self, table: MemoryTable[str, LLMCredential]) -> None:
        self._t = table

    def get(self, user_id: str) -> LLMCredential | None:
        return self._t.get(user_id)

    def put(self, credential: LLMCredential) -> None:
        self._t.put(credential.user_id, credential)

    def delete(self, user_id: str) -> None:
        self._t.delete(user_id)
