"""The inspection loop: inside ``volition serve`` (a thread) or a ``volition worker`` (foreground).

One pass (``run_once``) applies the bazaar events heard in this process, expires the contexts
that are due (their closing events reach ``context_closed`` on the next pass, and ``poll``
notices them anyway), moves gathering nodes whose deadline passed (``tick``), notices what
other processes did (``poll``: offers posted elsewhere, contexts closed elsewhere, parents left
waiting by a worker that died), runs the extra work it was given (the bot sellers' jobs, say),
and claims and steps ready nodes until none is left. Events only wake the loop early; polling
every ``interval`` seconds is what makes several processes see each other's work.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence

from volition.bazaar.domain import Event, EventKind
from volition.bazaar.inspection.engine import InspectionEngine

__all__ = ["InspectionRunner", "Work"]

log = logging.getLogger(__name__)

Work = Callable[[], int]
"""Extra work for each pass: does what is due and returns how much it did (0: nothing)."""


class InspectionRunner:
    """Runs ``engine``'s passes in a background thread (``start``/``stop``) or the caller's
    (``run_forever``) until stopped.

    ``extra_work``: callables run once per pass, each returning how much it did; a pass that
    did anything is followed at once by another. ``expire``: expire due contexts each pass.
    ``max_steps``: at most this many steps per pass (the loop comes back for the rest).
    """

    def __init__(
        self,
        engine: InspectionEngine,
        *,
        interval: float = 0.5,
        extra_work: Sequence[Work] = (),
        expire: bool = True,
        max_steps: int = 1_000,
    ) -> None:
        if interval <= 0:
            raise ValueError(f"the polling interval must be positive, not {interval}")
        self.engine = engine
        self.interval = interval
        self.extra_work = tuple(extra_work)
        self.expire = expire
        self.max_steps = max_steps
        self.passes = 0
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
        """One pass (see the module); return how much it did (nodes moved, steps, work)."""
        done = self._apply_events()
        if self.expire:
            done += len(self.engine.bazaar.expire_due())
            done += self._apply_events()  # this process's closing events, at once
        done += self.engine.tick()
        done += self.engine.poll()
        for work in self.extra_work:
            try:
                done += work()
            except Exception:  # one job's failure must not stop the inspections
                log.exception("extra work %s failed", getattr(work, "__name__", work))
        steps = 0
        while steps < self.max_steps and not self._stop.is_set() and self.engine.step():
            steps += 1
        self.passes += 1
        return done + steps

    def _apply_events(self) -> int:
        moved = 0
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                return moved
            if event is None:
                continue
            if event.kind is EventKind.OFFER_POSTED:
                self.engine.offer_arrived(event.context_id)
            elif event.kind is EventKind.CONTEXT_CLOSED:
                self.engine.context_closed(event.context_id)
            moved += 1

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

    def run_forever(self) -> None:
        """Run passes in the calling thread until ``request_stop`` (a signal handler, say)."""
        self._stop.clear()
        self.engine.bazaar.subscribe(self.listen)
        try:
            self._loop()
        finally:
            self.engine.bazaar.unsubscribe(self.listen)

    def request_stop(self) -> None:
        """Ask the loop to end after its current step (safe from a signal handler)."""
        self._stop.set()
        self._events.put(None)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once() > 0
            except Exception:  # keep running; the failed step is retried after its delay
                log.exception("an inspection pass failed")
                busy = False
            if busy or self._stop.is_set():
                continue
            try:
                event = self._events.get(timeout=self.interval)
            except queue.Empty:
                continue
            self._events.put(event)  # handled by the next run_once, in order
