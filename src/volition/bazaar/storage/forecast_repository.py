"""Forecast questions in SQL: the ``ForecastRepository`` protocol on SQLite and PostgreSQL.

Each call is one short transaction beside the bazaar's (no money moves with a question).
``confirm`` numbers a step inside its transaction (SQLite: ``BEGIN IMMEDIATE`` serialises
writers; PostgreSQL: the question's row is locked first). ``resolve`` is a compare-and-set:
``UPDATE ... WHERE resolved_at IS NULL``; of racing resolutions exactly one changes the row,
and its scores are written in the same transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select, update

from volition.bazaar.domain.forecast_memory import STALE
from volition.bazaar.domain.forecasts import (
    ForecastQuestion,
    ForecastStep,
    OfferScore,
    Resolution,
)
from volition.bazaar.errors import Conflict
from volition.bazaar.storage.joinable import JoinableRepository
from volition.bazaar.storage.models_forecasts import (
    ForecastQuestionRow,
    ForecastScoreRow,
    ForecastStepRow,
)
from volition.bazaar.storage.row_maps import (
    FORECAST_QUESTION,
    FORECAST_SCORE,
    FORECAST_STEP,
    RESOLUTION,
)

__all__ = ["SqlForecastRepository"]


class _Stale(Conflict):
    """The path changed while resolving (raised inside the transaction, to roll it back)."""


QUESTIONS: Table = ForecastQuestionRow.__table__  # type: ignore[assignment]
STEPS: Table = ForecastStepRow.__table__  # type: ignore[assignment]
SCORES: Table = ForecastScoreRow.__table__  # type: ignore[assignment]


class SqlForecastRepository(JoinableRepository):
    """Questions, steps and scores in the bazaar's database (migration 0011)."""

    conflict = (
        "the forecast change conflicts with stored data (a duplicate question or step); "
        "read it again"
    )

    def __init__(self, store: Any, *, conn: Connection | None = None) -> None:
        """``store``: a ``SqlStore`` or an ``Engine``; ``conn``: a unit of work's (``within``)."""
        super().__init__(store if isinstance(store, Engine) else store.engine, conn=conn)

    def add(self, question: ForecastQuestion) -> None:
        with self._begin() as conn:
            row = FORECAST_QUESTION.values(question, exclude=("buyer_id", "resolution"))
            conn.execute(insert(QUESTIONS).values(row))

    def get(self, context_id: str) -> ForecastQuestion | None:
        from volition.bazaar.storage.models import ContextRow

        contexts: Table = ContextRow.__table__  # type: ignore[assignment]
        with self._begin(write=False) as conn:
            row = conn.execute(
                select(QUESTIONS, contexts.c.buyer_id)
                .join(contexts, contexts.c.id == QUESTIONS.c.context_id)
                .where(QUESTIONS.c.context_id == context_id)
            ).first()
        return None if row is None else FORECAST_QUESTION.record_of(row)

    def propose(self, context_id: str, node_id: str, distribution: tuple[float, ...]) -> None:
        with self._begin() as conn:
            found = conn.execute(select(STEPS.c.node_id).where(STEPS.c.node_id == node_id)).first()
            if found is None:
                conn.execute(
                    insert(STEPS).values(
                        node_id=node_id,
                        context_id=context_id,
                        distribution=list(distribution),
                        offer_ids=[],
                    )
                )

    def confirm(self, node_id: str, offer_ids: tuple[str, ...], at: datetime) -> None:
        with self._begin() as conn:
            step = conn.execute(select(STEPS).where(STEPS.c.node_id == node_id)).first()
            if step is None or step.seq is not None:
                return  # never proposed, or confirmed already (a repeated step)
            question = conn.execute(
                select(QUESTIONS.c.resolved_at)
                .where(QUESTIONS.c.context_id == step.context_id)
                .with_for_update()
            ).first()
            if question is None or question.resolved_at is not None:
                return  # resolved meanwhile: the path is final
            last = conn.execute(
                select(func.max(STEPS.c.seq)).where(STEPS.c.context_id == step.context_id)
            ).scalar()
            conn.execute(
                update(STEPS)
                .where(STEPS.c.node_id == node_id)
                .values(seq=(last or 0) + 1, offer_ids=list(offer_ids), at=at)
            )

    def steps(self, context_id: str) -> list[ForecastStep]:
        with self._begin(write=False) as conn:
            rows = conn.execute(
                select(STEPS)
                .where(STEPS.c.context_id == context_id, STEPS.c.seq.is_not(None))
                .order_by(STEPS.c.seq)
            ).all()
        return FORECAST_STEP.records(rows)

    def resolve(
        self, context_id: str, resolution: Resolution, scores: list[OfferScore], steps: int
    ) -> bool:
        with self._begin() as conn:
            conn.execute(  # taken first: a step confirmed now waits for this transaction
                select(QUESTIONS.c.context_id)
                .where(QUESTIONS.c.context_id == context_id)
                .with_for_update()
            ).first()
            confirmed = conn.execute(
                select(func.count())
                .select_from(STEPS)
                .where(STEPS.c.context_id == context_id, STEPS.c.seq.is_not(None))
            ).scalar()
            changed = conn.execute(
                update(QUESTIONS)
                .where(QUESTIONS.c.context_id == context_id, QUESTIONS.c.resolved_at.is_(None))
                .values(RESOLUTION.values(resolution))
            ).rowcount
            if changed != 1:
                return False
            if confirmed != steps:  # rolled back with the transaction
                raise _Stale(STALE)
            if scores:
                conn.execute(insert(SCORES), [FORECAST_SCORE.values(s) for s in scores])
            return True

    def scores(self, context_id: str) -> list[OfferScore]:
        with self._begin(write=False) as conn:
            rows = conn.execute(
                select(SCORES).where(SCORES.c.context_id == context_id).order_by(SCORES.c.seq)
            ).all()
        return FORECAST_SCORE.records(rows)

    def seller_scores(self, seller_id: str) -> list[OfferScore]:
        return self.sellers_scores([seller_id])

    def sellers_scores(self, seller_ids: Collection[str]) -> list[OfferScore]:
        if not seller_ids:
            return []
        with self._begin(write=False) as conn:
            rows = conn.execute(
                select(SCORES).where(SCORES.c.seller_id.in_(sorted(seller_ids)))
            ).all()
        return FORECAST_SCORE.records(rows)
