"""The SQL store: one database transaction per unit of work.

A writing unit of work on SQLite starts with ``BEGIN IMMEDIATE`` (writers queue on the
database lock); on PostgreSQL rows read with ``lock=True`` are taken ``FOR UPDATE``, and a
reading unit of work runs at REPEATABLE READ so that all its statements see one snapshot, and a
read of a single statement runs in autocommit (no BEGIN and COMMIT round trips). Database
errors are translated here, once: a violated unique or check constraint becomes ``Conflict``,
anything else ``StorageError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, bindparam, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from volition.bazaar.domain.contexts import DecisionContext
from volition.bazaar.domain.forecasts import ForecastRepository
from volition.bazaar.domain.store import UnitOfWork
from volition.bazaar.domain.users import User
from volition.bazaar.errors import Conflict, StorageError
from volition.bazaar.storage.bot_repositories import SqlBotJobs, SqlBots, SqlCredentials
from volition.bazaar.storage.engine import make_engine
from volition.bazaar.storage.escrow_repository import SqlEscrows
from volition.bazaar.storage.migrate import upgrade
from volition.bazaar.storage.repositories import (
    SqlContexts,
    SqlIdempotency,
    SqlLedger,
    SqlMatchers,
    SqlOffers,
    SqlPurchases,
    SqlTokens,
    SqlUsers,
)
from volition.bazaar.storage.row_maps import CONTEXT, USER
from volition.bazaar.storage.tables import C, U

__all__ = ["SqlStore", "SqlUnitOfWork"]


class SqlUnitOfWork(UnitOfWork):
    """The repositories of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn  # for the inspection repository joining this transaction
        self.users = SqlUsers(conn)
        self.tokens = SqlTokens(conn)
        self.contexts = SqlContexts(conn)
        self.offers = SqlOffers(conn)
        self.purchases = SqlPurchases(conn)
        self.matchers = SqlMatchers(conn)
        self.ledger = SqlLedger(conn)
        self.idempotency = SqlIdempotency(conn)
        self.bots = SqlBots(conn)
        self.bot_jobs = SqlBotJobs(conn)
        self.credentials = SqlCredentials(conn)
        self.escrows = SqlEscrows(conn)

    def lock_owned(self, buyer_id: str, context_id: str) -> tuple[User, DecisionContext] | None:
        """One statement (issue 15): both rows ``FOR NO KEY UPDATE OF users, contexts``, the
        buyer's locked first as in two reads; both then held by this unit (not read again)."""
        if self.users.holds(buyer_id) or self.contexts.holds(context_id):
            return super().lock_owned(buyer_id, context_id)  # (the rest in the same order)
        row = self.conn.execute(_OWNED_LOCKED, {"buyer_id": buyer_id, "id": context_id}).first()
        if row is None:
            return None
        values = row._mapping
        buyer = self.users.hold(buyer_id, USER.record_of({c.name: values[c] for c in U.c}))
        context = self.contexts.hold(
            context_id, CONTEXT.record_of({c.name: values[c] for c in C.c})
        )
        return buyer, context


_OWNED_LOCKED = (
    select(*U.c, *C.c)
    .join_from(U, C, C.c.buyer_id == U.c.id)
    .where(U.c.id == bindparam("buyer_id"), C.c.id == bindparam("id"))
    .with_for_update(key_share=True, of=[U, C])
)
"""``lock_owned``'s read: PostgreSQL locks each row's tables in the order ``of`` names them."""


class SqlStore:
    """A store on a SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._postgresql = engine.dialect.name == "postgresql"

    @classmethod
    def open(cls, url: str | None = None, *, migrate: bool = True) -> SqlStore:
        """Connect to ``url`` (default: ``$VOLITION_DATABASE_URL`` or ``sqlite:///volition.db``)
        and, unless told not to, upgrade the schema to the newest migration."""
        engine = make_engine(url)
        if migrate:
            upgrade(engine)
        return cls(engine)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def begin(self, *, write: bool = True, snapshot: bool = True) -> Iterator[UnitOfWork]:
        """One transaction: committed when the block succeeds, rolled back otherwise.

        ``snapshot=False`` (a read of one statement) runs on PostgreSQL without a transaction
        of its own (autocommit: no BEGIN and COMMIT round trips); the statement still sees one
        snapshot, as every PostgreSQL statement does.
        """
        mode = "IMMEDIATE" if write else "DEFERRED"
        try:
            with self.engine.connect() as conn:
                options: dict[str, str] = {"volition_sqlite_begin": mode}
                if not write and self._postgresql:
                    # one snapshot for every statement of a read (balances, audits)
                    options["isolation_level"] = "REPEATABLE READ" if snapshot else "AUTOCOMMIT"
                conn = conn.execution_options(**options)
                with conn.begin():
                    yield SqlUnitOfWork(conn)
        except IntegrityError as exc:
            raise Conflict(
                "the change conflicts with data already stored (a duplicate or a broken "
                "constraint); reload and try again"
            ) from exc
        except DBAPIError as exc:
            cause = type(exc.orig).__name__
            if cause == "LockNotAvailable":  # PostgreSQL's lock_timeout (storage.engine)
                raise StorageError(
                    "the database is busy: a row this request needs stayed locked past the "
                    "lock timeout (LockNotAvailable); nothing was changed, try again"
                ) from exc
            raise StorageError(f"the database failed: {cause}") from exc

    def forecast_repository(self) -> ForecastRepository:
        """Forecast questions in this database (``SqlForecastRepository``)."""
        from volition.bazaar.storage.forecast_repository import SqlForecastRepository

        return SqlForecastRepository(self)

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()
