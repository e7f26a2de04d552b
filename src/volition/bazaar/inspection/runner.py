"""Running an inspection engine in the background: the embedded default of ``volition serve``.

The runner owns the engine's stepping in one daemon thread. Bazaar events (an offer posted, a
context closed) wake it; it also polls every ``interval`` seconds, so deadlines pass and work
left by other processes is picked up. Nothing in a request thread steps the engine.
"""

from __future__ import annotations

import logging
import queue
import threading

from volition.bazaar.domain import Event, EventKind
from volition.bazaar.inspection.engine import InspectionEngine

__all__ = ["InspectionRunner"]

log = logging.getLogger(__name__)


class InspectionRunner:
    """Steps ``engine`` in a background thread until stopped."""

    def __init__(self, engine: InspectionEngine, *, interval: float = 0.5) -> None:
        self.engine = engine
        self.interval = interval
        self._events: queue.SimpleQueue[Event | None] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def listen(self, event: Event) -> None:
        """A bazaar listener: note the event and wake the runner (returns at once)."""
        self._events.put(event)

    def wake(self) -> None:
        """Have the runner look for work now (after starting an inspection, say)."""
        self._events.put(None)

    def run_once(self) -> int:
        """Apply the events heard, pass the deadlines due, and step until idle; return steps."""
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                break
            if event is None:
                continue
            if event.kind is EventKind.OFFER_POSTED:
                self.engine.offer_arrived(event.context_id)
            elif event.kind is EventKind.CONTEXT_CLOSED:
                self.engine.context_closed(event.context_id)
        self.engine.tick()
        return self.engine.run_until_idle()

    def start(self) -> None:
        """Subscribe to the bazaar's events and start the background thread."""
        if self._thread is not None:
            return
        self._stop.clear()
        self.engine.bazaar.subscribe(self.listen)
        self._thread = threading.Thread(target=self._loop, name="inspections", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread after its current step."""
        if self._thread is None:
            return
        self._stop.set()
        self._events.put(None)
        self._thread.join(timeout)
        self.engine.bazaar.unsubscribe(self.listen)
        self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # keep running; the failed step is retried on the next pass
                log.exception("an inspection step failed")
            try:
                event = self._events.get(timeout=self.interval)
            except queue.Empty:
                continue
            self._events.put(event)  # handled by the next run_once, in order
