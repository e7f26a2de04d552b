"""Running the bots' job pass in the background: the embedded default beside ``volition serve``.

A daemon thread calls :meth:`BotDispatcher.run_due` when the bazaar tells of a posted context
(``EventKind.CONTEXT_POSTED``, heard through :meth:`BotDispatcher.listen`) and every
``interval`` seconds otherwise, so that contexts posted by other processes and jobs due for a
retry are answered too. With several processes on PostgreSQL, each may run one: the jobs'
claims keep every bot to one answer per context.
"""

from __future__ import annotations

import logging
import threading

from volition.bazaar.bot_dispatch import BotDispatcher
from volition.bazaar.domain import Event, EventKind

__all__ = ["BotRunner"]

log = logging.getLogger(__name__)


class BotRunner:
    """Runs ``dispatcher``'s job pass in a background thread until stopped."""

    def __init__(self, dispatcher: BotDispatcher, *, interval: float = 2.0, limit: int = 100):
        self.dispatcher = dispatcher
        self.interval = interval
        self.limit = limit
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def listen(self, event: Event) -> None:
        """A bazaar listener: a posted context wakes the runner (returns at once)."""
        self.dispatcher.listen(event)
        if event.kind is EventKind.CONTEXT_POSTED:
            self._wake.set()

    def start(self) -> None:
        """Subscribe to the bazaar's events and start the thread."""
        if self._thread is not None:
            return
        self._stop.clear()
        self.dispatcher.bazaar.subscribe(self.listen)
        self._thread = threading.Thread(target=self._loop, name="bots", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread after its current pass."""
        if self._thread is None:
            return
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        self.dispatcher.bazaar.unsubscribe(self.listen)
        self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.dispatcher.run_due(self.limit)
            except Exception as exc:  # keep running; the jobs are retried on the next pass
                log.warning("a bot pass failed: %s", type(exc).__name__)
            self._wake.wait(self.interval)
