"""The abstract store: repositories grouped in a unit of work (one atomic transaction).

The domain service only talks to these protocols. ``Store.begin()`` opens a unit of work;
leaving the ``with`` block without an exception commits it, with one rolls everything back.
``lock=True`` on a read asks the store to hold the row until the end of the unit of work
(``SELECT ... FOR NO KEY UPDATE`` on PostgreSQL: it excludes every other locker of the row but
not the foreign-key checks of inserts that merely reference it, which ``FOR UPDATE`` would
block into deadlocks between a purchase and an offer being posted; SQLite and the in-memory
store serialise whole writing units of work instead), which is what makes money movements
safe when requests race.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from volition.bazaar.domain.bots import BotJob, BotSeller
from volition.bazaar.domain.contexts import ANY_CONTEXT, ContextFilter, DecisionContext
from volition.bazaar.domain.credentials import LLMCredential
from volition.bazaar.domain.escrow_records import EscrowRepository
from volition.bazaar.domain.forecasts import ForecastRepository
from volition.bazaar.domain.ledger import Account, JournalEntry
from volition.bazaar.domain.matchers import BuyerRecord, Matcher
from volition.bazaar.domain.offers import InfoOffer
from volition.bazaar.domain.purchases import Purchase
from volition.bazaar.domain.users import Token, User

__all__ = [
    "BotJobRepository",
    "BotRepository",
    "ContextRepository",
    "CredentialRepository",
    "IdempotencyRecord",
    "IdempotencyRepository",
    "LedgerRepository",
    "MatcherRepository",
    "OfferRepository",
    "PurchaseRepository",
    "Store",
    "TokenRepository",
    "UnitOfWork",
    "UserRepository",
]


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """The first result of an operation called with ``key`` by ``user_id``.

    ``request_hash`` fingerprints the request, so that reusing a key for a different request
    is refused instead of silently answered with an unrelated result.
    """

    user_id: str
    key: str
    operation: str
    request_hash: str
    result_id: str
    created_at: datetime


class UserRepository(Protocol):
    def add(self, user: User) -> None: ...
    def get(self, user_id: str, *, lock: bool = False) -> User | None: ...
    def get_by_name(self, name: str) -> User | None: ...
    def get_by_names(self, names: Sequence[str]) -> list[User]:
        """The users among ``names`` that exist, in one read (any order)."""
        ...

    def get_many(self, user_ids: Sequence[str]) -> list[User]:
        """The users among ``user_ids`` that exist, in one read (any order)."""
        ...

    def update(self, user: User) -> None: ...
    def count(self) -> int: ...


class TokenRepository(Protocol):
    def add(self, token: Token) -> None: ...
    def get(self, token_hash: str) -> Token | None: ...
    def delete(self, token_hash: str) -> None: ...
    def user_for(self, token_hash: str, now: datetime) -> tuple[User, datetime] | None:
        """The user of an unexpired token and the token's expiry, read in one statement."""
        ...

    def delete_expired(self, now: datetime, user_id: str | None = None) -> int:
        """Forget the tokens expired at ``now`` (only ``user_id``'s, if given); how many."""
        ...


class ContextRepository(Protocol):
    def add(self, context: DecisionContext) -> None: ...
    def get(self, context_id: str, *, lock: bool = False) -> DecisionContext | None: ...
    def get_many(
        self, context_ids: Sequence[str], *, exclusive: bool = False
    ) -> list[DecisionContext]:
        """The contexts among ``context_ids`` that exist, in one read (any order).

        ``exclusive``: locked against everything till the unit ends, even the key share an
        offer's insert takes of its context (PostgreSQL ``FOR UPDATE``): an offer posted
        meanwhile waits, and its event comes after what this unit writes."""
        ...

    def update(self, context: DecisionContext) -> None: ...
    def find(
        self, where: ContextFilter = ANY_CONTEXT, *, limit: int = 100
    ) -> list[DecisionContext]:
        """Newest first, filtered by status (empty: any), level and buyer."""
        ...

    def children(self, context_id: str) -> list[DecisionContext]: ...
    def descendants(self, context_id: str) -> list[DecisionContext]:
        """The children of ``context_id``, theirs, and so on down, in one read (any order)."""
        ...

    def family(self, context_id: str, parent_id: str | None) -> list[DecisionContext]:
        """The children of ``context_id`` and its parent ``parent_id`` (if any), in one read
        (not locked)."""
        ...

    def due(self, now: datetime) -> list[DecisionContext]:
        """Active contexts whose expiry is at or before ``now``."""
        ...


class OfferRepository(Protocol):
    def add(self, offer: InfoOffer) -> None: ...
    def get(self, offer_id: str, *, lock: bool = False) -> InfoOffer | None: ...
    def update(self, offer: InfoOffer) -> None: ...
    def for_context(self, context_id: str, *, lock: bool = False) -> list[InfoOffer]:
        """Oldest first; ``lock``: each of them held until the unit of work ends."""
        ...

    def for_contexts(self, context_ids: Sequence[str]) -> list[InfoOffer]:
        """The offers of all these contexts in one read, oldest first."""
        ...

    def with_purchases(
        self, context_ids: Sequence[str], *, lock: bool = False
    ) -> tuple[list[InfoOffer], list[Purchase]]:
        """The offers of these contexts (oldest first; ``lock``: each held until the unit of
        work ends) and the purchases of those offers, in one read."""
        ...

    def set_inspected(self, offer_ids: Sequence[str]) -> None:
        """Mark these offers inspected, in one write."""
        ...

    def by_seller(self, seller_id: str) -> list[InfoOffer]: ...
    def buyer_record(self, buyer_id: str) -> BuyerRecord:
        """Offers on the buyer's contexts: how many, how many inspected, how many bought."""
        ...


