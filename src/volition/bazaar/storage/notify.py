"""Telling other processes what was committed: PostgreSQL ``LISTEN/NOTIFY``, SQLite's
``data_version``.

The bazaar tells its in-process listeners of each committed change (``Bazaar.subscribe``);
processes sharing one database learn of each other's through here, so that an inspection
runner waits on events instead of polling tables.

- :class:`EventSender` is a bazaar listener that sends each event as a ``NOTIFY`` on
  :data:`CHANNEL`, right after the bazaar's commit (through the store's connection pool: one
  short statement). The inspection repository sends :data:`NODES` in the transaction that
  adds or moves a node to a state with work in it (``notify_nodes``).
- :class:`PgListener` holds one dedicated psycopg connection that ``LISTEN``s, and hands every
  notification to a callback: an :class:`~volition.bazaar.domain.Event`, :data:`NODES`, or
  :data:`UNKNOWN` ("something may have been missed": on connecting, after a reconnection).
- :class:`SqliteWatcher` is the fallback for SQLite: a dedicated connection reads
  ``PRAGMA data_version`` (a counter that moves when another connection commits) a few times
  a second, and hands :data:`UNKNOWN` on a change. Only for processes that write nothing themselves
  (a ``volition worker``, the supervisor of ``serve --workers``): in a serving process every
  request would move it.

Notifications can be lost (a dropped connection); runners also sweep every half minute or so.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable

from sqlalchemy import Connection, Engine, func, select

from volition.bazaar.domain import Event, EventKind
from volition.bazaar.storage.store import SqlStore

__all__ = [
    "CHANNEL",
    "NODES",
    "UNKNOWN",
    "EventSender",
    "Notice",
    "PgListener",
    "SqliteWatcher",
    "decode",
    "encode",
    "notify_nodes",
    "sender_for",
    "watcher_for",
]

log = logging.getLogger(__name__)

CHANNEL = "volition_events"
NODES = "nodes"
"""The payload meaning "inspection nodes were added or moved to a state with work in it"."""
UNKNOWN = "unknown"
"""Handed on when anything may have changed (no notice says what)."""

Notice = Event | str
"""What a watcher hands on: an event, :data:`NODES` or :data:`UNKNOWN`."""
Deliver = Callable[[Notice], None]


def encode(event: Event) -> str:
    """An event as a notification's payload: ``kind:context_id``."""
    return f"{event.kind.value}:{event.context_id}"


def decode(payload: str) -> Notice:
    """The event of a payload, :data:`NODES`, or :data:`UNKNOWN` for anything not understood."""
    if payload == NODES:
        return NODES
    kind, _, context_id = payload.partition(":")
    try:
        return Event(EventKind(kind), context_id) if context_id else UNKNOWN
    except ValueError:
        return UNKNOWN


def notify_nodes(conn: Connection) -> None:
    """Within ``conn``'s transaction on PostgreSQL, tell listeners that nodes changed."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_notify(CHANNEL, NODES)))


class EventSender:
    """A bazaar listener that ``NOTIFY``s every event to the other processes (PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self, event: Event) -> None:
        with self.engine.begin() as conn:
            conn.execute(select(func.pg_notify(CHANNEL, encode(event))))


def sender_for(store: SqlStore) -> EventSender | None:
    """An :class:`EventSender` on PostgreSQL; ``None`` on SQLite (nothing listens there)."""
    return EventSender(store.engine) if store.dialect == "postgresql" else None


class _Watcher:
    """A daemon thread handing changes to ``deliver`` until :meth:`stop`."""

    name = "watcher"

    def __init__(self, deliver: Deliver, period: float) -> None:
        self.deliver = deliver
        self.period = period
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._watch()
            except Exception as exc:  # the database went away: say so, and retry
                log.warning("%s lost its connection: %s", self.name, type(exc).__name__)
            self.deliver(UNKNOWN)  # something may have been missed meanwhile
            self._stop.wait(min(5.0, self.period * 10))

    def _watch(self) -> None:
        raise NotImplementedError


class PgListener(_Watcher):
    """``LISTEN`` on :data:`CHANNEL` over one dedicated psycopg connection."""

    name = "pg-listener"

    def __init__(self, url: str, deliver: Deliver, period: float = 1.0) -> None:
        super().__init__(deliver, period)
        self.url = url

    def _watch(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self.deliver(UNKNOWN)  # listening now: look at what happened before
            while not self._stop.is_set():
                # the timeout only lets ``stop`` be noticed; no statement runs meanwhile
                for note in conn.notifies(timeout=self.period):
                    self.deliver(decode(note.payload))


class SqliteWatcher(_Watcher):
    """Reads ``PRAGMA data_version`` every ``period`` seconds; a change hands ``UNKNOWN``."""

    name = "sqlite-watcher"

    def __init__(self, path: str, deliver: Deliver, period: float = 0.25) -> None:
        super().__init__(deliver, period)
        self.path = path

    def _watch(self) -> None:
        conn = sqlite3.connect(self.path, check_same_thread=False)
        try:
            seen = conn.execute("PRAGMA data_version").fetchone()[0]
            while not self._stop.wait(self.period):
                version = conn.execute("PRAGMA data_version").fetchone()[0]
                if version != seen:
                    seen = version
                    self.deliver(UNKNOWN)
        finally:
            conn.close()


def watcher_for(store: SqlStore, deliver: Deliver, *, sqlite: bool) -> _Watcher | None:
    """How this process hears other processes' commits: LISTEN on PostgreSQL; on SQLite, a
    ``data_version`` watcher when ``sqlite`` (a process that writes nothing itself), else none.
    """
    url = store.engine.url
    if store.dialect == "postgresql":
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PgListener(plain, deliver)
    database = url.database
    if sqlite and database and database != ":memory:":
        return SqliteWatcher(database, deliver)
    return None
