"""The bazaar's operations: every change of state, each one atomic unit of work.

``Bazaar`` is the only writer. Each method opens one unit of work on the store, checks
everything, then writes; an error leaves nothing changed. Money-moving methods lock the
acting user's row first (then contexts, then offers, always in that order, so racing requests
queue instead of deadlocking) and accept an idempotency key: a repeated key returns the first
result and moves no money.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeVar

from volition.bazaar.domain import attention, escrow, follow_ups, record_filter
from volition.bazaar.domain.audit import audit
from volition.bazaar.domain.checks import check_cents, check_storable, check_text
from volition.bazaar.domain.contexts import (
    ACTIVE,
    ContextStatus,
    DecisionContext,
    Disclosure,
    RevealPolicy,
)
from volition.bazaar.domain.escrow_records import EscrowTerms
from volition.bazaar.domain.events import Event, EventKind, Listener, publish
from volition.bazaar.domain.ids import Clock, new_id, utc_now
from volition.bazaar.domain.ledger import (
    FUNDING,
    HOUSE,
    EntryKind,
    JournalEntry,
    cash,
    earnings,
    hold,
    transfer,
)
from volition.bazaar.domain.matchers import BuyerRecord, Matcher
from volition.bazaar.domain.offers import InfoOffer, OfferStatus, OfferView
from volition.bazaar.domain.passwords import PasswordHasher
from volition.bazaar.domain.purchases import Mechanism, Purchase
from volition.bazaar.domain.record_minimum import RecordMinimum
from volition.bazaar.domain.settings import BazaarSettings
from volition.bazaar.domain.step_purchases import (
    Batch,
    plan_batch,
    purchase_entries,
    purchase_needs,
)
from volition.bazaar.domain.store import IdempotencyRecord, Store, UnitOfWork
from volition.bazaar.domain.units import Units
from volition.bazaar.domain.users import Token, User, hash_token, validate_name
from volition.bazaar.domain.visibility import can_read_private, can_see_context
from volition.bazaar.domain.words import check_keyword
from volition.bazaar.errors import (
    Conflict,
    Forbidden,
    InsufficientFunds,
    NotFound,
    Unauthorized,
)
from volition.errors import InputError, PriceError

__all__ = ["Balances", "Bazaar", "ContextSpec"]

T = TypeVar("T")
# Who is looking: a user id, the User itself (already authenticated: not read again), or
# None for an anonymous visitor.
Viewer = User | str | None
_CLOSED_BY = {
    ContextStatus.CANCELLED: "cancelled",
    ContextStatus.EXPIRED: "expired",
    ContextStatus.DECIDED: "decided",
}


@dataclass(frozen=True, slots=True)
class ContextSpec:
    """What a buyer asks for when posting a context.

    ``named_sellers`` are user names; ``parent_offer_ids`` make it a follow-up (child)
    context about those offers, funded from their context's reservation. ``reveal`` is the
    child's amnesia policy (``RevealPolicy``; a value or its string): which of its purchases
    reach the buyer. It is the child's own, set by whoever posts it (only the buyer of the
    parent context can), and has no effect on a top-level context. ``by_inspector``: posted
    by the buyer's inspector (the engine), so amnesia covers what it says (``follow_ups``).
    ``attention`` (None: unlimited) and ``reading_cost``: the attention auction's terms
    (``attention``); a follow-up has its own. ``record_minimum``: the least track record a
    seller needs for the inspector to read its offers (``record_minimum``; None: any seller,
    or for a follow-up its parent's).
    """

    query: str
    budget: int
    priority: float = 0.5
    pages: tuple[str, ...] = ()
    named_sellers: tuple[str, ...] = ()
    expires_at: datetime | None = None
    parent_offer_ids: tuple[str, ...] = ()
    reveal: RevealPolicy = RevealPolicy.WITH_PARENT
    by_inspector: bool = False
    attention: int | None = None
    reading_cost: int = 0
    record_minimum: RecordMinimum | None = None


@dataclass(frozen=True, slots=True)
class Balances:
    """A user's money in cents: available cash, reserved in their active contexts, earnings."""

    cash: int
    reserved: int
    earnings: int


class Bazaar:
    """The platform's domain service over an abstract ``Store``."""

    def __init__(
        self,
        store: Store,
        *,
        hasher: PasswordHasher,
        settings: BazaarSettings | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.store = store
        self.hasher = hasher
        self.settings = settings or BazaarSettings()
        self.clock = clock
        self._decoy: str | None = None
        self._listeners: list[Listener] = []
        self._units = Units(store)

    @contextmanager
    def unit(self) -> Iterator[UnitOfWork]:
        """Run several operations as one unit of work, committed together (``units``).

        Operations that join it: ``post_context``, ``post_offer``, ``start_inspecting``,
        ``decide_context``, ``buy_and_close``, ``cancel_context``, ``mark_inspected``,
        ``mark_context_inspected``, ``buy_inspected``, ``buy_blind``, ``charge_inspection``
        and ``remaining`` (any other opens its own transaction: never call a writing one
        inside a unit on SQLite, where it would wait for this unit's lock). The block may
        also read and write through the unit it is given (the inspection engine's own
        records)."""
        with self._units.unit(self._listeners) as uow:
            yield uow

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener`` after each committed context post, offer post and closing."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling ``listener``."""
        self._listeners.remove(listener)

    # ---------------------------------------------------------------- users and tokens

    def register(
        self, name: str, password: str, *, buyer: bool = True, seller: bool = False
    ) -> User:
        """Sign up a user (never an operator); credit the starting grant if one is set."""
        return self._create_user(name, password, buyer=buyer, seller=seller, operator=False)

    def bootstrap_operator(self, name: str, password: str) -> User:
        """Create an operator. Trusted set-up only (CLI, server start), never reachable by HTTP."""
        return self._create_user(name, password, buyer=True, seller=True, operator=True)

    def _create_user(
        self, name: str, password: str, *, buyer: bool, seller: bool, operator: bool
    ) -> User:
        validate_name(name)
        if not isinstance(password, str) or not 8 <= len(password) <= 256:
            raise InputError("a password must be 8 to 256 characters long")
        check_storable(password, "the password")
        if not (buyer or seller):
            raise InputError("a user must be a buyer, a seller or both")
        password_hash = self.hasher.hash(password)  # slow: outside the transaction
        now = self.clock()
        user = User(new_id("usr"), name, password_hash, buyer, seller, operator, now)
        with self.store.begin() as uow:
            if uow.users.get_by_name(name) is not None:
                raise Conflict(f"the user name {name!r} is taken; choose another")
            uow.users.add(user)
            grant = self.settings.starting_grant
            if grant > 0:
                uow.ledger.record(
                    transfer(
                        new_id("ent"),
                        EntryKind.GRANT,
                        FUNDING,
                        cash(user.id),
                        grant,
                        now,
                        "starting grant",
                    )
                )
        return user

    def grant_operator(self, actor_id: str, user_id: str) -> User:
        """Make ``user_id`` an operator; only an operator may do this."""
        with self.store.begin() as uow:
            actor = self._user(uow, actor_id)
            if not actor.is_operator:
                raise Forbidden("only an operator can grant the operator role")
            user = self._user(uow, user_id, lock=True)
            user = replace(user, is_operator=True)
            uow.users.update(user)
            return user

    def issue_token(self, name: str, password: str) -> tuple[str, Token]:
        """Check a password and return a new bearer token (shown once) with its record."""
        check_storable(name, "the user name")
        check_storable(password, "the password")
        with self.store.begin(write=False) as uow:
            user = uow.users.get_by_name(name)
        if user is None:
            # as slow as a real check, so the answer's timing does not tell who has an account
            self.hasher.verify(self._decoy_hash(), password)
            raise Unauthorized("wrong user name or password")
        if not self.hasher.verify(user.password_hash, password):
            raise Unauthorized("wrong user name or password")
        token = secrets.token_urlsafe(32)
        now = self.clock()
        record = Token(hash_token(token), user.id, now, now + self.settings.token_lifetime)
        with self.store.begin() as uow:
            uow.tokens.delete_expired(now, user.id)  # a user's dead tokens go as they sign in
            uow.tokens.add(record)
        return token, record

    def purge_expired_tokens(self) -> int:
        """Forget every expired token (they already fail to authenticate); how many went."""
        with self.store.begin() as uow:
            return uow.tokens.delete_expired(self.clock())

    def _decoy_hash(self) -> str:
        if self._decoy is None:
            self._decoy = self.hasher.hash(secrets.token_urlsafe(16))
        return self._decoy

    def authenticate(self, token: str) -> User:
        """The user a bearer token stands for; ``Unauthorized`` if unknown or expired.

        On every request, so it is one indexed read: the token's SHA-256 (never a password
        hash) joined to its user.
        """
        with self.store.begin(write=False, snapshot=False) as uow:
            user = uow.tokens.user_for(hash_token(token), self.clock())
        if user is None:
            raise Unauthorized("the token is unknown or expired; sign in again")
        return user

    def revoke_token(self, token: str) -> None:
        """Forget a bearer token (sign out)."""
        with self.store.begin() as uow:
            uow.tokens.delete(hash_token(token))

    def user(self, user_id: str) -> User:
        """The user with this id."""
        with self.store.begin(write=False) as uow:
            return self._user(uow, user_id)

    def find_user(self, name_or_id: str) -> User:
        """The user with this name, or else this id."""
        with self.store.begin(write=False) as uow:
            user = uow.users.get_by_name(name_or_id) or uow.users.get(name_or_id)
            if user is None:
                raise NotFound(f"there is no user {name_or_id!r}")
            return user

    # ---------------------------------------------------------------------- money

    def credit(
        self, actor_id: str, user_id: str, cents: int, *, idempotency_key: str | None = None
    ) -> JournalEntry:
        """Operator credit: move ``cents`` from the funding source to a user's cash."""
        check_cents(cents, "a credit")
        if not 0 < cents <= self.settings.max_budget:
            raise InputError(
                f"a credit must be between 1 and {self.settings.max_budget} cents, not {cents}"
            )
        with self.store.begin() as uow:
            actor = self._user(uow, actor_id, lock=True)
            if not actor.is_operator:
                raise Forbidden("only an operator can credit money")
            request = f"{user_id}:{cents}"
            first = self._replay(
                uow, actor_id, idempotency_key, "credit", request, uow.ledger.entry
            )
            if first is not None:
                return first
            self._user(uow, user_id)
            entry = transfer(
                new_id("ent"),
                EntryKind.CREDIT,
                FUNDING,
                cash(user_id),
                cents,
                self.clock(),
                f"credit by {actor.name}",
            )
            uow.ledger.record(entry)
            self._remember(uow, actor_id, idempotency_key, "credit", request, entry.id)
            return entry

    def audit(self, actor_id: str) -> list[str]:
        """Check the books (``volition.bazaar.domain.audit``); operators only."""
        if not self.user(actor_id).is_operator:
            raise Forbidden("only an operator can audit the ledger")
        return audit(self.store)

    def cash_out(
        self, actor_id: str, cents: int, *, idempotency_key: str | None = None
    ) -> JournalEntry:
        """Move ``cents`` of your earnings to your available cash (to spend them as a buyer)."""
        check_cents(cents, "the amount")
        if cents <= 0:
            raise InputError(f"the amount must be at least 1 cent, not {cents}")
        with self.store.begin() as uow:
            user = self._user(uow, actor_id, lock=True)
            request = str(cents)
            first = self._replay(
                uow, actor_id, idempotency_key, "cash_out", request, uow.ledger.entry
            )
            if first is not None:
                return first
            have = uow.ledger.balance(earnings(user.id))
            if cents > have:
                raise InsufficientFunds(
                    f"you have {have} cents of earnings; you cannot move {cents} to cash"
                )
            entry = transfer(
                new_id("ent"),
                EntryKind.CASH_OUT,
                earnings(user.id),
                cash(user.id),
                cents,
                self.clock(),
                "earnings to cash",
            )
            uow.ledger.record(entry)
            self._remember(uow, actor_id, idempotency_key, "cash_out", request, entry.id)
            return entry

    def balances(self, user: User | str) -> Balances:
        """A user's cash, reservations and earnings, derived from the postings (a user id, or
        the User just authenticated)."""
        known = isinstance(user, User)  # then one statement: no transaction of its own
        with self.store.begin(write=False, snapshot=not known) as uow:
            found = self._viewer(uow, user)
            assert found is not None
            return self._balances(uow, found.id)

    def ledger(self, user_id: str, limit: int = 200) -> list[JournalEntry]:
        """Journal entries touching the user's accounts (their contexts' holds included).

        Amnesia (``follow_ups``): a follow-up whose writings its buyer may not see leaves no
        budget in the buyer's ledger. The moves between its reservation and its parent's
        (which are the budget its inspector chose) are left out; its other entries (its
        purchases, at their offers' prices) keep their amounts with a memo that names nothing.
        """
        with self.store.begin(write=False) as uow:
            user = self._user(uow, user_id)
            own = uow.contexts.find(buyer_id=user_id, limit=10**9)
            entries = uow.ledger.entries_for(
                [cash(user_id), earnings(user_id), *(hold(c.id) for c in own)], limit
            )
            forgotten = {
                hold(c.id).key
                for c in own
                if self._shown(uow, user, c).disclosure is Disclosure.FORGOTTEN
            }
            if not forgotten:
                return entries
            holds = {hold(c.id).key for c in own}
            out = []
            for entry in entries:
                keys = {p.account.key for p in entry.postings}
                if not keys & forgotten:
                    out.append(entry)
                elif not keys <= holds:  # money left the buyer's holds: keep it, memo hidden
                    out.append(replace(entry, memo="in a forgotten follow-up"))
            return out

    def remaining(self, context_id: str) -> int:
        """What is left of a context's reservation, in cents."""
        with self._units.begin(write=False) as uow:
            return uow.ledger.balance(hold(context_id))

    def remainders(self, context_ids: Sequence[str]) -> dict[str, int]:
        """What is left of each context's reservation, in cents, read in one transaction."""
        with self.store.begin(write=False) as uow:
            found = uow.ledger.balances_of([hold(i) for i in context_ids])
            return {a.owner: amount for a, amount in found.items()}

    # ------------------------------------------------------------------- contexts

    def post_context(
        self, actor_id: str, spec: ContextSpec, *, idempotency_key: str | None = None
    ) -> DecisionContext:
        """Post a decision context, reserving its budget (docs/theory.md §5).

        A top-level context reserves from the buyer's cash; a child context reserves from its
        parent's remaining reservation. Refused with ``InsufficientFunds`` when the money is
        not there.
        """
        s = self.settings
        check_text(spec.query, "the query", s.max_query_chars)
        budget = check_cents(spec.budget, "the budget")
        if not 0 <= budget <= s.max_budget:
            raise InputError(f"the budget must be between 0 and {s.max_budget} cents, not {budget}")
        if not isinstance(spec.priority, int | float) or not (
            math.isfinite(spec.priority) and 0.0 <= spec.priority <= 1.0
        ):
            raise InputError(f"the priority must be a number in [0, 1], not {spec.priority!r}")
        if len(spec.pages) > s.max_pages:
            raise InputError(f"{len(spec.pages)} context pages given; the limit is {s.max_pages}")
        for url in spec.pages:
            check_text(url, "a context page URL", s.max_url_chars)
            if not url.startswith(("http://", "https://")):
                raise InputError(f"context page {url!r} is not an http(s) URL")
        try:
            reveal = RevealPolicy(spec.reveal)
        except ValueError:
            raise InputError(
                f"the reveal policy must be 'with_parent' or 'all', not {spec.reveal!r}"
            ) from None
        reads = attention.check_attention(spec.attention)
        reading_cost = attention.check_reading_cost(spec.reading_cost, s.max_budget)
        minimum = _record_minimum(spec.record_minimum)
        now = self.clock()
        if spec.expires_at is not None and spec.expires_at <= now:
            raise InputError("the expiry is in the past; give a time in the future")
        with self._units.begin() as uow:
            buyer = self._user(uow, actor_id, lock=True)
            if not buyer.is_buyer:
                raise Forbidden("only buyers can post contexts; sign up with the buyer role")
            # a retry may recompute a relative expiry, so the expiry is not part of the request
            request = repr(replace(spec, expires_at=None))
            first = self._replay(
                uow, actor_id, idempotency_key, "context", request, uow.contexts.get
            )
            if first is not None:
                return first
            named: list[str] = []
            sellers = {u.name: u for u in uow.users.get_by_names(list(spec.named_sellers))}
            for name in dict.fromkeys(spec.named_sellers):  # in order: the first unknown
                seller = sellers.get(name)
                if seller is None or not seller.is_seller:
                    raise NotFound(f"there is no seller named {name!r}")
                named.append(seller.id)
            parent = self._parent_of(uow, buyer, spec.parent_offer_ids)
            context = DecisionContext(
                id=new_id("ctx"),
                buyer_id=buyer.id,
                query=spec.query,
                pages=tuple(spec.pages),
                budget=budget,
                priority=float(spec.priority),
                named_seller_ids=tuple(named),
                created_at=now,
                expires_at=spec.expires_at,
                status=ContextStatus.OPEN,
                parent_offer_ids=tuple(dict.fromkeys(spec.parent_offer_ids)),
                parent_context_id=parent.id if parent else None,
                depth=parent.depth + 1 if parent else 0,
                reveal=reveal,
                by_inspector=bool(spec.by_inspector) and parent is not None,
                attention=reads,
                reading_cost=reading_cost,
                record_minimum=parent.record_minimum if minimum is None and parent else minimum,
            )
            source = hold(parent.id) if parent else cash(buyer.id)
            available = uow.ledger.balance(source)
            if budget > available:
                where = "the parent context's reservation" if parent else "your available cash"
                raise InsufficientFunds(
                    f"a budget of {budget} cents is more than {where} ({available} cents); "
                    "lower the budget or add funds"
                )
            uow.contexts.add(context)
            if budget > 0:
                uow.ledger.record(
                    transfer(
                        new_id("ent"),
                        EntryKind.RESERVE,
                        source,
                        hold(context.id),
                        budget,
                        now,
                        f"budget of {context.id}",
                    )
                )
            self._remember(uow, actor_id, idempotency_key, "context", request, context.id)
        self._units.publish(self._listeners, Event(EventKind.CONTEXT_POSTED, context.id))
        return context

    def _parent_of(
        self, uow: UnitOfWork, buyer: User, offer_ids: Sequence[str]
    ) -> DecisionContext | None:
        if not offer_ids:
            return None
        offers = [uow.offers.get(i) for i in offer_ids]
        found = [o for o in offers if o is not None]
        if len(found) != len(offers):
            raise NotFound("a parent offer does not exist; check the offer ids")
        withdrawn = [o.id for o in found if o.status is OfferStatus.WITHDRAWN]
        if withdrawn:
            raise Conflict(f"offer {withdrawn[0]} was withdrawn; ask about offers still standing")
        context_ids = {o.context_id for o in found}
        if len(context_ids) != 1:
            raise InputError("the parent offers of a follow-up context must share one context")
        parent = uow.contexts.get(context_ids.pop(), lock=True)
        assert parent is not None
        if parent.buyer_id != buyer.id:
            raise Forbidden("follow-up contexts can only be posted about offers on your contexts")
        self._ensure_active(parent)
        if parent.depth + 1 > self.settings.max_depth:
            raise InputError(f"follow-up contexts may nest at most {self.settings.max_depth} deep")
        return parent

    def cancel_context(self, actor_id: str, context_id: str) -> DecisionContext:
        """Cancel an active context of yours, releasing what is left of its budget."""
        return self._close(actor_id, context_id, ContextStatus.CANCELLED)

    def decide_context(self, actor_id: str, context_id: str) -> DecisionContext:
        """Mark an active context of yours decided, releasing what is left of its budget."""
        return self._close(actor_id, context_id, ContextStatus.DECIDED)

    def buy_and_close(
        self,
        actor_id: str,
        context_id: str,
        offer_ids: Sequence[str] = (),
        *,
        idempotency_keys: Sequence[str] = (),
    ) -> tuple[Batch, DecisionContext | None]:
        """Buy ``offer_ids`` of your context by inspection, then mark it decided, releasing
        what is left of its budget: what an inspection step does when it decides to buy,
        as one operation (``step_purchases``, issue 15).

        Each offer is checked as ``buy_inspected`` checks it and paid exactly once (its key
        in ``idempotency_keys``); the first refused stops the purchases (those before it
        stay) and is returned in the batch, not raised. Returns the batch and the closed
        context; None if it was no longer active (closed from outside: nothing released)."""
        with self._units.begin() as uow:
            self._user(uow, actor_id, lock=True)
            context = self._own_context(uow, actor_id, context_id)  # locked
            now = self.clock()
            batch = plan_batch(
                uow, actor_id, context, offer_ids, idempotency_keys, now, due=context.is_due(now)
            )
            if not context.is_active:
                batch.write(uow)
                return batch, None
            entries = list(batch.entries)  # the release's joins them: one write for all
            closed = self._release(
                uow,
                context,
                ContextStatus.DECIDED,
                offers=batch.offers,
                left=batch.left,
                entries=entries,
            )
            batch.write(uow, entries)
        self._units.publish(self._listeners, Event(EventKind.CONTEXT_CLOSED, closed.id))
        return batch, closed

    def start_inspecting(self, actor_id: str, context_id: str) -> DecisionContext:
        """Move an open context of yours to ``inspecting`` (used by the inspection engine)."""
        with self._units.begin() as uow:
            self._user(uow, actor_id, lock=True)
            context = self._own_context(uow, actor_id, context_id)
            if context.status is not ContextStatus.OPEN:
                raise Conflict(f"context {context_id} is {context.status.value}, not open")
            context = replace(context, status=ContextStatus.INSPECTING)
            uow.contexts.update(context)
            return context

    def _close(self, actor_id: str, context_id: str, status: ContextStatus) -> DecisionContext:
        with self._units.begin() as uow:
            self._user(uow, actor_id, lock=True)
            context = self._own_context(uow, actor_id, context_id)
            if not context.is_active:
                raise Conflict(
                    f"context {context_id} is already {context.status.value}; nothing to release"
                )
            closed = self._release(uow, context, status)
        self._units.publish(self._listeners, Event(EventKind.CONTEXT_CLOSED, closed.id))
        return closed

    def expire_due(self) -> list[DecisionContext]:
        """Expire every active context past its expiry, releasing what is left of each."""
        now = self.clock()
        with self.store.begin(write=False, snapshot=False) as uow:
            if not uow.contexts.due(now):
                return []
        done: list[DecisionContext] = []
        with self.store.begin() as uow:
            for context in uow.contexts.due(now):
                fresh = uow.contexts.get(context.id, lock=True)
                if fresh is not None and fresh.is_due(now):
                    done.append(self._release(uow, fresh, ContextStatus.EXPIRED))
        for context in done:
            publish(self._listeners, Event(EventKind.CONTEXT_CLOSED, context.id))
        return done

    def _release(
        self,
        uow: UnitOfWork,
        context: DecisionContext,
        status: ContextStatus,
        *,
        offers: Sequence[InfoOffer] | None = None,
        left: int | None = None,
        entries: list[JournalEntry] | None = None,
    ) -> DecisionContext:
        """Close ``context`` (its active children first) and return its unspent budget.

        ``offers`` and ``left``: the context's offers and its reservation's balance, if the
        caller read them in this unit (``buy_and_close``); ``entries``: the entries the caller
        will record (their moves count in the balance), where the release's entry is added
        instead of being recorded here."""
        for child in uow.contexts.children(context.id):
            fresh = uow.contexts.get(child.id, lock=True)
            if fresh is not None and fresh.is_active:
                self._release(uow, fresh, status)
                left = None  # the child's rest came back to this reservation
        if offers is None:
            offers = uow.offers.for_context(context.id)
        attention.release_unread(uow, offers, self.clock(), _CLOSED_BY[status])
        if left is None:
            left = uow.ledger.balance(hold(context.id))
            # and as it will be once the caller records the entries it holds (``entries``)
            left += sum(e.amount_for([hold(context.id)]) for e in entries or ())
        if left > 0:
            target = cash(context.buyer_id)
            if context.parent_context_id is not None:
                parent = uow.contexts.get(context.parent_context_id)
                if parent is not None and parent.is_active:
                    target = hold(parent.id)
            entry = transfer(
                new_id("ent"),
                EntryKind.RELEASE,
                hold(context.id),
                target,
                left,
                self.clock(),
                f"{context.id} {_CLOSED_BY[status]}",
            )
            if entries is None:
                uow.ledger.record(entry)
            else:
                entries.append(entry)
        closed = replace(context, status=status)
        uow.contexts.update(closed)
        return closed

    def context(self, viewer_id: Viewer, context_id: str) -> DecisionContext:
        """A context, if ``viewer_id`` (None: anonymous) may see it; else ``NotFound``."""
        with self.store.begin(write=False) as uow:
            viewer = self._viewer(uow, viewer_id)
            return self._shown(uow, viewer, self._visible_context(uow, viewer, context_id))

    def contexts(
        self,
        viewer_id: Viewer,
        *,
        mine: bool = False,
        statuses: Sequence[ContextStatus] = (),
        limit: int = 100,
    ) -> list[DecisionContext]:
        """Public (top-level) contexts, newest first; ``mine``: all of the viewer's own."""
        if mine and viewer_id is None:
            raise Unauthorized("sign in to list your own contexts")
        # one statement when the viewer needs no check: no transaction of its own (one's own
        # follow-ups are read in a snapshot, to be shown as amnesia allows)
        with self.store.begin(write=False, snapshot=mine) as uow:
            if mine:
                viewer = self._viewer(uow, viewer_id)
                assert viewer is not None
                found = uow.contexts.find(statuses=statuses, buyer_id=viewer.id, limit=limit)
                return [self._shown(uow, viewer, c) for c in found]
            return uow.contexts.find(statuses=statuses, top_level_only=True, limit=limit)

    # --------------------------------------------------------------------- offers

    def post_offer(
        self,
        actor_id: str,
        context_id: str,
        *,
        preview: str,
        private_info: str,
        price: int,
        quotable: bool = True,
        bid: int = 0,
        pay_on_resolution: EscrowTerms | None = None,
        idempotency_key: str | None = None,
    ) -> InfoOffer:
        """Offer information on a context: a public preview, private info and a price.

        ``quotable``: an inspector in doubt about the offer may quote it to fact-checkers (the
        sellers it asks in a follow-up); False keeps the follow-up's query from them
        (``follow_ups``). ``bid``: cents paid to the buyer if its inspector reads the offer,
        held from the seller's cash now (``attention``, docs/theory.md §5); refused below
        the context's reading cost or beyond the seller's cash. ``pay_on_resolution``: a share
        of the realised marginal value, held in escrow up to a cap (``escrow``); only on a
        forecast question whose ``max_escrow`` covers the cap."""
        s = self.settings
        terms = pay_on_resolution
        if terms is not None:
            terms = escrow.check_terms(terms.rate, terms.cap, s.max_budget)
        check_text(preview, "the preview", s.max_preview_chars)
        check_text(private_info, "the private info", s.max_private_chars)
        if isinstance(price, bool) or not isinstance(price, int) or price < 0:
            raise PriceError(f"a price must be a whole number of cents >= 0, not {price!r}")
        if price > s.max_budget:
            raise PriceError(f"a price cannot exceed {s.max_budget} cents")
        with self._units.begin() as uow:
            seller = self._user(uow, actor_id, lock=True)
            context = self._visible_context(uow, seller, context_id)
            if not seller.is_seller:
                raise Forbidden("only sellers can post offers; sign up with the seller role")
            request = repr((context_id, preview, private_info, price, bool(quotable)))
            if bid != 0:  # without a bid, the request (and its idempotency key) is as before
                request = repr((context_id, preview, private_info, price, bool(quotable), bid))
            if terms is not None:
                request = repr((request, terms.rate, terms.cap))
            first = self._replay(uow, actor_id, idempotency_key, "offer", request, uow.offers.get)
            if first is not None:
                return first
            if context.buyer_id == seller.id:
                raise Forbidden("you cannot offer information on your own context")
            if context.named_seller_ids and seller.id not in context.named_seller_ids:
                raise Forbidden("this context is open only to the sellers it names")
            if bid != 0:  # locked: a closing context releases every bid it holds
                context = uow.contexts.get(context.id, lock=True) or context
            attention.check_bid(bid, s.max_budget, context)
            if terms is not None:
                question = self.store.forecast_repository().within(uow).get(context.id)
                escrow.check_accepted(terms, context.id, question)
            self._ensure_active(context)
            offer = InfoOffer(
                new_id("off"),
                context.id,
                seller.id,
                preview,
                private_info,
                price,
                self.clock(),
                quotable=bool(quotable),
                bid=bid,
                escrow=terms,
            )
            uow.offers.add(offer)
            attention.reserve(uow, offer, offer.created_at)
            self._remember(uow, actor_id, idempotency_key, "offer", request, offer.id)
        self._units.publish(
            self._listeners, Event(EventKind.OFFER_POSTED, offer.context_id, offer.id)
        )
        return offer

    @staticmethod
    def seller_view(offer: InfoOffer, *, purchased: bool = False) -> OfferView:
        """An offer as its own seller sees it: the private info included (``visibility``)."""
        return _offer_view(offer, purchased, offer.private_info)

    def withdraw_offer(self, actor_id: str, offer_id: str) -> InfoOffer:
        """Withdraw your offer; only before anyone has inspected or bought it."""
        with self.store.begin() as uow:
            actor = self._user(uow, actor_id, lock=True)
            _, offer = self._locked_offer(uow, actor, offer_id)
            if offer.seller_id != actor.id:
                raise Forbidden("only the seller of an offer can withdraw it")
            if offer.status is OfferStatus.WITHDRAWN:
                raise Conflict(f"offer {offer_id} is already withdrawn")
            if uow.purchases.for_offer(offer_id) is not None:
                raise Conflict(f"offer {offer_id} has been bought; it cannot be withdrawn")
            if offer.inspected:
                raise Conflict(f"offer {offer_id} has been inspected; it cannot be withdrawn")
            offer = replace(offer, status=OfferStatus.WITHDRAWN)
            uow.offers.update(offer)
            attention.release(uow, offer, self.clock(), "withdrawn")
            return offer

    def mark_inspected(self, actor_id: str, offer_id: str) -> InfoOffer:
        """Record that the buyer's inspector read an offer (it can no longer be withdrawn) and
        pay its bid to the buyer, once (``attention``: only offers the context's attention
        reads, highest bids first, may be read)."""
        with self._units.begin() as uow:
            actor = self._user(uow, actor_id, lock=True)
            context, offer = self._locked_offer(
                uow, actor, offer_id, buyer_only="only the buyer of a context inspects its offers"
            )
            if offer.status is OfferStatus.WITHDRAWN:
                raise Conflict(f"offer {offer_id} was withdrawn")
            if offer.inspected:
                return offer
            if offer.bid > 0 and not context.is_active:  # its bid went back when it closed
                raise Conflict(f"context {context.id} is {context.status.value}; its bids are void")
            if offer.id not in {o.id for o in self._to_read(uow, context)}:
                raise Conflict(
                    f"offer {offer_id} is not among the offers context {context.id}'s attention "
                    "reads (its bid is below the reading cost, higher bids fill the attention, "
                    "or its seller's track record is below the context's record minimum)"
                )
            offer = replace(offer, inspected=True)
            uow.offers.update(offer)
            attention.pay(uow, offer, context, self.clock())
            return offer

    def mark_context_inspected(self, actor_id: str, context_id: str) -> list[InfoOffer]:
        """``mark_inspected`` for every offer of your context that its attention reads and
        that is not read yet, at once (the context locked first, as ``withdraw_offer`` does):
        the highest bids first, each bid paid to the buyer (``attention.to_read``,
        docs/theory.md §5); return the offers marked."""
        with self._units.begin() as uow:
            self._user(uow, actor_id, lock=True)
            context = self._own_context(uow, actor_id, context_id)  # locked
            if not context.is_active:  # its bids went back when it closed
                raise Conflict(f"context {context_id} is {context.status.value}; nothing to read")
            now = self.clock()
            unread = [replace(o, inspected=True) for o in self._to_read(uow, context)]
            uow.offers.set_inspected([o.id for o in unread])
            for offer in unread:
                attention.pay(uow, offer, context, now)
            return unread

    def _to_read(self, uow: UnitOfWork, context: DecisionContext) -> list[InfoOffer]:
        """The one selection of the offers an inspection of ``context`` reads now: those its
        record minimum admits (``record_filter``), then the attention auction's
        (``attention.to_read``), read in ``uow``."""
        offers = uow.offers.for_context(context.id)
        records = self.store.forecast_repository()
        return attention.to_read(record_filter.admitted(uow, records, context, offers), context)

    def offer(self, viewer_id: Viewer, offer_id: str) -> OfferView:
        """An offer as the viewer may see it (private info only where the rules allow)."""
        with self.store.begin(write=False) as uow:
            viewer = self._viewer(uow, viewer_id)
            offer = uow.offers.get(offer_id)
            if offer is None:
                raise NotFound(f"there is no offer {offer_id}")
            context = self._visible_context(uow, viewer, offer.context_id)
            return self._view(uow, viewer, offer, context)

    def offers(self, viewer_id: Viewer, context_id: str) -> list[OfferView]:
        """The offers on a context, oldest first, as the viewer may see them."""
        with self.store.begin(write=False) as uow:
            viewer = self._viewer(uow, viewer_id)
            context = self._visible_context(uow, viewer, context_id)
            return [self._view(uow, viewer, o, context) for o in uow.offers.for_context(context_id)]

    # ------------------------------------------------------------------ purchases

    def buy_blind(
        self, actor_id: str, offer_id: str, *, idempotency_key: str | None = None
    ) -> Purchase:
        """Buy an offer on its preview alone: the naive market (docs/theory.md §5).

        The price moves from the context's reservation to the seller's earnings, exactly once.
        """
        return self._buy(actor_id, offer_id, Mechanism.NAIVE, idempotency_key)[0]

    def buy_blind_viewed(
        self, actor_id: str, offer_id: str, *, idempotency_key: str | None = None
    ) -> tuple[Purchase, OfferView]:
        """``buy_blind``, with the offer as the buyer sees it once bought, read in the same
        transaction (what the API answers, without a second round of reads)."""
        purchase, view = self._buy(
            actor_id, offer_id, Mechanism.NAIVE, idempotency_key, with_view=True
        )
        assert view is not None
        return purchase, view

    def buy_inspected(
        self, actor_id: str, offer_id: str, *, idempotency_key: str | None = None
    ) -> Purchase:
        """Buy an offer the buyer's inspector has read: the inspection mechanism
        (docs/theory.md §4-5).

        As ``buy_blind``, paid from the context's reservation exactly once, but only for an offer
        marked inspected (``mark_inspected``), and recorded with ``Mechanism.INSPECTION``.
        """
        return self._buy(actor_id, offer_id, Mechanism.INSPECTION, idempotency_key)[0]

    def charge_inspection(
        self, actor_id: str, context_id: str, cents: int, *, idempotency_key: str, memo: str = ""
    ) -> int:
        """Pay the operator ``cents`` for an inspector's tokens from a context's reservation
        (issue 10); return the cents paid: capped at what the reservation holds, never more.

        Used by the inspection engine for its buyer ``actor_id``. The key makes a repeated
        step pay the first amount again, not a second time (a repeated call's tokens may
        differ, so only the context is part of the request)."""
        check_cents(cents, "an inspection cost")
        if cents <= 0:
            return 0
        with self._units.begin() as uow:
            self._user(uow, actor_id, lock=True)
            first = self._replay(
                uow, actor_id, idempotency_key, "inspection_cost", context_id, uow.ledger.entry
            )
            if first is not None:
                return first.amount_for([HOUSE])
            context = self._own_context(uow, actor_id, context_id)  # locked
            paid = min(cents, uow.ledger.balance(hold(context.id)))
            if paid <= 0:
                return 0
            entry = transfer(
                new_id("ent"),
                EntryKind.INSPECTION_COST,
                hold(context.id),
                HOUSE,
                paid,
                self.clock(),
                (memo or f"inspection of {context.id}")[:200],
            )
            uow.ledger.record(entry)
            self._remember(uow, actor_id, idempotency_key, "inspection_cost", context_id, entry.id)
            return paid

    def _locked_offer(
        self, uow: UnitOfWork, actor: User, offer_id: str, *, buyer_only: str | None = None
    ) -> tuple[DecisionContext, InfoOffer]:
        """An offer the actor may see and its context, both locked, the context first (the
        lock order every operation follows). ``buyer_only``: the refusal when the actor did
        not post the context."""
        offer = uow.offers.get(offer_id)
        if offer is None:
            raise NotFound(f"there is no offer {offer_id}")
        context = self._visible_context(uow, actor, offer.context_id)
        if buyer_only is not None and context.buyer_id != actor.id:
            raise Forbidden(buyer_only)
        locked = uow.contexts.get(context.id, lock=True)
        offer = uow.offers.get(offer_id, lock=True)
        assert locked is not None and offer is not None
        return locked, offer

    def _buy(
        self,
        actor_id: str,
        offer_id: str,
        mechanism: Mechanism,
        idempotency_key: str | None,
        *,
        with_view: bool = False,
    ) -> tuple[Purchase, OfferView | None]:
        operation = "purchase" if mechanism is Mechanism.NAIVE else "inspected"
        with self._units.begin() as uow:
            buyer = self._user(uow, actor_id, lock=True)
            first = self._replay(
                uow, actor_id, idempotency_key, operation, offer_id, uow.purchases.get
            )
            if first is not None:
                if not with_view:
                    return first, None
                bought = uow.offers.get(first.offer_id)
                where = uow.contexts.get(first.context_id)
                assert bought is not None and where is not None
                return first, self._view(uow, buyer, bought, where)
            context, offer = self._locked_offer(
                uow,
                buyer,
                offer_id,
                buyer_only="only the buyer who posted the context can buy its offers",
            )
            if uow.purchases.for_offer(offer.id) is not None:
                raise Conflict(f"offer {offer.id} is already bought; it is paid only once")
            if offer.status is OfferStatus.WITHDRAWN:
                raise Conflict(f"offer {offer.id} was withdrawn by its seller")
            if mechanism is Mechanism.INSPECTION and not offer.inspected:
                raise Conflict(
                    f"offer {offer.id} has not been inspected; mark it inspected before buying "
                    "it by inspection, or buy it blind"
                )
            self._ensure_active(context)
            left = uow.ledger.balance(hold(context.id))
            if purchase_needs(offer) > left:
                held = f" and holds {escrow.cap_of(offer)} in escrow" if offer.escrow else ""
                raise InsufficientFunds(
                    f"offer {offer.id} costs {offer.price} cents{held} but context "
                    f"{context.id} has only {left} cents of its budget left"
                )
            now = self.clock()
            moves = purchase_entries(offer, context, now)  # the one place a purchase pays
            uow.ledger.record_many(moves)
            entry_id = moves[0].id if moves else None
            purchase = Purchase(
                new_id("pur"),
                offer.id,
                context.id,
                buyer.id,
                offer.seller_id,
                offer.price,
                mechanism,
                entry_id,
                now,
            )
            uow.purchases.add(purchase)
            escrow.hold_escrow(uow, offer, purchase, context, now)  # pay-on-resolution terms
            self._remember(uow, actor_id, idempotency_key, operation, offer_id, purchase.id)
            return purchase, self._view(uow, buyer, offer, context) if with_view else None

    def purchases(self, buyer_id: str) -> list[tuple[Purchase, OfferView]]:
        """A buyer's purchases, newest first, each with the offer as the buyer may see it."""
        with self.store.begin(write=False) as uow:
            buyer = self._user(uow, buyer_id)
            out = []
            for p in uow.purchases.for_buyer(buyer_id):
                offer = uow.offers.get(p.offer_id)
                context = uow.contexts.get(p.context_id)
                assert offer is not None and context is not None
                out.append((p, self._view(uow, buyer, offer, context)))
            return out

    # ------------------------------------------------------------- matchers, inbox

    def add_matcher(
        self,
        actor_id: str,
        *,
        keywords: Sequence[str] = (),
        min_budget: int = 0,
        min_priority: float = 0.0,
        max_age: timedelta | None = None,
        min_inspection_rate: float = 0.0,
        min_purchase_rate: float = 0.0,
    ) -> Matcher:
        """Add a matcher that fills the seller's inbox with contexts that pass it."""
        for value, what in (
            (min_inspection_rate, "inspection rate"),
            (min_purchase_rate, "purchase rate"),
        ):
            if not (math.isfinite(value) and 0.0 <= value <= 1.0):
                raise InputError(f"the minimum buyer {what} must be in [0, 1], not {value}")
        if len(keywords) > self.settings.max_keywords:
            raise InputError(f"at most {self.settings.max_keywords} keywords per matcher")
        words = tuple(check_keyword(check_text(w, "a keyword", 100)) for w in keywords)
        check_cents(min_budget, "the minimum budget")
        if min_budget < 0:
            raise InputError("the minimum budget cannot be negative")
        if not (math.isfinite(min_priority) and 0.0 <= min_priority <= 1.0):
            raise InputError(f"the minimum priority must be in [0, 1], not {min_priority}")
        if max_age is not None and max_age <= timedelta(0):
            raise InputError("the age limit must be positive")
        with self.store.begin() as uow:
            seller = self._user(uow, actor_id)
            if not seller.is_seller:
                raise Forbidden("only sellers have matchers; sign up with the seller role")
            matcher = Matcher(
                new_id("mat"),
                seller.id,
                words,
                min_budget,
                float(min_priority),
                max_age,
                self.clock(),
                float(min_inspection_rate),
                float(min_purchase_rate),
            )
            uow.matchers.add(matcher)
            return matcher

    def remove_matcher(self, actor_id: str, matcher_id: str) -> None:
        """Delete one of your matchers."""
        with self.store.begin() as uow:
            matcher = uow.matchers.get(matcher_id)
            if matcher is None or matcher.seller_id != actor_id:
                raise NotFound(f"you have no matcher {matcher_id}")
            uow.matchers.delete(matcher_id)

    def matchers(self, actor_id: str) -> list[Matcher]:
        """Your matchers."""
        with self.store.begin(write=False) as uow:
            self._user(uow, actor_id)
            return uow.matchers.for_seller(actor_id)

    def inbox(self, actor_id: str, limit: int = 100) -> list[DecisionContext]:
        """Active contexts for this seller: public ones passing a matcher, any naming them, and
        follow-ups asking about their offers; never their own. Newest first."""
        now = self.clock()
        with self.store.begin(write=False) as uow:
            seller = self._user(uow, actor_id)
            matchers = uow.matchers.for_seller(actor_id)
            records: dict[str, BuyerRecord] = {}

            def record(buyer_id: str) -> BuyerRecord | None:
                if not any(m.needs_buyer_record for m in matchers):
                    return None
                if buyer_id not in records:
                    records[buyer_id] = uow.offers.buyer_record(buyer_id)
                return records[buyer_id]

            found: dict[str, DecisionContext] = {}
            for c in uow.contexts.find(statuses=tuple(ACTIVE), limit=1000):
                if c.buyer_id == seller.id or c.is_due(now):
                    continue
                if seller.id in c.named_seller_ids:
                    found[c.id] = c  # named: asked directly, top-level or follow-up
                elif (
                    not c.is_child
                    and not c.named_seller_ids
                    and any(m.matches(c, now, record(c.buyer_id)) for m in matchers)
                ):
                    found[c.id] = c
            for offer in uow.offers.by_seller(seller.id):
                for child in uow.contexts.children(offer.context_id):
                    if child.is_active and offer.id in child.parent_offer_ids:
                        found[child.id] = child
            rows = sorted(found.values(), key=lambda c: (c.created_at, c.id), reverse=True)
            return [self._shown(uow, seller, c) for c in rows[:limit]]

    # ------------------------------------------------------------------- helpers

    def _user(self, uow: UnitOfWork, user_id: str, *, lock: bool = False) -> User:
        user = uow.users.get(user_id, lock=lock)
        if user is None:
            raise NotFound(f"there is no user {user_id}")
        return user

    def _viewer(self, uow: UnitOfWork, viewer: Viewer) -> User | None:
        if viewer is None or isinstance(viewer, User):
            return viewer  # a User the caller has just authenticated: no second read
        return self._user(uow, viewer)

    def _own_context(self, uow: UnitOfWork, actor_id: str, context_id: str) -> DecisionContext:
        actor = self._user(uow, actor_id)
        context = self._visible_context(uow, actor, context_id)
        if context.buyer_id != actor_id:
            raise Forbidden("only the buyer who posted a context can do this")
        locked = uow.contexts.get(context_id, lock=True)
        assert locked is not None
        return locked

    def _visible_context(
        self, uow: UnitOfWork, viewer: User | None, context_id: str
    ) -> DecisionContext:
        context = uow.contexts.get(context_id)
        if context is None:
            raise NotFound(f"there is no context {context_id}")
        if viewer is not None and viewer.id == context.buyer_id:
            return context  # a buyer sees its own contexts: no parent offers to read
        if not can_see_context(viewer, context, self._parent_sellers(uow, context)):
            raise NotFound(f"there is no context {context_id}")
        return context

    def _parent_sellers(self, uow: UnitOfWork, context: DecisionContext) -> frozenset[str]:
        offers = (uow.offers.get(i) for i in context.parent_offer_ids)
        return frozenset(o.seller_id for o in offers if o is not None)

    def _ensure_active(self, context: DecisionContext) -> None:
        if not context.is_active:
            raise Conflict(f"context {context.id} is {context.status.value}; it takes no more")
        if context.is_due(self.clock()):
            raise Conflict(f"context {context.id} expired at {context.expires_at}")

    def _shown(
        self, uow: UnitOfWork, viewer: User | None, context: DecisionContext
    ) -> DecisionContext:
        """``context`` as ``viewer`` (who may see it) is shown it: amnesia for what an
        inspector wrote in a follow-up (``follow_ups``)."""
        if not context.is_child or viewer is None:
            return context
        is_buyer = viewer.id == context.buyer_id
        revealed = is_buyer and context.by_inspector and follow_ups.writings_revealed(uow, context)
        quoted = not is_buyer and follow_ups.quotable(uow, context)
        shown = follow_ups.disclosure(viewer.id, context, revealed=revealed, quotable=quoted)
        return follow_ups.disclose(context, shown)

    def _view(
        self, uow: UnitOfWork, viewer: User | None, offer: InfoOffer, context: DecisionContext
    ) -> OfferView:
        purchased = uow.purchases.for_offer(offer.id) is not None
        readable = False
        if (
            context.is_child
            and context.reveal is RevealPolicy.WITH_PARENT
            and viewer is not None
            and viewer.id == context.buyer_id
        ):
            readable = follow_ups.parent_readable(uow, context)
        allowed = can_read_private(viewer, offer, context, purchased, readable)
        view = _offer_view(offer, purchased, offer.private_info if allowed else None)
        if (
            viewer is not None
            and viewer.id == context.buyer_id
            and not allowed  # what the buyer may read of it, it reads whole
            and context.by_inspector
            and self._shown(uow, viewer, context).disclosure is Disclosure.FORGOTTEN
        ):  # sellers answering a follow-up's query may repeat it in their previews
            view = replace(view, preview=follow_ups.FORGOTTEN_PREVIEW)
        return view

    def _balances(self, uow: UnitOfWork, user_id: str) -> Balances:
        available, reserved, earned = uow.ledger.user_balances(user_id)
        return Balances(cash=available, reserved=reserved, earnings=earned)

    def _replay(
        self,
        uow: UnitOfWork,
        user_id: str,
        key: str | None,
        operation: str,
        request: str,
        load: Callable[[str], T | None],
    ) -> T | None:
        """The first result of an earlier identical call with the same idempotency key."""
        if key is None:
            return None
        if not 1 <= len(key) <= 200:
            raise InputError("an idempotency key must be 1 to 200 characters long")
        record = uow.idempotency.get(user_id, key)
        if record is None:
            return None
        if record.operation != operation or record.request_hash != _digest(request):
            raise Conflict(
                f"idempotency key {key!r} was already used for a different request "
                f"(a {record.operation}); use a fresh key for each new request"
            )
        return load(record.result_id)

    def _remember(
        self,
        uow: UnitOfWork,
        user_id: str,
        key: str | None,
        operation: str,
        request: str,
        result_id: str,
    ) -> None:
        if key is not None:
            uow.idempotency.add(
                IdempotencyRecord(
                    user_id, key, operation, _digest(request), result_id, self.clock()
                )
            )


def _record_minimum(minimum: object) -> RecordMinimum | None:
    """A context's record minimum, checked (None: none)."""
    if minimum is None:
        return None
    if not isinstance(minimum, RecordMinimum):
        raise InputError(f"a record minimum must be a RecordMinimum, not {minimum!r:.200}")
    return minimum.checked()


def _digest(request: str) -> str:
    return hashlib.sha256(request.encode()).hexdigest()


def _offer_view(offer: InfoOffer, purchased: bool, private_info: str | None) -> OfferView:
    """``offer`` as a viewer sees it, with ``private_info`` only where the rules allow it."""
    return OfferView(
        id=offer.id,
        context_id=offer.context_id,
        seller_id=offer.seller_id,
        preview=offer.preview,
        price=offer.price,
        created_at=offer.created_at,
        status=offer.status,
        purchased=purchased,
        private_info=private_info,
        quotable=offer.quotable,
        bid=offer.bid,
        escrow=offer.escrow,
    )
