"""The in-memory store: the testing seam, and the store experiments run the platform on.

One re-entrant lock serialises units of work (so racing threads behave as on a database with
row locks), and an undo log rolls a failed unit of work back. Records are frozen dataclasses,
so nothing outside a unit of work can change stored state. The tables are ``MemoryTable``s;
the repositories live by aggregate in ``memory_people`` (users, tokens, idempotency keys,
credentials), ``memory_market`` (contexts, offers, purchases, matchers), ``memory_ledger`` and
``memory_bots``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from volition.bazaar.domain.bots import BotJob, BotSeller
from volition.bazaar.domain.contexts import DecisionContext
from volition.bazaar.domain.credentials import LLMCredential
from volition.bazaar.domain.escrow_memory import MemoryEscrows
from volition.bazaar.domain.escrow_records import Escrow
from volition.bazaar.domain.forecast_memory import MemoryForecastRepository
from volition.bazaar.domain.ledger import Account, JournalEntry
from volition.bazaar.domain.matchers import Matcher
from volition.bazaar.domain.memory_bots import MemoryBotJobs, MemoryBots
from volition.bazaar.domain.memory_ledger import MemoryLedger
from volition.bazaar.domain.memory_market import (
    MemoryContexts,
    MemoryMatchers,
    MemoryOffers,
    MemoryPurchases,
)
from volition.bazaar.domain.memory_people import (
    MemoryCredentials,
    MemoryIdempotency,
    MemoryTokens,
    MemoryUsers,
)
from volition.bazaar.domain.memory_table import MemoryTable
from volition.bazaar.domain.offers import InfoOffer
from volition.bazaar.domain.purchases import Purchase
from volition.bazaar.domain.store import IdempotencyRecord, UnitOfWork
from volition.bazaar.domain.users import Token, User

__all__ = ["MemoryStore"]


class MemoryUnitOfWork(UnitOfWork):
    """The repositories of one unit of work, on the store's tables."""

    def __init__(self, store: MemoryStore) -> None:
        s = store
        self.undo = store._undo  # others' records kept beside the store join its rollback
        self.users = MemoryUsers(s.users)
        self.tokens = MemoryTokens(s.tokens, s.users)
        self.contexts = MemoryContexts(s.contexts)
        self.offers = MemoryOffers(s.offers, s.contexts, s.purchases)
        self.purchases = MemoryPurchases(s.purchases)
        self.matchers = MemoryMatchers(s.matchers)
        self.ledger = MemoryLedger(s.entries, s.sums, s.contexts)
        self.idempotency = MemoryIdempotency(s.idempotency)
        self.bots = MemoryBots(s.bots, s.bot_jobs)
        self.bot_jobs = MemoryBotJobs(s.bot_jobs)
        self.credentials = MemoryCredentials(s.credentials)
        self.escrows = MemoryEscrows(s.escrows)


class MemoryStore:
    """A store that keeps everything in this process's memory."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._undo: list[Callable[[], None]] = []
        self.users: MemoryTable[str, User] = MemoryTable(self._undo)
        self.tokens: MemoryTable[str, Token] = MemoryTable(self._undo)
        self.contexts: MemoryTable[str, DecisionContext] = MemoryTable(self._undo)
        self.offers: MemoryTable[str, InfoOffer] = MemoryTable(self._undo)
        self.purchases: MemoryTable[str, Purchase] = MemoryTable(self._undo)
        self.matchers: MemoryTable[str, Matcher] = MemoryTable(self._undo)
        self.entries: MemoryTable[str, JournalEntry] = MemoryTable(self._undo)
        self.sums: MemoryTable[Account, int] = MemoryTable(self._undo)
        self.idempotency: MemoryTable[tuple[str, str], IdempotencyRecord] = MemoryTable(self._undo)
        self.bots: MemoryTable[str, BotSeller] = MemoryTable(self._undo)
        self.bot_jobs: MemoryTable[tuple[str, str], BotJob] = MemoryTable(self._undo)
        self.credentials: MemoryTable[str, LLMCredential] = MemoryTable(self._undo)
        self.escrows: MemoryTable[str, Escrow] = MemoryTable(self._undo)
        self._forecasts = MemoryForecastRepository()

    def forecast_repository(self) -> MemoryForecastRepository:
        """The forecast questions of this store (kept beside its tables)."""
        return self._forecasts

    @contextmanager
    def begin(self, *, write: bool = True, snapshot: bool = True) -> Iterator[UnitOfWork]:
        """Open a unit of work; it commits on success and is undone on any exception."""
        with self._lock:
            mark = len(self._undo)
            try:
                yield MemoryUnitOfWork(self)
            except BaseException:
                while len(self._undo) > mark:
                    self._undo.pop()()
                raise
            finally:
                if mark == 0:
                    self._undo.clear()
