"""Telling other processes what was committed: PostgreSQL ``LISTEN/NOTIFY``, SQLite's
``data_version``.

The bazaar tells its in-process listeners of each committed change (``Bazaar.subscribe``);
processes sharing one database learn of each other's through here, so that an inspection
runner waits on events instead of polling tables.

- :class:`EventSender` is a bazaar listener that sends each event as a ``NOTIFY`` on
  :data:`CHANNEL` right after the bazaar's commit (queued; a thread sends batches through the
  store's connection pool), tagged with its bazaar's origin so that the runner beside that
  bazaar, which heard the event in-process, drops the echo. The inspection nodes' table sends
  :data:`NODES` itself, from triggers (migration 0015), in the transaction that adds or moves
  a node to a state with work in it.
- :class:`PgListener` holds one dedicated psycopg connection that ``LISTEN``s, and hands every
  notification to a callback: an :class:`~volition.bazaar.domain.Event`, :data:`NODES`, or
  :data:`UNKNOWN` ("something may have been missed": on connecting, after a reconnection).
- :class:`TokenListener` holds another, ``LISTEN``ing on :data:`AUTH_CHANNEL` (triggers of
  migration 0016: a token or a user changed) for a serving process's
  :class:`~volition.bazaar.domain.token_cache.TokenCache`: the cache keeps checked tokens only
  while this connection is up, and forgets them all at each notice.
- :class:`SqliteWatcher` is the fallback for SQLite: a dedicated connection reads
  ``PRAGMA data_version`` (a counter that moves when another connection commits) a few times
  a second, and hands :data:`UNKNOWN` on a change. Only for processes that write nothing themselves
  (a ``volition worker``, the supervisor of ``serve --workers``): in a serving process every
  request would move it.

Notifications can be lost (a dropped connection); runners also sweep every half minute or so.
"""

from __future__ import annotations

import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Callable

from sqlalchemy import Engine, text

from volition.bazaar.domain import Event, EventKind
from volition.bazaar.domain.token_cache import TokenCache
from volition.bazaar.storage.store import SqlStore

__all__ = [
    "AUTH_CHANNEL",
    "CHANNEL",
    "NODES",
    "UNKNOWN",
    "EventSender",
    "Notice",
    "PgListener",
    "SqliteWatcher",
    "TokenListener",
    "decode",
    "encode",
    "origin_of",
    "sender_for",
    "token_listener_for",
    "watch_commits",
    "watcher_for",
]

log = logging.getLogger(__name__)

CHANNEL = "volition_events"
AUTH_CHANNEL = "volition_auth"
"""Where the triggers of migration 0016 say that a token or a user changed."""
NODES = "nodes"
"""The payload meaning "inspection nodes were added or moved to a state with work in it"."""
UNKNOWN = "unknown"
"""Handed on when anything may have changed (no notice says what)."""

Notice = Event | str
"""What a watcher hands on: an event, :data:`NODES` or :data:`UNKNOWN`."""
Deliver = Callable[[Notice], None]


def origin_of(bazaar: object) -> str:
    """Names one bazaar object of one process: its own events reach its listeners directly,
    so a runner drops the notices that carry it (the echo of its own bazaar's events)."""
    return f"{os.getpid()}-{id(bazaar):x}"


def encode(event: Event, origin: str = "") -> str:
    """An event as a notification's payload: ``origin|kind:context_id``."""
    return f"{origin}|{event.kind.value}:{event.context_id}"


def decode(payload: str, own: str | None = None) -> Notice | None:
    """The event of a payload, :data:`NODES`, :data:`UNKNOWN` for anything not understood, or
    ``None`` for an event sent by the bazaar named ``own`` (already heard in-process)."""
    if payload == NODES:
        return NODES
    origin, _, body = payload.rpartition("|")
    if own is not None and origin == own:
        return None
    kind, _, context_id = body.partition(":")
    try:
        return Event(EventKind(kind), context_id) if context_id else UNKNOWN
    except ValueError:
        return UNKNOWN


_NOTIFY_ALL = text("SELECT pg_notify(:channel, p) FROM unnest(CAST(:payloads AS text[])) AS p")


