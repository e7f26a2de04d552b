"""The in-memory repositories of bot sellers and their jobs (``MemoryStore``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from volition.bazaar.domain.bots import BotJob, BotSeller
from volition.bazaar.domain.errors_util import duplicate
from volition.bazaar.domain.memory_table import MemoryTable

__all__ = ["MemoryBotJobs", "MemoryBots"]


class MemoryBots:
    def __init__(
        self, table: MemoryTable[str, BotSeller], jobs: MemoryTable[tuple[str, str], BotJob]
    ):
        self._t = table
        self._jobs = jobs

    def add(self, bot: BotSeller) -> None:
        if self._t.get(bot.id) is not None:
            raise duplicate("bot", bot.id)
        self._t.put(bot.id, bot)

    def get(self, bot_id: str, *, lock: bool = False) -> BotSeller | None:
        return self._t.get(bot_id)

    def update(self, bot: BotSeller) -> None:
        self._t.put(bot.id, bot)

    def delete(self, bot_id: str) -> None:
        for key in [k for k in self._jobs.rows if k[0] == bot_id]:
            self._jobs.delete(key)
        self._t.delete(bot_id)

    def for_owner(self, owner_id: str) -> list[BotSeller]:
        rows = [b for b in self._t.values() if b.owner_id == owner_id]
        return sorted(rows, key=lambda b: (b.created_at, b.id))

    def all(self, *, active_only: bool = False, limit: int = 1000) -> list[BotSeller]:
        rows = [b for b in self._t.values() if b.active or not active_only]
        return sorted(rows, key=lambda b: (b.created_at, b.id))[:limit]


class MemoryBotJobs:
    def __init__(self, table: MemoryTable[tuple[str, str], BotJob]) -> None:
        self._t = table

    def add(self, job: BotJob) -> None:
        if self._t.get((job.bot_id, job.context_id)) is not None:
            raise duplicate("job of bot", f"{job.bot_id} on {job.context_id}")
        self._t.put((job.bot_id, job.context_id), job)

    def get(self, bot_id: str, context_id: str, *, lock: bool = False) -> BotJob | None:
        return self._t.get((bot_id, context_id))

    def update(self, job: BotJob) -> None:
        self._t.put((job.bot_id, job.context_id), job)

    def for_context(self, context_id: str) -> list[BotJob]:
        return [j for j in self._t.values() if j.context_id == context_id]

    def for_contexts(self, context_ids: Sequence[str]) -> list[BotJob]:
        wanted = set(context_ids)
        return [j for j in self._t.values() if j.context_id in wanted]

    def for_bot(self, bot_id: str, limit: int = 100) -> list[BotJob]:
        rows = [j for j in self._t.values() if j.bot_id == bot_id]
        rows.sort(key=lambda j: (j.created_at, j.context_id), reverse=True)
        return rows[:limit]

    def claimable(self, now: datetime, max_attempts: int, limit: int) -> list[BotJob]:
        rows = [j for j in self._t.values() if j.claimable(now, max_attempts)]
        rows.sort(key=lambda j: (j.created_at, j.bot_id, j.context_id))
        return rows[:limit]
