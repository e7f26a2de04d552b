"""Forecast questions on the bazaar: posting, the forecast's path, resolution and records.

The concept is ``forecasts`` (docs/theory.md §3-4); this service guards it:

- a question is a top-level context with a ``ForecastSpec``; its context expires at the
  question's close time at the latest (forecasting stops when the question closes);
- the inspection engine ``propose``s the forecast of each accepted purchase decision and
  ``confirm``s it once the offers are bought: the path's steps;
- the buyer sees the path, except (amnesia, docs/design.md "Trust model") a step whose
  offers include one the buyer may not read: its distribution and offers are withheld,
  since the forecast carries what those offers said, and so is every later step (it builds
  on it) and the final score when the last step is withheld;
- only the resolver (a named user, or an operator when none is named) resolves, only once,
  only after the close time; a refusal changes nothing, and of racing resolutions exactly
  one is stored (the repository's compare-and-set);
- a resolution settles the question's escrows (pay-on-resolution offers, ``escrow``) in its
  own transaction: the context locked first, so a purchase in flight is settled too, then
  the ledger entries, then the compare-and-set, so a resolution that loses moves no money.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from volition.bazaar.domain import escrow
from volition.bazaar.domain.contexts import DecisionContext
from volition.bazaar.domain.escrow_records import Escrow
from volition.bazaar.domain.follow_ups import buyer_reads
from volition.bazaar.domain.forecasts import (
    ForecastQuestion,
    ForecastRepository,
    ForecastSpec,
    ForecastStep,
    OfferScore,
    Resolution,
    TrackRecord,
    realised_values,
    track_record,
)
from volition.bazaar.domain.service import Bazaar, ContextSpec
from volition.bazaar.errors import Conflict, Forbidden, NotFound
from volition.errors import InputError

__all__ = ["Forecasts", "PathStep", "QuestionView"]

MAX_HORIZON = timedelta(days=3660)


@dataclass(frozen=True, slots=True)
class PathStep:
    """One step of the path as a viewer sees it; ``withheld``: amnesia hides it."""

    seq: int
    distribution: tuple[float, ...] | None
    offer_ids: tuple[str, ...]
    withheld: bool = False


@dataclass(frozen=True, slots=True)
class QuestionView:
    """A question for one viewer: its public part, and for its buyer the path, the scores
    and the escrows of its pay-on-resolution purchases (held, or settled)."""

    question: ForecastQuestion
    resolver: str | None
    path: tuple[PathStep, ...] | None
    scores: tuple[OfferScore, ...] | None
    escrows: tuple[Escrow, ...] | None = None


class Forecasts:
    """Forecast questions of ``bazaar``, kept in ``repository``."""

    def __init__(self, bazaar: Bazaar, repository: ForecastRepository | None = None) -> None:
        self.bazaar = bazaar
        self.repository = repository or bazaar.store.forecast_repository()

    def post(
        self, actor_id: str, spec: ContextSpec, forecast: ForecastSpec, *, key: str | None = None
    ) -> tuple[DecisionContext, ForecastQuestion]:
        """Post a context that is a forecast question (checked whole before anything moves)."""
        forecast = forecast.checked()
        max_escrow = escrow.check_max_escrow(forecast.max_escrow, self.bazaar.settings.max_budget)
        now = self.bazaar.clock()
        if forecast.closes_at.tzinfo is None:
            raise InputError("the close time needs a time zone (UTC)")
        if not now < forecast.closes_at <= now + MAX_HORIZON:
            raise InputError("the close time must be in the future, within ten years")
        if spec.parent_offer_ids:
            raise InputError("a follow-up context cannot be a forecast question")
        resolver_id = None
        if forecast.resolver is not None:
            with self.bazaar.store.begin(write=False) as uow:
                user = uow.users.get_by_name(str(forecast.resolver))
            if user is None:
                raise NotFound(f"there is no user {str(forecast.resolver)[:80]!r} to resolve it")
            resolver_id = user.id
        expires = spec.expires_at
        spec = replace(spec, expires_at=min(expires or forecast.closes_at, forecast.closes_at))
        # one unit: the context, its reservation and its question commit together, and its
        # posting is announced (to bots, to inspectors) only once the question is there
        with self.bazaar.unit() as uow:
            context = self.bazaar.post_context(actor_id, spec, idempotency_key=key)
            repository = self.repository.within(uow)
            found = repository.get(context.id)
            if found is not None:  # a replay of the same request
                return context, found
            question = ForecastQuestion(
                context.id,
                actor_id,
                forecast.outcomes,
                tuple(forecast.prior or ()),
                forecast.closes_at,
                resolver_id,
                forecast.rule,
                max_escrow=max_escrow,
            )
            repository.add(question)  # a failure rolls the context back: nothing half-posted
        return context, question

    def question(self, context_id: str) -> ForecastQuestion | None:
        """The forecast question of a top-level context, if it is one."""
        return self.repository.get(context_id)

    def view(self, viewer_id: str | None, context_id: str) -> QuestionView:
        """The question of ``context_id`` as ``viewer_id`` may see it (NotFound if none)."""
        context = self.bazaar.context(viewer_id, context_id)  # NotFound when not visible
        question = self.repository.get(context.id)
        if question is None:
            raise NotFound(f"context {context_id} is not a forecast question")
        resolver = None
        if question.resolver_id is not None:
            resolver = self.bazaar.user(question.resolver_id).name
        if viewer_id != question.buyer_id:
            public = replace(question, resolution=_public(question.resolution))
            return QuestionView(public, resolver, None, None)
        path, readable = self._path(question)
        scores = tuple(s for s in self.repository.scores(context_id) if s.offer_id in readable)
        if path[-1].withheld:  # the final forecast carries what the buyer forgot
            question = replace(question, resolution=_public(question.resolution))
        with self.bazaar.store.begin(write=False) as uow:
            escrows = tuple(uow.escrows.for_context(context_id))
        return QuestionView(question, resolver, path, scores, escrows)

    def _path(self, question: ForecastQuestion) -> tuple[tuple[PathStep, ...], set[str]]:
        steps = self.repository.steps(question.context_id)
        readable: set[str] = set()
        with self.bazaar.store.begin(write=False) as uow:
            for step in steps:
                for offer_id in step.offer_ids:
                    offer = uow.offers.get(offer_id)
                    context = uow.contexts.get(offer.context_id) if offer else None
                    if offer and context and buyer_reads(uow, offer, context):
                        readable.add(offer_id)
        path = [PathStep(0, question.prior, ())]
        forgotten = False  # a forecast after a forgotten step builds on it: forgotten too
        for step in steps:
            forgotten = forgotten or not set(step.offer_ids) <= readable
            if forgotten:
                path.append(PathStep(step.seq, None, (), withheld=True))
            else:
                path.append(PathStep(step.seq, step.distribution, step.offer_ids))
        return tuple(path), readable

    # ------------------------------------------------------------- the engine's side

    def propose(self, context_id: str, node_id: str, distribution: tuple[float, ...]) -> None:
        """Keep an accepted decision's forecast until its offers are bought (``confirm``)."""
        self.repository.propose(context_id, node_id, distribution)

    def confirm(self, node_id: str, offer_ids: tuple[str, ...]) -> None:
        """The offers of ``node_id``'s decision are bought: its forecast is the next step."""
        if offer_ids:
            self.repository.confirm(node_id, offer_ids, self.bazaar.clock())

    # ------------------------------------------------------------------ resolution

    def resolve(
        self, actor_id: str, context_id: str, outcome: str | None, *, annulled: bool = False
    ) -> ForecastQuestion:
        """Resolve a question to ``outcome`` (or annul it) and score its path."""
        actor = self.bazaar.user(actor_id)
        self.bazaar.context(actor_id, context_id)  # NotFound when not visible
        question = self.repository.get(context_id)
        if question is None:
            raise NotFound(f"context {context_id} is not a forecast question")
        allowed = (
            actor.id == question.resolver_id
            if question.resolver_id is not None
            else actor.is_operator
        )
        if not allowed:
            who = "its named resolver" if question.resolver_id else "an operator"
            raise Forbidden(f"only {who} may resolve this question")
        if question.resolution is not None:
            raise Conflict("this question is already resolved; a resolution is final")
        if annulled == (outcome is not None):
            raise InputError('resolve with either {"outcome": LABEL} or {"annulled": true}')
        index = question.index(outcome) if outcome is not None else -1
        now = self.bazaar.clock()
        if now < question.closes_at:
            raise Conflict(
                f"this question closes at {question.closes_at.isoformat()}; resolve after"
            )
        self.bazaar.expire_due()  # its context closes with the question
        final: float | None = None
        scores: list[OfferScore] = []
        steps = self.repository.steps(context_id)
        if not annulled:
            ids = [i for step in steps for i in step.offer_ids]
            with self.bazaar.store.begin(write=False) as uow:
                offers = {i: (o.seller_id, o.price) for i in ids if (o := uow.offers.get(i))}
            final, scores = realised_values(question, steps, index, offers)
        resolution = Resolution(outcome, annulled, actor.id, now, final)
        values = None if annulled else {s.offer_id: s.value for s in scores}
        with self.bazaar.store.begin() as uow:
            uow.contexts.get(context_id, lock=True)  # a purchase in flight commits first
            settled = escrow.settle(uow, context_id, values, question.max_escrow, now)
            scores = escrow.priced(scores, settled)
            repository = self.repository.within(uow)  # last: a lost race rolls it all back
            if not repository.resolve(context_id, resolution, scores, len(steps)):
                raise Conflict("this question is already resolved; a resolution is final")
        return replace(question, resolution=resolution)

    def record(self, seller_name: str) -> TrackRecord:
        """The public track record of the seller named ``seller_name`` (``TrackRecord``)."""
        with self.bazaar.store.begin(write=False) as uow:
            user = uow.users.get_by_name(seller_name)
        if user is None:
            raise NotFound(f"there is no seller {seller_name[:80]!r}")
        return track_record(user.id, self.repository.seller_scores(user.id))

    def bot_record(self, bot_id: str) -> tuple[str, TrackRecord]:
        """A stored bot's name and public track record: its owner's scored offers that this
        bot posted (its jobs' offers)."""
        with self.bazaar.store.begin(write=False) as uow:
            bot = uow.bots.get(bot_id)
        if bot is None:
            raise NotFound(f"there is no bot {bot_id[:80]!r}")
        scores = self.repository.seller_scores(bot.owner_id)
        with self.bazaar.store.begin(write=False) as uow:
            contexts = {o.context_id for s in scores if (o := uow.offers.get(s.offer_id))}
            jobs = uow.bot_jobs.for_contexts(sorted(contexts)) if contexts else []
        posted = {j.offer_id for j in jobs if j.bot_id == bot_id and j.offer_id}
        return bot.name, track_record(bot.owner_id, [s for s in scores if s.offer_id in posted])

    def steps(self, context_id: str) -> list[ForecastStep]:
        """The confirmed steps of a question (for the operator's tools and tests)."""
        return self.repository.steps(context_id)


def _public(resolution: Resolution | None) -> Resolution | None:
    """What everyone may know of a resolution: not the buyer's score."""
    return None if resolution is None else replace(resolution, final_score=None)
