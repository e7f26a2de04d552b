"""Forecast questions in memory: the ``ForecastRepository`` of a ``MemoryStore`` bazaar."""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

from volition.bazaar.domain.forecasts import (
    ForecastQuestion,
    ForecastStep,
    OfferScore,
    Resolution,
)
from volition.bazaar.errors import Conflict

__all__ = ["STALE", "MemoryForecastRepository"]

STALE = "a purchase step was added to the forecast's path while resolving; resolve again"


class MemoryForecastRepository:
    """Questions, steps and scores in dicts, each call atomic under one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._questions: dict[str, ForecastQuestion] = {}
        self._proposed: dict[str, tuple[str, tuple[float, ...]]] = {}
        self._steps: dict[str, ForecastStep] = {}  # by node id
        self._scores: dict[str, OfferScore] = {}  # by offer id

    def within(self, uow: object) -> MemoryForecastRepository:
        """The same repository: each call is atomic on its own (nothing to join)."""
        return self

    def add(self, question: ForecastQuestion) -> None:
        with self._lock:
            if question.context_id in self._questions:
                raise Conflict(f"context {question.context_id} is already a forecast question")
            self._questions[question.context_id] = question

    def get(self, context_id: str) -> ForecastQuestion | None:
        with self._lock:
            return self._questions.get(context_id)

    def propose(self, context_id: str, node_id: str, distribution: tuple[float, ...]) -> None:
        with self._lock:
            self._proposed.setdefault(node_id, (context_id, distribution))

    def confirm(self, node_id: str, offer_ids: tuple[str, ...], at: datetime) -> None:
        with self._lock:
            if node_id in self._steps or node_id not in self._proposed:
                return
            context_id, distribution = self._proposed[node_id]
            question = self._questions.get(context_id)
            if question is None or question.resolution is not None:
                return  # resolved meanwhile: the path is final
            seq = 1 + sum(s.context_id == context_id for s in self._steps.values())
            self._steps[node_id] = ForecastStep(
                context_id, seq, node_id, distribution, offer_ids, at
            )

    def steps(self, context_id: str) -> list[ForecastStep]:
        with self._lock:
            found = [s for s in self._steps.values() if s.context_id == context_id]
        return sorted(found, key=lambda s: s.seq)

    def resolve(
        self, context_id: str, resolution: Resolution, scores: list[OfferScore], steps: int
    ) -> bool:
        with self._lock:
            question = self._questions.get(context_id)
            if question is None or question.resolution is not None:
                return False
            if sum(s.context_id == context_id for s in self._steps.values()) != steps:
                raise Conflict(STALE)
            self._questions[context_id] = replace(question, resolution=resolution)
            for s in scores:
                self._scores[s.offer_id] = s
            return True

    def scores(self, context_id: str) -> list[OfferScore]:
        with self._lock:
            return [s for s in self._scores.values() if s.context_id == context_id]

    def seller_scores(self, seller_id: str) -> list[OfferScore]:
        with self._lock:
            return [s for s in self._scores.values() if s.seller_id == seller_id]

    def sellers_scores(self, seller_ids: Collection[str]) -> list[OfferScore]:
        wanted = set(seller_ids)
        with self._lock:
            return [s for s in self._scores.values() if s.seller_id in wanted]
