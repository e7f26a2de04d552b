"""The stored bots' jobs: which (bot, context) pairs are due, and their claims and ends.

``BotJobs`` is the bot dispatcher's only way into the store (``bot_dispatch``): each method
is one unit of work over the bazaar's store, like ``Bazaar``'s. A pair is answered at most
once: taking its :class:`BotJob` is the claim (inserted, unique per pair, so of two racing
processes one fails; or a pending one or a running one whose lease ran out taken over), and
only the attempt that holds the job may end it. What a bot is shown of a context is
``follow_ups.sellers_view``, read in one unit of work with the budget left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from volition.agents.views import ContextView
from volition.bazaar.domain.bots import BotJob, BotSeller, JobStatus, bot_may_answer
from volition.bazaar.domain.contexts import ACTIVE, ContextFilter, DecisionContext
from volition.bazaar.domain.follow_ups import sellers_view
from volition.bazaar.domain.ledger import hold
from volition.bazaar.domain.matchers import BuyerRecord
from volition.bazaar.domain.service import Bazaar
from volition.bazaar.domain.store import UnitOfWork
from volition.bazaar.errors import Conflict

__all__ = ["BotJobs", "DuePass"]


@dataclass(frozen=True, slots=True)
class DuePass:
    """What one pass looks at: the contexts ``woken`` by events, the newest ``scan`` open
    contexts (0: none), and, if ``retries``, the jobs whose retry is due; at most ``limit``
    pairs, and a job is retried while it has had fewer than ``max_attempts``."""

    woken: Sequence[str] = ()
    scan: int = 0
    retries: bool = False
    limit: int = 100
    max_attempts: int = 3


class BotJobs:
    """The jobs of the stored bots of ``bazaar``: reads and claims, each one unit of work."""

    def __init__(self, bazaar: Bazaar) -> None:
        self.bazaar = bazaar

    def owners(self) -> tuple[str, ...]:
        """The owners of the active bots (the sellers a follow-up context names)."""
        with self.bazaar.store.begin(write=False) as uow:
            bots = uow.bots.all(active_only=True)
        return tuple(dict.fromkeys(b.owner_id for b in bots))

    def matching(self, context_id: str) -> tuple[DecisionContext | None, list[BotSeller]]:
        """The context as it is now and the active bots that may answer it."""
        with self.bazaar.store.begin(write=False) as uow:
            context = uow.contexts.get(context_id)
            if context is None:
                return None, []
            return context, self._matching(uow, context, uow.bots.all(active_only=True), {})

    def due(self, due: DuePass) -> list[tuple[BotSeller, DecisionContext]]:
        """The (bot, context) pairs to answer now, in one read: a matching active bot has not
        answered the context yet, or the pair's job is due for a retry."""
        pairs: list[tuple[BotSeller, DecisionContext]] = []
        with self.bazaar.store.begin(write=False) as uow:
            bots = uow.bots.all(active_only=True)
            if not bots:
                return []
            records: dict[str, BuyerRecord] = {}
            contexts = [c for i in due.woken if (c := uow.contexts.get(i)) is not None]
            if due.scan:
                contexts += uow.contexts.find(ContextFilter(tuple(ACTIVE)), limit=due.scan)
            candidates: list[tuple[DecisionContext, list[BotSeller]]] = []
            seen: set[str] = set()
            for context in contexts:
                if context.id in seen:
                    continue
                seen.add(context.id)
                if matching := self._matching(uow, context, bots, records):
                    candidates.append((context, matching))
            # which matching bots answered already: one read for every candidate context
            jobs = uow.bot_jobs.for_contexts([c.id for c, _ in candidates])
            answered = {(j.bot_id, j.context_id) for j in jobs}
            for context, matching in candidates:
                pairs += [(b, context) for b in matching if (b.id, context.id) not in answered]
                if len(pairs) >= due.limit:
                    break
            if due.retries:
                by_id = {b.id: b for b in bots}
                now = self.bazaar.clock()
                for job in uow.bot_jobs.claimable(now, due.max_attempts, due.limit):
                    bot = by_id.get(job.bot_id)
                    retried = uow.contexts.get(job.context_id)
                    if bot is not None and retried is not None:
                        matched = self._matching(uow, retried, [bot], records)
                        pairs += [(bot, retried) for _ in matched]
        return pairs[: due.limit]

    def claim(
        self, bot: BotSeller, context_id: str, lease: timedelta, max_attempts: int
    ) -> BotJob | None:
        """Take the pair's job until ``now + lease``; None if it is answered or taken."""
        now = self.bazaar.clock()
        try:
            with self.bazaar.store.begin() as uow:
                job = uow.bot_jobs.get(bot.id, context_id, lock=True)
                if job is None:
                    job = BotJob(bot.id, context_id, JobStatus.RUNNING, 1, now, now, now + lease)
                    uow.bot_jobs.add(job)
                    return job
                if not job.claimable(now, max_attempts):
                    return None
                job = replace(
                    job,
                    status=JobStatus.RUNNING,
                    attempts=job.attempts + 1,
                    lease_until=now + lease,
                    updated_at=now,
                )
                uow.bot_jobs.update(job)
                return job
        except Conflict:  # another process inserted the same pair first
            return None

    def end(self, done: BotJob) -> None:
        """Record how the attempt ``done`` ended, if that attempt still holds the job: a bot
        deleted meanwhile has no job left, and a job taken over after the attempt's lease ran
        out belongs to its new taker."""
        with self.bazaar.store.begin() as uow:
            current = uow.bot_jobs.get(done.bot_id, done.context_id, lock=True)
            if current is not None and current.attempts == done.attempts:
                uow.bot_jobs.update(done)

    def posted_before(self, owner_id: str, key: str) -> str | None:
        """The offer an earlier attempt posted with idempotency ``key`` (None: none)."""
        with self.bazaar.store.begin(write=False) as uow:
            earlier = uow.idempotency.get(owner_id, key)
        return None if earlier is None else earlier.result_id

    def view(self, context: DecisionContext) -> ContextView:
        """What a bot asked to answer ``context`` is shown, with the budget left."""
        with self.bazaar.store.begin(write=False) as uow:
            return sellers_view(uow, context, uow.ledger.balance(hold(context.id)))

    def asking(
        self, context: DecisionContext
    ) -> tuple[DecisionContext | None, ContextView, frozenset[str]]:
        """The context as it is now, what sellers asked to answer it are shown (with its whole
        budget), and who offered on it already, in one read: for a fixed pool of bots."""
        with self.bazaar.store.begin(write=False) as uow:
            fresh = uow.contexts.get(context.id)
            offered = frozenset(o.seller_id for o in uow.offers.for_context(context.id))
            return fresh, sellers_view(uow, fresh or context, context.budget), offered

    def _matching(
        self,
        uow: UnitOfWork,
        context: DecisionContext,
        bots: list[BotSeller],
        records: dict[str, BuyerRecord],
    ) -> list[BotSeller]:
        if not bots:
            return []
        now = self.bazaar.clock()
        if not context.is_active or context.is_due(now):
            return []
        parent_sellers: frozenset[str] = frozenset()
        if context.is_child:
            parents = (uow.offers.get(i) for i in context.parent_offer_ids)
            parent_sellers = frozenset(o.seller_id for o in parents if o is not None)
        record = None
        if any(b.matcher.needs_buyer_record for b in bots):
            if context.buyer_id not in records:
                records[context.buyer_id] = uow.offers.buyer_record(context.buyer_id)
            record = records[context.buyer_id]
        return [
            b
            for b in bots
            if bot_may_answer(b, context, now, buyer=record, parent_seller_ids=parent_sellers)
        ]
