"""Running the stored bot sellers: a ``SellerPool`` for the inspection engine, and a job pass.

Each (bot, context) pair is answered at most once. Taking the pair's :class:`BotJob` is the
claim: a unit of work inserts it (unique per pair, so of two racing processes one fails) or
takes over a pending one or a running one whose lease ran out. The dispatcher reads and writes
the store only through the domain's services (``domain.bot_job_service.BotJobs`` for the jobs,
``Bazaar.post_offer`` for the offers), never directly. The agent is called outside
any transaction; its offer is posted with the idempotency key ``bot:<bot>:<context>``, so a
process that dies after posting and before recording is finished by the next one without a
second offer. A failing agent is retried up to ``max_attempts`` times, later, and never stops
the other bots.

:meth:`BotDispatcher.solicit` runs the bots that match one context now (the engine calls it
for every context of an inspection); :meth:`BotDispatcher.run_due` is the full background
pass: it answers open contexts not yet answered and retries what is due.
:meth:`BotDispatcher.listen` is a bazaar listener whose posted contexts the next pass answers
first, and :meth:`BotDispatcher.run_woken` the event-driven pass that answers only those and
the retries that are due (:meth:`BotDispatcher.next_due` says when), with no read at all when
there is nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from volition.agents import ContextView, Endpoint, FixedSeller, LLMSeller
from volition.agents.base import SellerReply
from volition.agents.bayesian import BayesianSeller
from volition.bazaar.domain import Bazaar, DecisionContext, Event, EventKind, UnitOfWork
from volition.bazaar.domain.bot_job_service import BotJobs, DuePass
from volition.bazaar.domain.bot_markets import bayesian_seller
from volition.bazaar.domain.bot_service import BotService
from volition.bazaar.domain.bots import BotJob, BotKind, BotSeller, JobStatus
from volition.bazaar.domain.outbound import private_urls_allowed
from volition.bazaar.errors import Conflict, NotFound
from volition.errors import VolitionError

__all__ = ["BotDispatcher", "CappedSeller", "bot_service_for", "endpoint_for"]

log = logging.getLogger(__name__)


def endpoint_for(
    service: BotService,
    user_id: str,
    *,
    base_url: str | None = None,
    model: str | None = None,
    timeout: float = 60.0,
) -> Endpoint:
    """An OpenAI-compatible endpoint for ``user_id``'s agents (an ``LLMBuyer``, an ``LLMSeller``).

    The user's stored credential gives the base URL, model and key (decrypted here, for this
    endpoint only; ``model`` overrides). The key goes only to the base URL it was stored for:
    another ``base_url`` (a local server, say) gets a placeholder key, as does any base URL
    when the user stored no credential. Build one per call and drop it: the key lives in the
    endpoint object only. The URL is the user's, so the endpoint connects to public addresses
    only unless the operator allows internal ones (``domain.outbound``).
    """
    public = not private_urls_allowed()
    try:
        credential = service.credential(user_id)
    except NotFound:
        credential = None
    if credential is None or (base_url is not None and base_url != credential.base_url):
        if base_url is None:
            raise Conflict("no LLM endpoint: store one first (PUT /api/me/llm) or give a base URL")
        default_model = credential.model if credential is not None else "default"
        return Endpoint(base_url, model or default_model, timeout=timeout, public_only=public)
    return Endpoint(
        base_url or credential.base_url,
        model or credential.model,
        api_key=service.api_key(credential),
        timeout=timeout,
        public_only=public,
    )


class CappedSeller:
    """An LLM seller that never asks more than ``cap`` cents."""

    def __init__(self, inner: LLMSeller, cap: int) -> None:
        self.inner = inner
        self.cap = cap
        self.name = inner.name

    def respond(self, view: ContextView) -> SellerReply:
        return self.inner.respond(replace(view, max_budget=min(view.max_budget, self.cap)))


class BotDispatcher:
    """The bazaar's stored bots as a ``SellerPool``, with a background job pass."""

    def __init__(
        self,
        bazaar: Bazaar,
        service: BotService | None = None,
        *,
        lease: timedelta = timedelta(minutes=2),
        retry_after: timedelta = timedelta(seconds=30),
        max_attempts: int = 3,
        scan_limit: int = 500,
        llm_timeout: float = 60.0,
    ) -> None:
        self.bazaar = bazaar
        self.service = service or BotService(bazaar)
        self.jobs = BotJobs(bazaar)
        self.lease = lease
        self.retry_after = retry_after
        self.max_attempts = max_attempts
        self.scan_limit = scan_limit
        self.llm_timeout = llm_timeout
        self._woken: dict[str, None] = {}
        self._retry_at: datetime | None = None  # the first retry this process set aside
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- SellerPool

    def seller_ids(self) -> tuple[str, ...]:
        """The owners of the active bots: the sellers a follow-up context names."""
        return self.jobs.owners()

    def solicit(
        self, context: DecisionContext, then: Callable[[UnitOfWork], None] | None = None
    ) -> int:
        """Have every active bot that matches ``context`` answer it now (once); return offers.
        Each bot's job is a unit of its own: ``then`` writes in one more, after them all."""
        fresh, bots = self.jobs.matching(context.id)
        posted = 0 if fresh is None else sum(self._answer(bot, fresh) for bot in bots)
        if then is not None:
            with self.bazaar.unit() as uow:
                then(uow)
        return posted

    # ------------------------------------------------------------------ job pass

    def listen(self, event: Event) -> None:
        """A bazaar listener: a posted context is answered first by the next ``run_due``."""
        if event.kind is EventKind.CONTEXT_POSTED:
            with self._lock:
                self._woken[event.context_id] = None

    def run_due(self, limit: int = 100) -> int:
        """Answer up to ``limit`` (bot, context) pairs that are due; return the offers posted.

        Due: an active context (the ones heard of by ``listen`` first, then the newest
        ``scan_limit``) that an active matching bot has not answered, and jobs to retry.
        This is the full pass (a safety sweep); :meth:`run_woken` does only what events and
        retry times ask for.
        """
        return self._run(limit, scan=True, retries=True)

    def run_woken(self, limit: int = 100) -> int:
        """Answer the contexts heard of by ``listen`` and, once due, the jobs to retry; no
        scan of the open contexts and no database read at all when neither is there."""
        now = self.bazaar.clock()
        with self._lock:
            retries = self._retry_at is not None and self._retry_at <= now
            if retries:
                self._retry_at = None
            if not self._woken and not retries:
                return 0
        return self._run(limit, scan=False, retries=retries)

    def next_due(self) -> datetime | None:
        """When a job this process set aside for a retry is due (None: none set aside)."""
        with self._lock:
            return self._retry_at

    def _run(self, limit: int, *, scan: bool, retries: bool) -> int:
        with self._lock:
            woken = list(self._woken)
            self._woken.clear()
        scanned = self.scan_limit if scan else 0
        due = DuePass(woken, scanned, retries, limit, self.max_attempts)
        return sum(self._answer(bot, context) for bot, context in self.jobs.due(due))

    def _retry_later(self, at: datetime) -> None:
        """Remember when a job set aside for a retry is due (for :meth:`run_woken`)."""
        with self._lock:
            if self._retry_at is None or at < self._retry_at:
                self._retry_at = at

    # ------------------------------------------------------------------- helpers

    def _settle(
        self,
        job: BotJob,
        *,
        offer_id: str | None = None,
        error: str | None = None,
        retry: bool = False,
    ) -> None:
        now = self.bazaar.clock()
        if retry and job.attempts < self.max_attempts:
            status, lease = JobStatus.PENDING, now + self.retry_after
            self._retry_later(lease)
        else:
            status, lease = (JobStatus.FAILED if retry else JobStatus.DONE), None
        done = replace(
            job, status=status, lease_until=lease, offer_id=offer_id, error=error, updated_at=now
        )
        self.jobs.end(done)

    def _agent(self, bot: BotSeller) -> FixedSeller | CappedSeller | BayesianSeller:
        if bot.kind is BotKind.FIXED:
            return FixedSeller(bot.preview, bot.private_info, bot.price, name=bot.name)
        if bot.kind is BotKind.BAYESIAN:
            return bayesian_seller(bot)
        endpoint = endpoint_for(
            self.service,
            bot.owner_id,
            base_url=bot.base_url,
            model=bot.model,
            timeout=self.llm_timeout,
        )
        return CappedSeller(LLMSeller(endpoint, bot.instructions, name=bot.name), bot.price)

    def _answer(self, bot: BotSeller, context: DecisionContext) -> int:
        """Claim, run and record one bot's answer to one context; 1 if an offer was posted."""
        job = self.jobs.claim(bot, context.id, self.lease, self.max_attempts)
        if job is None:
            return 0
        key = f"bot:{bot.id}:{context.id}"
        earlier = self.jobs.posted_before(bot.owner_id, key)
        if earlier is not None:  # posted by a process that died before recording it
            self._settle(job, offer_id=earlier)
            return 0
        try:
            reply = self._agent(bot).respond(self.jobs.view(context))
        except Exception as exc:  # a bot's failure must not stop the others
            log.warning("bot %s failed on %s: %s", bot.id, context.id, type(exc).__name__)
            self._settle(job, error=f"the bot failed ({type(exc).__name__})", retry=True)
            return 0
        if reply.offer is None:
            if reply.error is not None:
                log.info("bot %s had no answer on %s", bot.id, context.id)
                self._settle(job, error=reply.error[:200], retry=True)
            else:
                self._settle(job)
            return 0
        draft = reply.offer
        try:
            offer = self.bazaar.post_offer(
                bot.owner_id,
                context.id,
                preview=draft.preview,
                private_info=draft.private_info,
                price=draft.price,
                idempotency_key=key,
            )
        except VolitionError as exc:  # closed, over budget, owner no longer a seller...
            self._settle(job, error=f"the offer was refused: {exc}"[:200])
            return 0
        self._settle(job, offer_id=offer.id)
        return 1


def bot_service_for(bazaar: Bazaar, *, secret_key: str | None = None) -> BotService:
    """A ``BotService`` whose master key suits ``bazaar``'s store (``secretbox``'s rules):
    ``secret_key`` (``$VOLITION_SECRET_KEY``), else a key file beside an SQLite database.

    The key is looked up (or its file made) when an LLM key is first stored or read; without
    one (PostgreSQL and no ``$VOLITION_SECRET_KEY``) that call fails, saying what to set.
    """
    from volition.bazaar.secretbox import LazySecretBox

    engine = getattr(bazaar.store, "engine", None)
    url = None if engine is None else engine.url.render_as_string(hide_password=False)
    return BotService(bazaar, LazySecretBox(url, secret_key=secret_key))
