"""Decision contexts: posting (follow-ups included), closing, expiry and reading (``contexts``)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from volition.bazaar.domain import attention
from volition.bazaar.domain.checks import check_cents, check_text
from volition.bazaar.domain.contexts import (
    ContextFilter,
    ContextProgress,
    ContextStatus,
    DecisionContext,
    RevealPolicy,
)
from volition.bazaar.domain.events import Event, EventKind, publish
from volition.bazaar.domain.idempotency import KeyedCall
from volition.bazaar.domain.ids import new_id
from volition.bazaar.domain.ledger import EntryKind, JournalEntry, cash, hold, transfer
from volition.bazaar.domain.offers import InfoOffer, OfferStatus
from volition.bazaar.domain.record_minimum import RecordMinimum
from volition.bazaar.domain.service_base import ServiceBase, Viewer
from volition.bazaar.domain.step_purchases import Batch, plan_batch
from volition.bazaar.domain.store import UnitOfWork
from volition.bazaar.domain.users import User
from volition.bazaar.errors import Conflict, Forbidden, InsufficientFunds, NotFound, Unauthorized
from volition.errors import InputError

__all__ = ["ContextSpec", "Contexts"]

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


def _record_minimum(minimum: object) -> RecordMinimum | None:
    """A context's record minimum, checked (None: none)."""
    if minimum is None:
        return None
    if not isinstance(minimum, RecordMinimum):
        raise InputError(f"a record minimum must be a RecordMinimum, not {minimum!r:.200}")
    return minimum.checked()


class Contexts(ServiceBase):
    """Posting, closing and reading decision contexts."""

    def post_context(
        self,
        actor_id: str,
        spec: ContextSpec,
        *,
        idempotency_key: str | None = None,
        inspecting: bool = False,
    ) -> DecisionContext:
        """Post a decision context, reserving its budget (docs/theory.md §5).

        A top-level context reserves from the buyer's cash; a child context reserves from its
        parent's remaining reservation. Refused with ``InsufficientFunds`` when the money is
        not there. ``inspecting``: posted as an inspection's (``start_inspecting`` in the same
        write: the engine's follow-ups).
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
            call = KeyedCall(actor_id, idempotency_key, "context", request)
            first = call.replay(uow, uow.contexts.get)
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
                status=ContextStatus.INSPECTING if inspecting else ContextStatus.OPEN,
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
            call.remember(uow, context.id, self.clock())
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
            context = self._owned(uow, actor_id, context_id)  # both locked
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
            context = self._owned(uow, actor_id, context_id)  # both locked
            if context.status is not ContextStatus.OPEN:
                raise Conflict(f"context {context_id} is {context.status.value}, not open")
            context = replace(context, status=ContextStatus.INSPECTING)
            uow.contexts.update(context)
            return context

    def _close(self, actor_id: str, context_id: str, status: ContextStatus) -> DecisionContext:
        with self._units.begin() as uow:
            context = self._owned(uow, actor_id, context_id)  # both locked
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
        instead of being recorded here. Its children and its parent are read in one
        statement; a child read closed stays closed, one read active is locked and read again."""
        family = uow.contexts.family(context.id, context.parent_context_id)
        for child in (c for c in family if c.parent_context_id == context.id and c.is_active):
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
            parent = next((c for c in family if c.id == context.parent_context_id), None)
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

    def progress(
        self, context_ids: Sequence[str], *, exclusive: bool = False
    ) -> dict[str, ContextProgress]:
        """Each context as stored with its count of active offers, in one read (joining an open
        unit): for the inspection engine, acting for the contexts' buyers, not for display.
        ``exclusive`` (in an open writing unit): the contexts locked first, so that an offer
        posted meanwhile is counted here or waits for the unit's end (``get_many``)."""
        with self._units.begin(write=exclusive) as uow:
            contexts = uow.contexts.get_many(context_ids, exclusive=exclusive)
            offers = uow.offers.for_contexts([c.id for c in contexts]) if contexts else []
        active = Counter(o.context_id for o in offers if o.status is OfferStatus.ACTIVE)
        return {c.id: ContextProgress(c, active[c.id]) for c in contexts}

    def stored(self, context_id: str) -> DecisionContext | None:
        """The context as stored (one read, joining an open unit): for the inspection engine,
        acting for its buyer, not for display (``context`` applies what a viewer is shown)."""
        with self._units.begin(write=False) as uow:
            return uow.contexts.get(context_id)

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
                found = uow.contexts.find(
                    ContextFilter(tuple(statuses), buyer_id=viewer.id), limit=limit
                )
                return [self._shown(uow, viewer, c) for c in found]
            return uow.contexts.find(
                ContextFilter(tuple(statuses), top_level_only=True), limit=limit
            )
