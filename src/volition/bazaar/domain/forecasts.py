"""Forecast questions: contexts whose decision is a distribution over outcomes that resolve.

docs/theory.md §3 (forecasts under a proper scoring rule) and §4 (the marginal-value oversight
mechanism): once the question resolves, the expected reward E[U(x_n) - U(x_{n-1}) | all] of
each purchase step is replaced by what happened, its **realised marginal value**
S(x_n, o) - S(x_{n-1}, o), the score of the forecast after the step minus the score before.

The forecast's path starts at the question's ``prior`` (the buyer's belief before any
purchase, uniform unless posted) and gains one step each time the inspection buys offers,
in the order the purchases happened (a follow-up's purchases come before the purchase they
inform). *(choice)* Under the log rule probabilities are clipped to ``[LOG_FLOOR, 1]`` when
scored, so that every score is finite (at worst log 1e-6, about -13.8).

This module is pure: the records, their validation and the scoring; ``forecast_service``
stores and guards them.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from volition.bazaar.domain.checks import check_text
from volition.core.scoring import ScoringRule, categorical_score, distribution_problems
from volition.errors import InputError

__all__ = [
    "LOG_FLOOR",
    "MAX_LABEL_CHARS",
    "MAX_OUTCOMES",
    "ForecastQuestion",
    "ForecastRepository",
    "ForecastSpec",
    "ForecastStep",
    "OfferScore",
    "Resolution",
    "TrackRecord",
    "check_distribution",
    "realised_values",
    "score",
    "track_record",
]

MAX_OUTCOMES = 20
MAX_LABEL_CHARS = 80
LOG_FLOOR = 1e-6


@dataclass(frozen=True, slots=True)
class ForecastSpec:
    """What a buyer posts to make a context a forecast question.

    ``outcomes``: 2 labels (binary) or more (categorical), distinct. ``resolver``: the name
    of the user who will resolve it (None: the operator). ``prior``: the forecast before any
    purchase (default uniform)."""

    outcomes: tuple[str, ...]
    closes_at: datetime
    resolver: str | None = None
    rule: ScoringRule = ScoringRule.LOG
    prior: tuple[float, ...] | None = None

    def checked(self) -> ForecastSpec:
        """This spec, its labels stripped and its prior filled in; InputError saying what
        to fix when it is not a question."""
        if not isinstance(self.outcomes, tuple | list):
            raise InputError("the outcomes must be a list of labels")
        labels = tuple(o.strip() if isinstance(o, str) else o for o in self.outcomes)
        if not 2 <= len(labels) <= MAX_OUTCOMES:
            raise InputError(
                f"a forecast question has 2 to {MAX_OUTCOMES} outcomes, not {len(labels)}"
            )
        for label in labels:
            check_text(label, "an outcome label", MAX_LABEL_CHARS)
            if any(ord(c) < 32 for c in label):
                raise InputError(f"an outcome label has no control characters: {label!r}")
        if len(set(labels)) != len(labels):
            raise InputError("the outcomes must be distinct labels")
        prior = self.prior if self.prior is not None else (1.0 / len(labels),) * len(labels)
        problems = distribution_problems(list(prior), len(labels))
        if problems:
            raise InputError(f"the prior: {problems[0]}")
        try:
            rule = ScoringRule(self.rule)
        except ValueError:
            names = ", ".join(r.value for r in ScoringRule)
            raise InputError(f"unknown scoring rule {self.rule!r}; use one of {names}") from None
        return ForecastSpec(labels, self.closes_at, self.resolver, rule, prior)


@dataclass(frozen=True, slots=True)
class Resolution:
    """How a question resolved: an outcome, or annulled (nothing scored)."""

    outcome: str | None
    annulled: bool
    by_id: str
    at: datetime
    final_score: float | None = None


@dataclass(frozen=True, slots=True)
class ForecastQuestion:
    """A stored forecast question; ``resolver_id`` None: any operator resolves it."""

    context_id: str
    buyer_id: str
    outcomes: tuple[str, ...]
    prior: tuple[float, ...]
    closes_at: datetime
    resolver_id: str | None
    rule: ScoringRule
    resolution: Resolution | None = None

    def index(self, outcome: str) -> int:
        """The position of ``outcome``; InputError naming the outcomes when unknown."""
        try:
            return self.outcomes.index(outcome)
        except ValueError:
            names = ", ".join(repr(o) for o in self.outcomes)
            raise InputError(
                f"{outcome[:80]!r} is not an outcome of this question; use one of {names}"
            ) from None


@dataclass(frozen=True, slots=True)
class ForecastStep:
    """The forecast after one purchase step: ``seq`` 1, 2, ... (the prior is step 0)."""

    context_id: str
    seq: int
    node_id: str
    distribution: tuple[float, ...]
    offer_ids: tuple[str, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class OfferScore:
    """A bought offer judged by the outcome: its step's realised marginal value (score after
    minus score before), its price (cents), and the forecast after its step."""

    context_id: str
    offer_id: str
    seller_id: str
    price: int
    seq: int
    value: float
    after: tuple[float, ...]
    outcome: int


def check_distribution(distribution: object, outcomes: Sequence[str]) -> tuple[float, ...]:
    """``distribution`` as a tuple of floats; InputError when it is not one over
    ``outcomes``."""
    problems = distribution_problems(distribution, len(outcomes))
    if problems:
        raise InputError(problems[0])
    assert isinstance(distribution, tuple | list)
    return tuple(float(p) for p in distribution)


def score(rule: ScoringRule, distribution: Sequence[float], outcome: int) -> float:
    """S(p, o) under ``rule``; log scores clip p to [LOG_FLOOR, 1] (see the module)."""
    p = list(distribution)
    if rule is ScoringRule.LOG:
        return math.log(max(p[outcome], LOG_FLOOR))
    return categorical_score(rule, p, outcome)


def realised_values(
    question: ForecastQuestion,
    steps: Sequence[ForecastStep],
    outcome: int,
    offers: dict[str, tuple[str, int]],
) -> tuple[float, list[OfferScore]]:
    """The final forecast's score and every bought offer's realised marginal value.

    ``offers``: offer id -> (seller id, price in cents) for every offer of ``steps``. Every
    offer bought at step n gets S(x_n, o) - S(x_{n-1}, o); the values telescope to the final
    score minus the prior's (docs/theory.md §4)."""
    before = score(question.rule, question.prior, outcome)
    final = question.prior
    scores: list[OfferScore] = []
    for step in sorted(steps, key=lambda s: s.seq):
        after = score(question.rule, step.distribution, outcome)
        for offer_id in step.offer_ids:
            seller_id, price = offers[offer_id]
            scores.append(
                OfferScore(
                    question.context_id,
                    offer_id,
                    seller_id,
                    price,
                    step.seq,
                    after - before,
                    step.distribution,
                    outcome,
                )
            )
        before, final = after, step.distribution
    return score(question.rule, final, outcome), scores


