"""The in-memory ledger: journal entries, with running sums of the postings (``MemoryStore``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from volition.bazaar.domain.contexts import DecisionContext
from volition.bazaar.domain.errors_util import duplicate
from volition.bazaar.domain.ledger import Account, JournalEntry, cash, earnings, hold
from volition.bazaar.domain.memory_table import MemoryTable

__all__ = ["MemoryLedger"]


class MemoryLedger:
    def __init__(
        self,
        entries: MemoryTable[str, JournalEntry],
        sums: MemoryTable[Account, int],
        contexts: MemoryTable[str, DecisionContext],
    ) -> None:
        self._t = entries
        self._sums = sums  # running sums of the postings, kept with the entries
        self._contexts = contexts

    def user_balances(self, user_id: str) -> tuple[int, int, int]:
        reserved = sum(
            self.balance(hold(c.id))
            for c in self._contexts.values()
            if c.buyer_id == user_id and c.is_active
        )
        return self.balance(cash(user_id)), reserved, self.balance(earnings(user_id))

    def record(self, entry: JournalEntry) -> None:
        if self._t.get(entry.id) is not None:
            raise duplicate("journal entry", entry.id)
        self._t.put(entry.id, entry)
        for p in entry.postings:
            self._sums.put(p.account, (self._sums.get(p.account) or 0) + p.amount)

    def record_many(self, entries: Sequence[JournalEntry]) -> None:
        for entry in entries:
            self.record(entry)

    def entry(self, entry_id: str) -> JournalEntry | None:
        return self._t.get(entry_id)

    def balance(self, account: Account) -> int:
        return self._sums.get(account) or 0

    def balances_of(self, accounts: Sequence[Account]) -> dict[Account, int]:
        return {a: self.balance(a) for a in accounts}

    def balances(self) -> dict[Account, int]:
        out: dict[Account, int] = {}
        for e in self._t.rows.values():  # recomputed from the postings, for audits
            for p in e.postings:
                out[p.account] = out.get(p.account, 0) + p.amount
        return out

    def entries_for(self, accounts: Sequence[Account], limit: int = 200) -> list[JournalEntry]:
        wanted = set(accounts)
        rows = [e for e in self._t.values() if any(p.account in wanted for p in e.postings)]
        rows.sort(key=lambda e: (e.created_at, e.id), reverse=True)
        return rows[:limit]

    def entries(self) -> Iterator[JournalEntry]:
        return iter(self._t.values())
