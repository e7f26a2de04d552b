"""The SQL ledger: journal entries and their postings (tables ``journal_entries``, ``postings``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Row, String, bindparam, func, insert, literal_column, select

from volition.bazaar.domain.contexts import ACTIVE
from volition.bazaar.domain.ledger import (
    Account,
    AccountKind,
    JournalEntry,
    Posting,
    cash,
    earnings,
)
from volition.bazaar.storage.row_maps import ENTRY
from volition.bazaar.storage.sql_repository import SqlRepository
from volition.bazaar.storage.tables import C, E, P

__all__ = ["SqlLedger"]

_BALANCE = select(func.coalesce(func.sum(P.c.amount), 0)).where(P.c.account == bindparam("key"))


def _sum_of(account: str) -> Any:
    total = func.coalesce(func.sum(P.c.amount), 0)
    return select(total).where(P.c.account == bindparam(account)).scalar_subquery()


# A user's cash, reserved (the holds of their active contexts) and earnings in one statement:
# one snapshot without a transaction of its own.
_HOLD_OF_CONTEXT = literal_column(f"'{AccountKind.HOLD.value}:'", String) + C.c.id
_USER_BALANCES = select(
    _sum_of("cash"),
    select(func.coalesce(func.sum(P.c.amount), 0))
    .select_from(C.join(P, P.c.account == _HOLD_OF_CONTEXT))
    .where(
        C.c.buyer_id == bindparam("user"),
        C.c.status.in_([literal_column(f"'{s.value}'") for s in sorted(ACTIVE)]),
    )
    .scalar_subquery(),
    _sum_of("earnings"),
)


_INSERT_ENTRY = insert(E)
_INSERT_POSTING = insert(P)


class SqlLedger(SqlRepository):
    def record(self, entry: JournalEntry) -> None:
        self.record_many([entry])

    def record_many(self, entries: Sequence[JournalEntry]) -> None:
        if not entries:
            return
        rows = [ENTRY.values(e) | {"memo": e.memo[:200]} for e in entries]
        self.conn.execute(_INSERT_ENTRY, rows)
        self.conn.execute(
            _INSERT_POSTING,
            [
                {"entry_id": e.id, "account": p.account.key, "amount": p.amount}
                for e in entries
                for p in e.postings
            ],
        )

    def _entries(self, rows: Sequence[Row[Any]]) -> list[JournalEntry]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        postings: dict[str, list[Posting]] = {i: [] for i in ids}
        stmt = select(P).where(P.c.entry_id.in_(ids)).order_by(P.c.id)
        for p in self.conn.execute(stmt):
            postings[p.entry_id].append(Posting(Account.parse(p.account), p.amount))
        return [ENTRY.record_of(r, postings=tuple(postings[r.id])) for r in rows]

    def entry(self, entry_id: str) -> JournalEntry | None:
        rows = self.conn.execute(select(E).where(E.c.id == entry_id)).all()
        found = self._entries(rows)
        return found[0] if found else None

    def balance(self, account: Account) -> int:
        return int(self.conn.execute(_BALANCE, {"key": account.key}).scalar_one())

    def balances_of(self, accounts: Sequence[Account]) -> dict[Account, int]:
        found = dict.fromkeys(accounts, 0)
        keys = [a.key for a in found]
        for start in range(0, len(keys), 500):  # bounded IN lists
            stmt = (
                select(P.c.account, func.sum(P.c.amount))
                .where(P.c.account.in_(keys[start : start + 500]))
                .group_by(P.c.account)
            )
            for key, total in self.conn.execute(stmt):
                found[Account.parse(key)] = int(total)
        return found

    def user_balances(self, user_id: str) -> tuple[int, int, int]:
        params = {"cash": cash(user_id).key, "earnings": earnings(user_id).key, "user": user_id}
        found, reserved, earned = self.conn.execute(_USER_BALANCES, params).one()
        return int(found), int(reserved), int(earned)

    def balances(self) -> dict[Account, int]:
        stmt = select(P.c.account, func.sum(P.c.amount)).group_by(P.c.account)
        return {Account.parse(a): int(s) for a, s in self.conn.execute(stmt)}

    def entries_for(self, accounts: Sequence[Account], limit: int = 200) -> list[JournalEntry]:
        keys = [a.key for a in accounts]
        ids = select(P.c.entry_id).where(P.c.account.in_(keys)).distinct()
        stmt = (
            select(E)
            .where(E.c.id.in_(ids))
            .order_by(E.c.created_at.desc(), E.c.id.desc())
            .limit(limit)
        )
        return self._entries(self.conn.execute(stmt).all())

    def entries(self) -> Iterator[JournalEntry]:
        rows = self.conn.execute(select(E).order_by(E.c.created_at, E.c.id)).all()
        return iter(self._entries(rows))
