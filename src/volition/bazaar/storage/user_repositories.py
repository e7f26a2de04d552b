"""The SQL repositories of people: users, their sign-in tokens, their idempotency keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.sql.elements import BindParameter

from volition.bazaar.domain.store import IdempotencyRecord
from volition.bazaar.domain.users import Token, User
from volition.bazaar.storage.row_maps import IDEMPOTENCY, TOKEN, USER
from volition.bazaar.storage.sql_repository import SqlRepository
from volition.bazaar.storage.tables import I, T, U

__all__ = ["SqlIdempotency", "SqlTokens", "SqlUsers"]

# The hot statements, built once: SQLAlchemy then reuses their cache keys and compiled forms
# instead of rebuilding and re-hashing a statement on every call.
_ID: BindParameter[str] = bindparam("id")
_USER = select(U).where(U.c.id == _ID)
_USER_LOCKED = _USER.with_for_update(key_share=True)
_USER_BY_NAME = select(U).where(U.c.name == bindparam("name"))
_TOKEN_USER = (
    select(U, T.c.expires_at.label("token_expires_at"))
    .join(T, T.c.user_id == U.c.id)
    .where(T.c.token_hash == bindparam("token_hash"), T.c.expires_at > bindparam("now"))
)
_ROLES = ("is_buyer", "is_seller", "is_operator", "password_hash")  # what may change


# Inserts built once, their values given as parameters: ``insert(t).values(row)`` built and
# hashed a new statement on every call (about 0.3 ms of CPU a row on PostgreSQL, issue 15).
_INSERT_USER, _INSERT_TOKEN = insert(U), insert(T)


class SqlUsers(SqlRepository):
    def add(self, user: User) -> None:
        self.conn.execute(_INSERT_USER, USER.values(user))

    def get(self, user_id: str, *, lock: bool = False) -> User | None:
        return self._held(user_id, USER, _USER, _USER_LOCKED, lock)

    def get_many(self, user_ids: Sequence[str]) -> list[User]:
        if not user_ids:
            return []
        return self._records(USER, select(U).where(U.c.id.in_(list(dict.fromkeys(user_ids)))))

    def get_by_name(self, name: str) -> User | None:
        return self._record(USER, _USER_BY_NAME, {"name": name})

    def get_by_names(self, names: Sequence[str]) -> list[User]:
        if not names:
            return []
        return self._records(USER, select(U).where(U.c.name.in_(list(dict.fromkeys(names)))))

    def update(self, user: User) -> None:
        self._keep(user.id, user)
        self.conn.execute(update(U).where(U.c.id == user.id).values(USER.values(user, only=_ROLES)))

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(U)).scalar_one())


class SqlTokens(SqlRepository):
    def add(self, token: Token) -> None:
        self.conn.execute(_INSERT_TOKEN, TOKEN.values(token))

    def get(self, token_hash: str) -> Token | None:
        return self._record(TOKEN, select(T).where(T.c.token_hash == token_hash))

    def delete(self, token_hash: str) -> None:
        self.conn.execute(delete(T).where(T.c.token_hash == token_hash))

    def user_for(self, token_hash: str, now: datetime) -> tuple[User, datetime] | None:
        row = self.conn.execute(_TOKEN_USER, {"token_hash": token_hash, "now": now}).first()
        if row is None:
            return None
        values = row._mapping
        user = USER.record_of({c.name: values[c] for c in U.c})
        return user, values["token_expires_at"]  # (the column's type: an aware datetime)

    def delete_expired(self, now: datetime, user_id: str | None = None) -> int:
        stmt = delete(T).where(T.c.expires_at <= now)
        if user_id is not None:
            stmt = stmt.where(T.c.user_id == user_id)
        return int(self.conn.execute(stmt).rowcount)


class SqlIdempotency(SqlRepository):
    def get(self, user_id: str, key: str) -> IdempotencyRecord | None:
        return self._record(IDEMPOTENCY, select(I).where(I.c.user_id == user_id, I.c.key == key))

    def get_many(self, user_id: str, keys: Sequence[str]) -> dict[str, IdempotencyRecord]:
        if not keys:
            return {}
        stmt = select(I).where(I.c.user_id == user_id, I.c.key.in_(list(dict.fromkeys(keys))))
        return {r.key: r for r in self._records(IDEMPOTENCY, stmt)}

    def add(self, record: IdempotencyRecord) -> None:
        self.add_many([record])

    def add_many(self, records: Sequence[IdempotencyRecord]) -> None:
        if records:
            self.conn.execute(insert(I), [IDEMPOTENCY.values(r) for r in records])
