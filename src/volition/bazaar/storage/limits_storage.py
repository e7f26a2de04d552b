"""A storage backend of the ``limits`` library on the bazaar's SQL database.

Every server process on one database (``volition serve --workers N``, several hosts on one
PostgreSQL) sees the same counters, without a Redis. It implements the base ``Storage``
interface, which the fixed-window strategy (``limits.strategies.FixedWindowRateLimiter``)
needs: a counter per key that starts again once its expiry has passed. ``incr`` is one
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` statement, atomic on SQLite and PostgreSQL,
so racing processes never lose a count.

Registered under the schemes ``volition+sqlite`` and ``volition+postgresql[+psycopg]``
(``limits.storage.storage_from_string("volition+sqlite:///bazaar.db")``); a server passes
its own engine instead (``SqlLimitsStorage(engine=store.engine)``). Times are seconds since
the epoch from ``clock`` (``time.time``: every process's clock is taken to agree, as the
other ``limits`` backends do).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from limits.storage import Storage
from sqlalchemy import Engine, Table, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from volition.bazaar.storage.engine import make_engine
from volition.bazaar.storage.models_ratelimit import KEY_LENGTH, RateLimitRow

__all__ = ["SqlLimitsStorage"]

_TABLE: Table = RateLimitRow.__table__  # type: ignore[assignment]
PURGE_EVERY = 1000  # increments of one process between deletions of expired rows


class SqlLimitsStorage(Storage):
    """``limits`` counters in the ``rate_limit_counters`` table (migration 0008)."""

    # the schemes ``limits.storage.storage_from_string`` maps to this class (its registry)
    STORAGE_SCHEME = [  # noqa: RUF012 (the limits library's own attribute)
        "volition+sqlite",
        "volition+postgresql",
        "volition+postgresql+psycopg",
    ]

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        *,
        engine: Engine | None = None,
        clock: Callable[[], float] = time.time,
        **options: float | str | bool,
    ) -> None:
        super().__init__(uri, wrap_exceptions, **options)
        if engine is None:
            if uri is None:
                raise ValueError("SqlLimitsStorage needs a volition+<database URL> or an engine")
            engine = make_engine(uri.removeprefix("volition+"))
        self.engine = engine
        self.clock = clock
        self._increments = 0
        self._lock = threading.Lock()

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to ``key``'s count; a new or expired count starts at ``amount`` and
        expires ``expiry`` seconds from now."""
        _check_key(key)
        now = self.clock()
        insert: Any = (postgresql if self.engine.dialect.name == "postgresql" else sqlite).insert
        expired = _TABLE.c.expires_at <= now
        statement = (
            insert(_TABLE)
            .values(key=key, count=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[_TABLE.c.key],
                set_={
                    "count": case((expired, amount), else_=_TABLE.c.count + amount),
                    "expires_at": case((expired, now + expiry), else_=_TABLE.c.expires_at),
                },
            )
            .returning(_TABLE.c.count)
        )
        with self.engine.begin() as conn:
            count = int(conn.execute(statement).scalar_one())
        self._maybe_purge()
        return count

    def get(self, key: str) -> int:
        """The count of ``key`` (0 when absent or expired)."""
        with self.engine.connect() as conn:
            count = conn.execute(
                select(_TABLE.c.count).where(
                    _TABLE.c.key == key, _TABLE.c.expires_at > self.clock()
                )
            ).scalar_one_or_none()
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        """When ``key``'s count expires (now, when there is none)."""
        now = self.clock()
        with self.engine.connect() as conn:
            at = conn.execute(
                select(_TABLE.c.expires_at).where(_TABLE.c.key == key, _TABLE.c.expires_at > now)
            ).scalar_one_or_none()
        return float(at) if at is not None else now

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            with self.engine.connect() as conn:
                conn.execute(select(func.count()).select_from(_TABLE))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Delete every counter; how many there were."""
        with self.engine.begin() as conn:
            return int(conn.execute(delete(_TABLE)).rowcount)

    def clear(self, key: str) -> None:
        """Delete ``key``'s counter."""
        with self.engine.begin() as conn:
            conn.execute(delete(_TABLE).where(_TABLE.c.key == key))

    def purge_expired(self) -> int:
        """Delete the expired counters (they already count as 0); how many."""
        with self.engine.begin() as conn:
            return int(
                conn.execute(delete(_TABLE).where(_TABLE.c.expires_at <= self.clock())).rowcount
            )

    def _maybe_purge(self) -> None:
        with self._lock:
            self._increments += 1
            due = self._increments % PURGE_EVERY == 0
        if due:
            self.purge_expired()


def _check_key(key: str) -> None:
    if len(key) > KEY_LENGTH:
        raise ValueError(f"a rate-limit key has at most {KEY_LENGTH} characters: {key[:40]}...")
