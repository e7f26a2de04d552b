"""The in-memory store: the testing seam, and the store experiments run the platform on.

One re-entrant lock serialises units of work (so racing threads behave as on a database with
row locks), and an undo log rolls a failed unit of work back. Records are frozen dataclasses,
so nothing outside a unit of work can change stored state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Generic, TypeVar

from volition.bazaar.domain.bots import BotJob, BotSeller
from volition.bazaar.domain.contexts import ContextStatus, DecisionContext
from volition.bazaar.domain.credentials import LLMCredential
from volition.bazaar.domain.errors_util import duplicate
from volition.bazaar.domain.forecast_memory import MemoryForecastRepository
from volition.bazaar.domain.ledger import Account, JournalEntry, cash, earnings, hold
from volition.bazaar.domain.matchers import BuyerRecord, Matcher
from volition.bazaar.domain.offers import InfoOffer
from volition.bazaar.domain.purchases import Purchase
from volition.bazaar.domain.store import (
    BotJobRepository,
    BotRepository,
    ContextRepository,
    CredentialRepository,
    IdempotencyRecord,
    IdempotencyRepository,
    LedgerRepository,
    MatcherRepository,
    OfferRepository,
    PurchaseRepository,
    TokenRepository,
    UnitOfWork,
    UserRepository,
)
from volition.bazaar.domain.users import Token, User

__all__ = ["MemoryStore"]

K = TypeVar("K")
V = TypeVar("V")


class _Table(Generic[K, V]):
    """A dict whose changes are undone if the unit of work fails."""

    def __init__(self, undo: list[Callable[[], None]]) -> None:
        self.rows: dict[K, V] = {}
        self._undo = undo

    def get(self, key: K) -> V | None:
        return self.rows.get(key)

    def put(self, key: K, value: V) -> None:
        if key in self.rows:
            self._undo.append(self._restorer(key, self.rows[key]))
        else:
            self._undo.append(self._remover(key))
        self.rows[key] = value

    def _restorer(self, key: K, old: V) -> Callable[[], None]:
        def restore() -> None:
            self.rows[key] = old

        return restore

    def _remover(self, key: K) -> Callable[[], None]:
        def remove() -> None:
            self.rows.pop(key, None)

        return remove

    def delete(self, key: K) -> None:
        if key in self.rows:
            self._undo.append(self._restorer(key, self.rows.pop(key)))

    def values(self) -> list[V]:
        return list(self.rows.values())


class _Users:
    def __init__(self, table: _Table[str, User]) -> None:
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


class _Tokens:
    def __init__(self, table: _Table[str, Token], users: _Table[str, User]) -> None:
        self._t = table
        self._users = users

    def add(self, token: Token) -> None:
        self._t.put(token.token_hash, token)

    def get(self, token_hash: str) -> Token | None:
        return self._t.get(token_hash)

    def delete(self, token_hash: str) -> None:
        self._t.delete(token_hash)

    def user_for(self, token_hash: str, now: datetime) -> User | None:
        token = self._t.get(token_hash)
        if token is None or token.expires_at <= now:
            return None
        return self._users.get(token.user_id)

    def delete_expired(self, now: datetime, user_id: str | None = None) -> int:
        gone = [
            t.token_hash
            for t in self._t.values()
            if t.expires_at <= now and (user_id is None or t.user_id == user_id)
        ]
        for token_hash in gone:
            self._t.delete(token_hash)
        return len(gone)


class _Contexts:
    def __init__(self, table: _Table[str, DecisionContext]) -> None:
        self._t = table

    def add(self, context: DecisionContext) -> None:
        self._t.put(context.id, context)

    def get(self, context_id: str, *, lock: bool = False) -> DecisionContext | None:
        return self._t.get(context_id)

    def get_many(self, context_ids: Sequence[str]) -> list[DecisionContext]:
        return [c for i in dict.fromkeys(context_ids) if (c := self._t.get(i)) is not None]

    def update(self, context: DecisionContext) -> None:
        self._t.put(context.id, context)

    def find(
        self,
        *,
        statuses: Sequence[ContextStatus] = (),
        top_level_only: bool = False,
        buyer_id: str | None = None,
        limit: int = 100,
    ) -> list[DecisionContext]:
        rows = [
            c
            for c in self._t.values()
            if (not statuses or c.status in statuses)
            and not (top_level_only and c.is_child)
            and (buyer_id is None or c.buyer_id == buyer_id)
        ]
        rows.sort(key=lambda c: (c.created_at, c.id), reverse=True)
        return rows[:limit]

    def children(self, context_id: str) -> list[DecisionContext]:
        return [c for c in self._t.values() if c.parent_context_id == context_id]

    def due(self, now: datetime) -> list[DecisionContext]:
        return [c for c in self._t.values() if c.is_due(now)]


class _Offers:
    def __init__(
        self,
        table: _Table[str, InfoOffer],
        contexts: _Table[str, DecisionContext],
        purchases: _Table[str, Purchase],
    ) -> None:
        self._t = table
        self._contexts = contexts
        self._purchases = purchases

    def add(self, offer: InfoOffer) -> None:
        self._t.put(offer.id, offer)

    def get(self, offer_id: str, *, lock: bool = False) -> InfoOffer | None:
        return self._t.get(offer_id)

    def update(self, offer: InfoOffer) -> None:
        self._t.put(offer.id, offer)

    def for_context(self, context_id: str, *, lock: bool = False) -> list[InfoOffer]:
        rows = [o for o in self._t.values() if o.context_id == context_id]
        return sorted(rows, key=lambda o: (o.created_at, o.id))

    def set_inspected(self, offer_ids: Sequence[str]) -> None:
        for offer_id in offer_ids:
            if (offer := self._t.get(offer_id)) is not None:
                self._t.put(offer_id, replace(offer, inspected=True))

    def for_contexts(self, context_ids: Sequence[str]) -> list[InfoOffer]:
        wanted = set(context_ids)
        rows = [o for o in self._t.values() if o.context_id in wanted]
        return sorted(rows, key=lambda o: (o.created_at, o.id))

    def by_seller(self, seller_id: str) -> list[InfoOffer]:
        rows = [o for o in self._t.values() if o.seller_id == seller_id]
        return sorted(rows, key=lambda o: (o.created_at, o.id))

    def buyer_record(self, buyer_id: str) -> BuyerRecord:
        mine = {c.id for c in self._contexts.values() if c.buyer_id == buyer_id}
        offers = [o for o in self._t.values() if o.context_id in mine]
        bought = {p.offer_id for p in self._purchases.values()}
        return BuyerRecord(
            offers=len(offers),
            inspected=sum(o.inspected for o in offers),
            purchased=sum(o.id in bought for o in offers),
        )


class _Purchases:
    def __init__(self, table: _Table[str, Purchase]) -> None:
        self._t = table

    def add(self, purchase: Purchase) -> None:
        if self.for_offer(purchase.offer_id) is not None:
            raise duplicate("purchase of offer", purchase.offer_id)
        self._t.put(purchase.id, purchase)

    def add_many(self, purchases: Sequence[Purchase]) -> None:
        for purchase in purchases:
            self.add(purchase)

    def get(self, purchase_id: str) -> Purchase | None:
        return self._t.get(purchase_id)

    def for_offer(self, offer_id: str) -> Purchase | None:
        return next((p for p in self._t.values() if p.offer_id == offer_id), None)

    def for_buyer(self, buyer_id: str) -> list[Purchase]:
        rows = [p for p in self._t.values() if p.buyer_id == buyer_id]
        return sorted(rows, key=lambda p: (p.created_at, p.id), reverse=True)

    def for_context(self, context_id: str) -> list[Purchase]:
        return [p for p in self._t.values() if p.context_id == context_id]

    def for_contexts(self, context_ids: Sequence[str]) -> list[Purchase]:
        wanted = set(context_ids)
        return [p for p in self._t.values() if p.context_id in wanted]

    def all(self) -> list[Purchase]:
        return self._t.values()


class _Matchers:
    def __init__(self, table: _Table[str, Matcher]) -> None:
        self._t = table

    def add(self, matcher: Matcher) -> None:
        self._t.put(matcher.id, matcher)

    def get(self, matcher_id: str) -> Matcher | None:
        return self._t.get(matcher_id)

    def delete(self, matcher_id: str) -> None:
        self._t.delete(matcher_id)

    def for_seller(self, seller_id: str) -> list[Matcher]:
        return [m for m in self._t.values() if m.seller_id == seller_id]


class _Ledger:
    def __init__(
        self,
        entries: _Table[str, JournalEntry],
        sums: _Table[Account, int],
        contexts: _Table[str, DecisionContext],
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


class _Idempotency:
    def __init__(self, table: _Table[tuple[str, str], IdempotencyRecord]) -> None:
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


class _Bots:
    def __init__(self, table: _Table[str, BotSeller], jobs: _Table[tuple[str, str], BotJob]):
        self._t = table
        self._jobs = jobs

    def add(self, bot: BotSeller) -> None:
        if self._t.get(bot.id) is not None:
            raise duplicate("bot", bot.id)
        self._t.put(bot.id, bot)

    def get(self, bot_id: str, *, lock: bool = False) -> BotSeller | None:
        return self._t.get(bot_id)

    def update(self, bot: BotSeller) -> None:
        self._t.put(bot.id, bot)

    def delete(self, bot_id: str) -> None:
        for key in [k for k in self._jobs.rows if k[0] == bot_id]:
            self._jobs.delete(key)
        self._t.delete(bot_id)

    def for_owner(self, owner_id: str) -> list[BotSeller]:
        rows = [b for b in self._t.values() if b.owner_id == owner_id]
        return sorted(rows, key=lambda b: (b.created_at, b.id))

    def all(self, *, active_only: bool = False, limit: int = 1000) -> list[BotSeller]:
        rows = [b for b in self._t.values() if b.active or not active_only]
        return sorted(rows, key=lambda b: (b.created_at, b.id))[:limit]


class _BotJobs:
    def __init__(self, table: _Table[tuple[str, str], BotJob]) -> None:
        self._t = table

    def add(self, job: BotJob) -> None:
        if self._t.get((job.bot_id, job.context_id)) is not None:
            raise duplicate("job of bot", f"{job.bot_id} on {job.context_id}")
        self._t.put((job.bot_id, job.context_id), job)

    def get(self, bot_id: str, context_id: str, *, lock: bool = False) -> BotJob | None:
        return self._t.get((bot_id, context_id))

    def update(self, job: BotJob) -> None:
        self._t.put((job.bot_id, job.context_id), job)

    def for_context(self, context_id: str) -> list[BotJob]:
        return [j for j in self._t.values() if j.context_id == context_id]

    def for_contexts(self, context_ids: Sequence[str]) -> list[BotJob]:
        wanted = set(context_ids)
        return [j for j in self._t.values() if j.context_id in wanted]

    def for_bot(self, bot_id: str, limit: int = 100) -> list[BotJob]:
        rows = [j for j in self._t.values() if j.bot_id == bot_id]
        rows.sort(key=lambda j: (j.created_at, j.context_id), reverse=True)
        return rows[:limit]

    def claimable(self, now: datetime, max_attempts: int, limit: int) -> list[BotJob]:
        rows = [j for j in self._t.values() if j.claimable(now, max_attempts)]
        rows.sort(key=lambda j: (j.created_at, j.bot_id, j.context_id))
        return rows[:limit]


class _Credentials:
    def __init__(self, table: _Table[str, LLMCredential]) -> None:
        self._t = table

    def get(self, user_id: str) -> LLMCredential | None:
        return self._t.get(user_id)

    def put(self, credential: LLMCredential) -> None:
        self._t.put(credential.user_id, credential)

    def delete(self, user_id: str) -> None:
        self._t.delete(user_id)


class _MemoryUnitOfWork:
    def __init__(self, store: MemoryStore) -> None:
        s = store
        self.undo = store._undo  # others' records kept beside the store join its rollback
        self.users: UserRepository = _Users(s.users)
        self.tokens: TokenRepository = _Tokens(s.tokens, s.users)
        self.contexts: ContextRepository = _Contexts(s.contexts)
        self.offers: OfferRepository = _Offers(s.offers, s.contexts, s.purchases)
        self.purchases: PurchaseRepository = _Purchases(s.purchases)
        self.matchers: MatcherRepository = _Matchers(s.matchers)
        self.ledger: LedgerRepository = _Ledger(s.entries, s.sums, s.contexts)
        self.idempotency: IdempotencyRepository = _Idempotency(s.idempotency)
        self.bots: BotRepository = _Bots(s.bots, s.bot_jobs)
        self.bot_jobs: BotJobRepository = _BotJobs(s.bot_jobs)
        self.credentials: CredentialRepository = _Credentials(s.credentials)


class MemoryStore:
    """A store that keeps everything in this process's memory."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._undo: list[Callable[[], None]] = []
        self.users: _Table[str, User] = _Table(self._undo)
        self.tokens: _Table[str, Token] = _Table(self._undo)
        self.contexts: _Table[str, DecisionContext] = _Table(self._undo)
        self.offers: _Table[str, InfoOffer] = _Table(self._undo)
        self.purchases: _Table[str, Purchase] = _Table(self._undo)
        self.matchers: _Table[str, Matcher] = _Table(self._undo)
        self.entries: _Table[str, JournalEntry] = _Table(self._undo)
        self.sums: _Table[Account, int] = _Table(self._undo)
        self.idempotency: _Table[tuple[str, str], IdempotencyRecord] = _Table(self._undo)
        self.bots: _Table[str, BotSeller] = _Table(self._undo)
        self.bot_jobs: _Table[tuple[str, str], BotJob] = _Table(self._undo)
        self.credentials: _Table[str, LLMCredential] = _Table(self._undo)
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
                yield _MemoryUnitOfWork(self)
            except BaseException:
                while len(self._undo) > mark:
                    self._undo.pop()()
                raise
            finally:
                if mark == 0:
                    self._undo.clear()
