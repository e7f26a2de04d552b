"""The SQL repositories of bots, bot jobs and LLM credentials (tables in ``models_bots``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, insert, or_, select, update

from volition.bazaar.domain.bots import BotJob, BotSeller, JobStatus
from volition.bazaar.domain.credentials import LLMCredential
from volition.bazaar.storage.leases import LeaseColumns
from volition.bazaar.storage.models import Base
from volition.bazaar.storage.models_bots import BotJobRow, BotRow, LLMCredentialRow
from volition.bazaar.storage.row_maps import BOT, BOT_JOB, CREDENTIAL
from volition.bazaar.storage.sql_repository import SqlRepository

__all__ = ["SqlBotJobs", "SqlBots", "SqlCredentials"]

B = Base.metadata.tables[BotRow.__tablename__]
J = Base.metadata.tables[BotJobRow.__tablename__]
K = Base.metadata.tables[LLMCredentialRow.__tablename__]
JOB_LEASE = LeaseColumns(J)  # held by whoever ran the job's last attempt


# Inserts built once, their values given as parameters: ``insert(t).values(row)`` built and
# hashed a new statement on every call (about 0.3 ms of CPU a row on PostgreSQL, issue 15).
_INSERT_JOB = insert(J)


class SqlBots(SqlRepository):
    def add(self, bot: BotSeller) -> None:
        self.conn.execute(insert(B).values(BOT.values(bot)))

    def get(self, bot_id: str, *, lock: bool = False) -> BotSeller | None:
        stmt = select(B).where(B.c.id == bot_id)
        return self._record(BOT, stmt.with_for_update(key_share=True) if lock else stmt)

    def update(self, bot: BotSeller) -> None:
        self.conn.execute(
            update(B).where(B.c.id == bot.id).values(BOT.values(bot, exclude=("id",)))
        )

    def delete(self, bot_id: str) -> None:
        self.conn.execute(delete(J).where(J.c.bot_id == bot_id))
        self.conn.execute(delete(B).where(B.c.id == bot_id))

    def for_owner(self, owner_id: str) -> list[BotSeller]:
        stmt = select(B).where(B.c.owner_id == owner_id).order_by(B.c.created_at, B.c.id)
        return self._records(BOT, stmt)

    def all(self, *, active_only: bool = False, limit: int = 1000) -> list[BotSeller]:
        stmt = select(B).order_by(B.c.created_at, B.c.id).limit(limit)
        if active_only:
            stmt = stmt.where(B.c.active.is_(True))
        return self._records(BOT, stmt)


_JOB_KEY = ("bot_id", "context_id", "created_at")  # a job's, never changed


class SqlBotJobs(SqlRepository):
    def add(self, job: BotJob) -> None:
        self.conn.execute(_INSERT_JOB, BOT_JOB.values(job))

    def get(self, bot_id: str, context_id: str, *, lock: bool = False) -> BotJob | None:
        stmt = select(J).where(J.c.bot_id == bot_id, J.c.context_id == context_id)
        return self._record(BOT_JOB, stmt.with_for_update(key_share=True) if lock else stmt)

    def update(self, job: BotJob) -> None:
        self.conn.execute(
            update(J)
            .where(J.c.bot_id == job.bot_id, J.c.context_id == job.context_id)
            .values(BOT_JOB.values(job, exclude=_JOB_KEY))
        )

    def for_context(self, context_id: str) -> list[BotJob]:
        stmt = select(J).where(J.c.context_id == context_id).order_by(J.c.created_at, J.c.bot_id)
        return self._records(BOT_JOB, stmt)

    def for_contexts(self, context_ids: Sequence[str]) -> list[BotJob]:
        if not context_ids:
            return []
        stmt = select(J).where(J.c.context_id.in_(list(context_ids)))
        return self._records(BOT_JOB, stmt)

    def for_bot(self, bot_id: str, limit: int = 100) -> list[BotJob]:
        stmt = (
            select(J)
            .where(J.c.bot_id == bot_id)
            .order_by(J.c.created_at.desc(), J.c.context_id.desc())
            .limit(limit)
        )
        return self._records(BOT_JOB, stmt)

    def claimable(self, now: datetime, max_attempts: int, limit: int) -> list[BotJob]:
        # ``BotJob.claimable``: a pending job whose retry is due, a running one whose lease ran out
        pending = and_(J.c.status == JobStatus.PENDING.value, JOB_LEASE.free(now))
        stale = and_(J.c.status == JobStatus.RUNNING.value, JOB_LEASE.run_out(now))
        stmt = (
            select(J)
            .where(or_(pending, stale), J.c.attempts < max_attempts)
            .order_by(J.c.created_at, J.c.bot_id, J.c.context_id)
            .limit(limit)
        )
        return self._records(BOT_JOB, stmt)


class SqlCredentials(SqlRepository):
    def get(self, user_id: str) -> LLMCredential | None:
        return self._record(CREDENTIAL, select(K).where(K.c.user_id == user_id))

    def put(self, credential: LLMCredential) -> None:
        values = CREDENTIAL.values(credential, exclude=("user_id",))
        done = self.conn.execute(update(K).where(K.c.user_id == credential.user_id).values(values))
        if done.rowcount == 0:
            self.conn.execute(insert(K).values(user_id=credential.user_id, **values))

    def delete(self, user_id: str) -> None:
        self.conn.execute(delete(K).where(K.c.user_id == user_id))
