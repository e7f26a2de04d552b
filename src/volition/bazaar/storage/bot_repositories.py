"""The SQL repositories of bots, bot jobs and LLM credentials (tables in ``models_bots``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, and_, delete, insert, or_, select, update

from volition.bazaar.domain.bots import BotJob, BotKind, BotSeller, JobStatus
from volition.bazaar.domain.credentials import LLMCredential
from volition.bazaar.storage.models import Base
from volition.bazaar.storage.models_bots import BotJobRow, BotRow, LLMCredentialRow

__all__ = ["SqlBotJobs", "SqlBots", "SqlCredentials"]

B = Base.metadata.tables[BotRow.__tablename__]
J = Base.metadata.tables[BotJobRow.__tablename__]
K = Base.metadata.tables[LLMCredentialRow.__tablename__]


def _bot(r: Row[Any]) -> BotSeller:
    return BotSeller(
        id=r.id,
        owner_id=r.owner_id,
        name=r.name,
        kind=BotKind(r.kind),
        active=r.active,
        price=r.price,
        created_at=r.created_at,
        keywords=tuple(r.keywords),
        min_budget=r.min_budget,
        min_priority=r.min_priority,
        max_age=None if r.max_age_seconds is None else timedelta(seconds=r.max_age_seconds),
        min_inspection_rate=r.min_inspection_rate,
        min_purchase_rate=r.min_purchase_rate,
        preview=r.preview,
        private_info=r.private_info,
        instructions=r.instructions,
        base_url=r.base_url,
        model=r.model,
        market=r.market,
        market_offer=r.market_offer,
        market_state=r.market_state,
        cents_per_unit=r.cents_per_unit,
    )


def _bot_values(bot: BotSeller) -> dict[str, Any]:
    age = bot.max_age
    return {
        "owner_id": bot.owner_id,
        "name": bot.name,
        "kind": bot.kind.value,
        "active": bot.active,
        "price": bot.price,
        "created_at": bot.created_at,
        "keywords": list(bot.keywords),
        "min_budget": bot.min_budget,
        "min_priority": bot.min_priority,
        "max_age_seconds": None if age is None else age.total_seconds(),
        "min_inspection_rate": bot.min_inspection_rate,
        "min_purchase_rate": bot.min_purchase_rate,
        "preview": bot.preview,
        "private_info": bot.private_info,
        "instructions": bot.instructions,
        "base_url": bot.base_url,
        "model": bot.model,
        "market": bot.market,
        "market_offer": bot.market_offer,
        "market_state": bot.market_state,
        "cents_per_unit": bot.cents_per_unit,
    }


class _Repo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn


class SqlBots(_Repo):
    def add(self, bot: BotSeller) -> None:
        self.conn.execute(insert(B).values(id=bot.id, **_bot_values(bot)))

    def get(self, bot_id: str, *, lock: bool = False) -> BotSeller | None:
        stmt = select(B).where(B.c.id == bot_id)
        row = self.conn.execute(stmt.with_for_update(key_share=True) if lock else stmt).first()
        return _bot(row) if row else None

    def update(self, bot: BotSeller) -> None:
        self.conn.execute(update(B).where(B.c.id == bot.id).values(**_bot_values(bot)))

    def delete(self, bot_id: str) -> None:
        self.conn.execute(delete(J).where(J.c.bot_id == bot_id))
        self.conn.execute(delete(B).where(B.c.id == bot_id))

    def for_owner(self, owner_id: str) -> list[BotSeller]:
        stmt = select(B).where(B.c.owner_id == owner_id).order_by(B.c.created_at, B.c.id)
        return [_bot(r) for r in self.conn.execute(stmt)]

    def all(self, *, active_only: bool = False, limit: int = 1000) -> list[BotSeller]:
        stmt = select(B).order_by(B.c.created_at, B.c.id).limit(limit)
        if active_only:
            stmt = stmt.where(B.c.active.is_(True))
        return [_bot(r) for r in self.conn.execute(stmt)]


def _job(r: Row[Any]) -> BotJob:
    return BotJob(
        bot_id=r.bot_id,
        context_id=r.context_id,
        status=JobStatus(r.status),
        attempts=r.attempts,
        created_at=r.created_at,
        updated_at=r.updated_at,
        lease_until=r.lease_until,
        offer_id=r.offer_id,
        error=r.error,
    )


def _job_values(job: BotJob) -> dict[str, Any]:
    return {
        "status": job.status.value,
        "attempts": job.attempts,
        "updated_at": job.updated_at,
        "lease_until": job.lease_until,
        "offer_id": job.offer_id,
        "error": job.error,
    }


class SqlBotJobs(_Repo):
    def add(self, job: BotJob) -> None:
        self.conn.execute(
            insert(J).values(
                bot_id=job.bot_id,
                context_id=job.context_id,
                created_at=job.created_at,
                **_job_values(job),
            )
        )

    def get(self, bot_id: str, context_id: str, *, lock: bool = False) -> BotJob | None:
        stmt = select(J).where(J.c.bot_id == bot_id, J.c.context_id == context_id)
        row = self.conn.execute(stmt.with_for_update(key_share=True) if lock else stmt).first()
        return _job(row) if row else None

    def update(self, job: BotJob) -> None:
        self.conn.execute(
            update(J)
            .where(J.c.bot_id == job.bot_id, J.c.context_id == job.context_id)
            .values(**_job_values(job))
        )

    def for_context(self, context_id: str) -> list[BotJob]:
        stmt = select(J).where(J.c.context_id == context_id).order_by(J.c.created_at, J.c.bot_id)
        return [_job(r) for r in self.conn.execute(stmt)]

    def for_contexts(self, context_ids: Sequence[str]) -> list[BotJob]:
        if not context_ids:
            return []
        stmt = select(J).where(J.c.context_id.in_(list(context_ids)))
        return [_job(r) for r in self.conn.execute(stmt)]

    def for_bot(self, bot_id: str, limit: int = 100) -> list[BotJob]:
        stmt = (
            select(J)
            .where(J.c.bot_id == bot_id)
            .order_by(J.c.created_at.desc(), J.c.context_id.desc())
            .limit(limit)
        )
        return [_job(r) for r in self.conn.execute(stmt)]

    def claimable(self, now: datetime, max_attempts: int, limit: int) -> list[BotJob]:
        pending = and_(
            J.c.status == JobStatus.PENDING.value,
            or_(J.c.lease_until.is_(None), J.c.lease_until <= now),
        )
        stale = and_(J.c.status == JobStatus.RUNNING.value, J.c.lease_until <= now)
        stmt = (
            select(J)
            .where(or_(pending, stale), J.c.attempts < max_attempts)
            .order_by(J.c.created_at, J.c.bot_id, J.c.context_id)
            .limit(limit)
        )
        return [_job(r) for r in self.conn.execute(stmt)]


class SqlCredentials(_Repo):
    def get(self, user_id: str) -> LLMCredential | None:
        r = self.conn.execute(select(K).where(K.c.user_id == user_id)).first()
        if r is None:
            return None
        return LLMCredential(r.user_id, r.base_url, r.model, r.secret, r.key_hint, r.updated_at)

    def put(self, credential: LLMCredential) -> None:
        values = {
            "base_url": credential.base_url,
            "model": credential.model,
            "secret": credential.secret,
            "key_hint": credential.key_hint,
            "updated_at": credential.updated_at,
        }
        done = self.conn.execute(update(K).where(K.c.user_id == credential.user_id).values(values))
        if done.rowcount == 0:
            self.conn.execute(insert(K).values(user_id=credential.user_id, **values))

    def delete(self, user_id: str) -> None:
        self.conn.execute(delete(K).where(K.c.user_id == user_id))