class EventSender:
    """A bazaar listener that ``NOTIFY``s every event to the other processes (PostgreSQL).

    The listener only queues the event (the request that committed it does not wait); a
    daemon thread sends what is queued, a batch in one statement, through the pool."""

    def __init__(self, engine: Engine, origin: str = "") -> None:
        self.engine = engine
        self.origin = origin
        self._queue: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def __call__(self, event: Event) -> None:
        self._queue.put(event)
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._send, name="pg-notify", daemon=True
                    )
                    self._thread.start()

    def _send(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < 500:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            payloads = list(dict.fromkeys(encode(e, self.origin) for e in batch))
            try:  # one statement, no BEGIN/COMMIT round trips: the batch is sent as it ends
                with self.engine.connect() as conn:
                    conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                        _NOTIFY_ALL, {"channel": CHANNEL, "payloads": payloads}
                    )
            except Exception as exc:  # the safety sweeps catch what is lost
                log.warning("could not send %d notices: %s", len(payloads), type(exc).__name__)


def sender_for(store: SqlStore, bazaar: object) -> EventSender | None:
    """An :class:`EventSender` for ``bazaar`` on PostgreSQL; ``None`` on SQLite."""
    if store.dialect != "postgresql":
        return None
    return EventSender(store.engine, origin_of(bazaar))


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

    def __init__(
        self, url: str, deliver: Deliver, period: float = 1.0, own: str | None = None
    ) -> None:
        super().__init__(deliver, period)
        self.url = url
        self.own = own

    def _watch(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self.deliver(UNKNOWN)  # listening now: look at what happened before
            while not self._stop.is_set():
                # the timeout only lets ``stop`` be noticed; no statement runs meanwhile
                for note in conn.notifies(timeout=self.period):
                    notice = decode(note.payload, self.own)
                    if notice is not None:
                        self.deliver(notice)


class TokenListener(_Watcher):
    """``LISTEN`` on :data:`AUTH_CHANNEL` for ``cache``: it keeps tokens only while this
    listens, and forgets them all at each notice, at connecting and at losing the connection.
    """

    name = "token-listener"

    def __init__(self, url: str, cache: TokenCache, period: float = 1.0) -> None:
        super().__init__(lambda _notice: None, period)
        self.url = url
        self.cache = cache

    def stop(self, timeout: float = 5.0) -> None:
        super().stop(timeout)
        self.cache.listening(False)

    def _watch(self) -> None:
        import psycopg

        try:
            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute(f"LISTEN {AUTH_CHANNEL}")
                self.cache.listening(True)
                while not self._stop.is_set():
                    for _note in conn.notifies(timeout=self.period):
                        self.cache.forget_all()
        finally:
            self.cache.listening(False)


def token_listener_for(store: SqlStore, cache: TokenCache) -> TokenListener | None:
    """A :class:`TokenListener` on PostgreSQL; None on SQLite (nothing is kept there)."""
    if store.dialect != "postgresql":
        return None
    url = store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return TokenListener(url, cache)


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


def watch_commits(
    store: object, *, sqlite: bool, own: object = None
) -> Callable[[Deliver], _Watcher | None]:
    """``watcher_for`` on ``store`` for ``InspectionRunner(watch=...)``: none unless the store
    is a SQL one."""

    def watch(deliver: Deliver) -> _Watcher | None:
        if not isinstance(store, SqlStore):
            return None
        return watcher_for(store, deliver, sqlite=sqlite, own=own)

    return watch


def watcher_for(
    store: SqlStore, deliver: Deliver, *, sqlite: bool, own: object = None
) -> _Watcher | None:
    """How this process hears other processes' commits: LISTEN on PostgreSQL (dropping the
    events of the bazaar ``own``, heard in-process); on SQLite, a ``data_version`` watcher
    when ``sqlite`` (a process that writes nothing itself), else none.
    """
    url = store.engine.url
    if store.dialect == "postgresql":
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PgListener(plain, deliver, own=None if own is None else origin_of(own))
    database = url.database
    if sqlite and database and database != ":memory:":
        return SqliteWatcher(database, deliver)
    return None