class PurchaseRepository(Protocol):
    def add(self, purchase: Purchase) -> None: ...
    def add_many(self, purchases: Sequence[Purchase]) -> None:
        """Store several purchases in one write."""
        ...

    def get(self, purchase_id: str) -> Purchase | None: ...
    def for_offer(self, offer_id: str) -> Purchase | None: ...
    def for_buyer(self, buyer_id: str) -> list[Purchase]: ...
    def for_context(self, context_id: str) -> list[Purchase]: ...
    def for_contexts(self, context_ids: Sequence[str]) -> list[Purchase]:
        """The purchases on all these contexts, in one read."""
        ...

    def all(self) -> list[Purchase]: ...


class MatcherRepository(Protocol):
    def add(self, matcher: Matcher) -> None: ...
    def get(self, matcher_id: str) -> Matcher | None: ...
    def delete(self, matcher_id: str) -> None: ...
    def for_seller(self, seller_id: str) -> list[Matcher]: ...


class LedgerRepository(Protocol):
    def record(self, entry: JournalEntry) -> None: ...
    def record_many(self, entries: Sequence[JournalEntry]) -> None:
        """Record several entries and their postings, in one write for each."""
        ...

    def entry(self, entry_id: str) -> JournalEntry | None: ...
    def balance(self, account: Account) -> int: ...
    def balances_of(self, accounts: Sequence[Account]) -> dict[Account, int]:
        """The balance of each of ``accounts`` (zero for one without postings)."""
        ...

    def balances(self) -> dict[Account, int]:
        """Every account that has a posting, with its balance."""
        ...

    def user_balances(self, user_id: str) -> tuple[int, int, int]:
        """A user's cash, the holds of their active contexts summed, and their earnings, read
        in one statement."""
        ...

    def entries_for(self, accounts: Sequence[Account], limit: int = 200) -> list[JournalEntry]:
        """Entries touching any of ``accounts``, newest first."""
        ...

    def entries(self) -> Iterator[JournalEntry]: ...


class IdempotencyRepository(Protocol):
    def get(self, user_id: str, key: str) -> IdempotencyRecord | None: ...
    def get_many(self, user_id: str, keys: Sequence[str]) -> dict[str, IdempotencyRecord]:
        """The records of ``user_id`` among ``keys``, by key, in one read."""
        ...

    def add(self, record: IdempotencyRecord) -> None: ...
    def add_many(self, records: Sequence[IdempotencyRecord]) -> None:
        """Store several records in one write."""
        ...


class BotRepository(Protocol):
    def add(self, bot: BotSeller) -> None: ...
    def get(self, bot_id: str, *, lock: bool = False) -> BotSeller | None: ...
    def update(self, bot: BotSeller) -> None: ...
    def delete(self, bot_id: str) -> None:
        """Delete the bot and its job records (its offers stay: they are its owner's)."""
        ...

    def for_owner(self, owner_id: str) -> list[BotSeller]:
        """Oldest first."""
        ...

    def all(self, *, active_only: bool = False, limit: int = 1000) -> list[BotSeller]:
        """Oldest first."""
        ...


class BotJobRepository(Protocol):
    def add(self, job: BotJob) -> None:
        """Record a job; ``Conflict`` if the bot already has one for the context."""
        ...

    def get(self, bot_id: str, context_id: str, *, lock: bool = False) -> BotJob | None: ...
    def update(self, job: BotJob) -> None: ...
    def for_context(self, context_id: str) -> list[BotJob]: ...
    def for_contexts(self, context_ids: Sequence[str]) -> list[BotJob]:
        """The jobs of all these contexts, in one read."""
        ...

    def for_bot(self, bot_id: str, limit: int = 100) -> list[BotJob]:
        """Newest first."""
        ...

    def claimable(self, now: datetime, max_attempts: int, limit: int) -> list[BotJob]:
        """Pending jobs, and running ones whose lease has run out, with attempts left."""
        ...


class CredentialRepository(Protocol):
    def get(self, user_id: str) -> LLMCredential | None: ...
    def put(self, credential: LLMCredential) -> None:
        """Store or replace the user's credential."""
        ...

    def delete(self, user_id: str) -> None: ...


class UnitOfWork(Protocol):
    users: UserRepository
    tokens: TokenRepository
    contexts: ContextRepository
    offers: OfferRepository
    purchases: PurchaseRepository
    matchers: MatcherRepository
    ledger: LedgerRepository
    idempotency: IdempotencyRepository
    bots: BotRepository
    bot_jobs: BotJobRepository
    credentials: CredentialRepository
    escrows: EscrowRepository

    def lock_owned(self, buyer_id: str, context_id: str) -> tuple[User, DecisionContext] | None:
        """The buyer's row, then its context's, locked in the bazaar's lock order (buyer
        first), in one read where the store can; None when either is missing or the context
        is another buyer's (the caller reads again to say which)."""
        buyer = self.users.get(buyer_id, lock=True)
        if buyer is None:
            return None
        context = self.contexts.get(context_id, lock=True)
        return None if context is None or context.buyer_id != buyer_id else (buyer, context)


class Store(Protocol):
    def begin(
        self, *, write: bool = True, snapshot: bool = True
    ) -> AbstractContextManager[UnitOfWork]:
        """Open a unit of work; ``write=False`` promises not to write (no global lock).

        ``snapshot=False`` (reads only) promises a single statement: it needs no transaction
        of its own, so a database may run it without BEGIN and COMMIT round trips.
        """
        ...

    def forecast_repository(self) -> ForecastRepository:
        """Where this store keeps forecast questions (``domain.forecasts``)."""
        ...