@dataclass(frozen=True, slots=True)
class TrackRecord:
    """A seller's record over resolved (not annulled) questions.

    ``offers``: offers bought and scored; ``mean_value``: their mean realised marginal value;
    ``value_per_dollar``: the mean, over those with a price, of value / (price in dollars);
    **calibration** of the forecasts they moved (the forecast after each step that bought one
    of their offers): ``mean_confidence`` is the mean probability it gave its most likely
    outcome, ``hit_rate`` how often that outcome happened, and ``calibration_gap`` their
    difference (positive: the forecasts were overconfident; near 0: calibrated).
    """

    seller_id: str
    offers: int
    questions: int
    mean_value: float | None
    value_per_dollar: float | None
    mean_confidence: float | None
    hit_rate: float | None
    calibration_gap: float | None


def track_record(seller_id: str, scores: Iterable[OfferScore]) -> TrackRecord:
    """The ``TrackRecord`` of ``seller_id`` from its offers' scores."""
    mine = [s for s in scores if s.seller_id == seller_id]
    if not mine:
        return TrackRecord(seller_id, 0, 0, None, None, None, None, None)
    priced = [s.value / (s.price / 100) for s in mine if s.price > 0]
    confidence = [max(s.after) for s in mine]
    hits = [s.after.index(max(s.after)) == s.outcome for s in mine]
    mean_conf = sum(confidence) / len(mine)
    hit_rate = sum(hits) / len(mine)
    return TrackRecord(
        seller_id,
        len(mine),
        len({s.context_id for s in mine}),
        sum(s.value for s in mine) / len(mine),
        sum(priced) / len(priced) if priced else None,
        mean_conf,
        hit_rate,
        mean_conf - hit_rate,
    )


class ForecastRepository(Protocol):
    """Where forecast questions, their paths and their scores are kept (SQL or memory).

    Each call is atomic. ``propose`` keeps an accepted decision's forecast under its node
    (once); ``confirm`` makes it the next step of the path with the offers actually bought
    (once, a repeat changes nothing). ``resolve`` stores a resolution and the scores only if
    the question is still unresolved, and says whether it did (one of racing calls wins); it
    raises ``Conflict`` if the path no longer has the ``steps`` steps that were scored (a
    purchase step was confirmed meanwhile: resolve again)."""

    def within(self, uow: object) -> ForecastRepository:
        """This repository reading and writing in the bazaar's unit of work ``uow`` where it
        can join it (SQL on the same database); else itself."""
        ...

    def add(self, question: ForecastQuestion) -> None: ...

    def get(self, context_id: str) -> ForecastQuestion | None: ...

    def propose(self, context_id: str, node_id: str, distribution: tuple[float, ...]) -> None: ...

    def confirm(self, node_id: str, offer_ids: tuple[str, ...], at: datetime) -> None: ...

    def steps(self, context_id: str) -> list[ForecastStep]: ...

    def resolve(
        self, context_id: str, resolution: Resolution, scores: list[OfferScore], steps: int
    ) -> bool: ...

    def scores(self, context_id: str) -> list[OfferScore]: ...

    def seller_scores(self, seller_id: str) -> list[OfferScore]: ...

    def sellers_scores(self, seller_ids: Collection[str]) -> list[OfferScore]:
        """The scores of the offers of all ``seller_ids``, read at once."""
        ...
