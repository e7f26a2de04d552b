"""The inspection loop: inside ``volition serve`` (a thread) or a ``volition worker`` (foreground).

The loop waits for something to do and does only that (an idle engine costs nothing):

- a bazaar event that asks something of it: an offer posted to the context of a *gathering*
  node, a context closed while a node gathers, a context posted (the bots answer it). Events
  that ask nothing (an offer to any other context, a closing when nothing gathers) are dropped
  by :meth:`InspectionRunner.listen` in the thread that posted them, from memory: the loop
  does not even wake;
- :meth:`InspectionRunner.wake` (an inspection started here), or a notice from another
  process (``storage.notify``: PostgreSQL ``LISTEN``, or SQLite's ``data_version`` for a
  process that writes nothing itself): nodes may be ready or gathering now;
- a timer set to the next due time: a gathering node's deadline, a lease running out (a dead
  worker's node, a failed step's retry), a bot job's retry;
- a burst of wake-ups costs one pass: after the first, the loop lets ``settle`` seconds go by
  (50 ms) gathering whatever else arrives, then does what they all ask for together;
- a slow safety sweep every ``interval`` seconds: one full pass (``run_once``) that expires
  due contexts, moves due nodes, polls for whatever notices were missed (offers posted
  elsewhere, contexts closed elsewhere, parents left waiting by a worker that died), runs the
  extra work's full pass, and steps ready nodes.

Extra work (``Work``) whose owner is ``Scheduled`` (``BotDispatcher.run_due``) runs its
event-driven pass (``run_woken``) on wakes and its full pass only in sweeps; any other
callable runs on every wake.

The module is about 400 lines on purpose: the event filter, the wake-ups, the timers and the
sweep share one lock and one picture of what gathers, so they stay together.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from volition.bazaar.domain import Event, EventKind
from volition.bazaar.inspection.engine import InspectionEngine
from volition.bazaar.inspection.records import NodeState

__all__ = ["InspectionRunner", "Scheduled", "Work"]

log = logging.getLogger(__name__)

Work = Callable[[], int]
"""Extra work for each pass: does what is due and returns how much it did (0: nothing)."""

WATCH_LIMIT = 10_000
"""At most this many gathering nodes are watched from memory (the rest by the sweep)."""
MIN_WAIT = 0.01
"""Seconds a timer waits at least (a due time just past is not spun on)."""
FAILED_WAIT = 1.0
"""Seconds the timers wait at least after a failed pass (events still wake the loop)."""
SETTLE = 0.05
"""Seconds the loop gathers wake-ups after the first before reacting (a burst costs one pass)."""


@runtime_checkable
class Scheduled(Protocol):
    """The owner of a ``Work`` that knows what events and times ask of it."""

    def listen(self, event: Event) -> None: ...
    def run_woken(self) -> int: ...
    def next_due(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class _Remote:
    """A notice from another process: an event, ``"nodes"`` (nodes changed) or ``"unknown"``
    (anything may have changed: see ``storage.notify``)."""

    notice: Event | str

    @property
    def event(self) -> Event | None:
        return self.notice if isinstance(self.notice, Event) else None


class Watcher(Protocol):
    """Hands other processes' notices to the runner from its own thread until stopped."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


Watch = Callable[[Callable[[Event | str], None]], Watcher | None]
"""Makes the watcher that hears other processes for a runner (see ``InspectionRunner``)."""

_WAKE = object()
_TIMER = object()


class InspectionRunner:
    """Runs ``engine``'s work in a background thread (``start``/``stop``) or the caller's
    (``run_forever``) until stopped, waking on events and due times (see the module).

    ``interval``: seconds between safety sweeps. ``extra_work``: callables run in every full
    pass (see the module for when else). ``expire``: expire due contexts in each full pass.
    ``max_steps``: at most this many steps in a row (the loop comes back for the rest).
    ``watch``: how this process hears other processes' commits: called with the runner's
    ``hear``, it returns a watcher to start and stop with the loop, or None (the storage
    layer's ``storage.notify.watch_commits`` makes one: PostgreSQL ``LISTEN``, SQLite's
    ``data_version``); without it only events of this process and the sweeps wake the runner.
    ``settle``: seconds the loop gathers wake-ups after the first before it reacts (0: at once).
    ``wakeups`` counts the times the loop woke after its first pass (each wake-up is one
    event-driven pass), ``dropped`` the events ``listen`` dropped as asking nothing.
    """

    def __init__(
        self,
        engine: InspectionEngine,
        *,
        interval: float = 30.0,
        extra_work: Sequence[Work] = (),
        expire: bool = True,
        max_steps: int = 1_000,
        watch: Watch | None = None,
        settle: float = SETTLE,
    ) -> None:
        if interval <= 0:
            raise ValueError(f"the sweep interval must be positive, not {interval}")
        if settle < 0:
            raise ValueError(f"the settle window must be zero or more seconds, not {settle}")
        self.engine = engine
        self.interval = interval
        self.extra_work = tuple(extra_work)
        self.expire = expire
        self.max_steps = max_steps
        self.watch = watch
        self.settle = settle
        self.passes = 0
        self.wakeups = 0
        self.dropped = 0
        owners = [getattr(w, "__self__", None) for w in self.extra_work]
        self._scheduled = [o for o in owners if isinstance(o, Scheduled)]
        self._plain = [
            w for w, o in zip(self.extra_work, owners, strict=True) if not isinstance(o, Scheduled)
        ]
        self._events: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._gathering: dict[str, datetime | None] = {}  # context id -> the node's deadline
        self._lease_end: datetime | None = None
        self._calm_until = 0.0  # monotonic time before which timers do not fire
        # True until the loop has read which nodes gather, and again after a wake that says
        # nodes changed until it has re-read them: events are not dropped meanwhile
        self._stale = True

    def listen(self, event: Event) -> None:
        """A bazaar listener: wake the runner for an event that asks something of it, drop any
        other at once (returns at once; runs in the thread that posted the event)."""
        if self._asks_nothing(event):
            self.dropped += 1
            return
        self._events.put(event)

    def _asks_nothing(self, event: Event) -> bool:
        """Whether ``event`` can be dropped: nothing gathers on its context (an offer), nothing
        gathers at all (a closing), nothing answers posted contexts (a posting). Read from
        memory; while the gathering nodes may have changed unread, nothing is dropped."""
        if self._stale:
            return False
        if event.kind is EventKind.OFFER_POSTED:
            return event.context_id not in self._gathering
        if event.kind is EventKind.CONTEXT_CLOSED:
            return not self._gathering
        if event.kind is EventKind.CONTEXT_POSTED:
            return not self.extra_work
        return False

    def hear(self, notice: Event | str) -> None:
        """A notice from another process (``storage.notify``): an event, ``"nodes"`` or
        ``"unknown"``."""
        if not isinstance(notice, Event):  # nodes changed elsewhere, or anything may have
            self._stale = True
        self._events.put(_Remote(notice))

    def wake(self) -> None:
        """Have the runner look for work now (after starting an inspection, say)."""
        self._stale = True
        self._events.put(_WAKE)

    def run_once(self) -> int:
        """One full pass (the safety sweep; see the module); return how much it did."""
        done = self._apply_events()
        if self.expire:
            done += len(self.engine.bazaar.expire_due())
            done += self._apply_events()  # this process's closing events, at once
        done += self.engine.tick()
        done += self.engine.poll()
        for work in self.extra_work:
            done += self._run_work(work)
        done += self._steps()
        self.passes += 1
        self._refresh()
        return done

    def _apply_events(self) -> int:
        moved = 0
        while True:
            try:
                item = self._events.get_nowait()
            except queue.Empty:
                return moved
            event = item.event if isinstance(item, _Remote) else item
            if not isinstance(event, Event):
                continue
            self._forward(item)
            if event.kind is EventKind.OFFER_POSTED:
                self.engine.offer_arrived(event.context_id)
            elif event.kind is EventKind.CONTEXT_CLOSED:
                self.engine.context_closed(event.context_id)
            moved += 1

    def _run_work(self, work: Work) -> int:
        try:
            return work()
        except Exception:  # one job's failure must not stop the inspections
            log.exception("extra work %s failed", getattr(work, "__name__", work))
            return 0

    def _steps(self) -> int:
        self._stale = True  # a step may start a node gathering: keep events until re-read
        steps = 0
        while steps < self.max_steps and not self._stop.is_set() and self.engine.step():
            steps += 1
        return steps

    # ------------------------------------------------------------------ the loop

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
        self._events.put(_WAKE)
        self._thread.join(timeout)
        self.engine.bazaar.unsubscribe(self.listen)
        self._thread = None

    def run_forever(self) -> None:
        """Run in the calling thread until ``request_stop`` (a signal handler, say)."""
        self._stop.clear()
        self.engine.bazaar.subscribe(self.listen)
        try:
            self._loop()
        finally:
            self.engine.bazaar.unsubscribe(self.listen)

    def request_stop(self) -> None:
        """Ask the loop to end after its current step (safe from a signal handler)."""
        self._stop.set()
        self._events.put(_WAKE)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @property
    def thread(self) -> threading.Thread | None:
        """The background thread, while started."""
        return self._thread

    def _loop(self) -> None:
        watcher = None if self.watch is None else self.watch(self.hear)
        if watcher is not None:
            watcher.start()
        try:
            self._serve()
        finally:
            if watcher is not None:
                watcher.stop()

    def _serve(self) -> None:
        next_sweep = 0.0  # the first pass is a full one: catch up with what happened before
        while not self._stop.is_set():
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + self.interval
                self._guarded(self.run_once)
                continue
            try:
                first = self._events.get(timeout=self._wait(next_sweep))
            except queue.Empty:
                first = _TIMER
            if self._stop.is_set():
                return
            self.wakeups += 1
            items = [first, *self._gather(first)]
            if self._stop.is_set():
                return
            self._guarded(functools.partial(self._react, items))

    def _gather(self, first: object) -> list[object]:
        """What else arrives within the settle window after ``first`` (a timer does not wait:
        its due time has come). The thread sleeps through the window (events arriving meanwhile
        do not wake it: one wake-up per window, however many posts), then takes what queued."""
        if first is not _TIMER and self.settle > 0:
            self._stop.wait(self.settle)
        items: list[object] = []
        while True:
            try:
                items.append(self._events.get_nowait())
            except queue.Empty:
                return items

    def _guarded(self, work: Callable[[], int]) -> None:
        try:
            work()
        except Exception:  # keep running; a failed step is retried after its delay
            log.exception("an inspection pass failed")
            self._calm_until = time.monotonic() + FAILED_WAIT

    def _wait(self, next_sweep: float) -> float:
        """Seconds until the next due time (a deadline, a lease's end, a retry, the sweep)."""
        wait = next_sweep - time.monotonic()
        now = self.engine.bazaar.clock()
        dues = [d for d in self._gathering.values() if d is not None]
        dues += [d for d in (self._lease_end,) if d is not None]
        dues += [d for owner in self._scheduled if (d := owner.next_due()) is not None]
        if dues:
            wait = min(wait, (min(dues) - now).total_seconds())
        return max(MIN_WAIT, self._calm_until - time.monotonic(), wait)

    def _react(self, items: list[object]) -> int:
        """Do what these wake-ups ask for, and only that; return how much was done."""
        nodes_changed = unknown = False
        offers: dict[str, None] = {}
        closed: dict[str, None] = {}
        for item in items:
            if isinstance(item, _Remote):
                self._forward(item)
                unknown = unknown or item.notice == "unknown"
                item = item.event if item.event is not None else _WAKE
            if item is _WAKE:
                nodes_changed = True
            elif isinstance(item, Event):
                if item.kind is EventKind.OFFER_POSTED:
                    offers[item.context_id] = None
                elif item.kind is EventKind.CONTEXT_CLOSED:
                    closed[item.context_id] = None
        if nodes_changed:  # before the events: a node may have started gathering elsewhere
            self._refresh()
        log.debug(
            "woken: %d items, nodes changed %s, offers %d, closed %d, gathering %d",
            len(items),
            nodes_changed,
            len(offers),
            len(closed),
            len(self._gathering),
        )
        done = 0
        if unknown:  # offers or closings we were not told of: read every gathering node
            done += self.engine.poll()
        for context_id in offers:
            if context_id in self._gathering:
                self.engine.offer_arrived(context_id)
                done += 1
        for context_id in closed:
            if context_id in self._gathering or (
                self._gathering and self.engine.repository.node_for_context(context_id)
            ):  # a closed context closes its children too: their nodes may gather
                self.engine.context_closed(context_id)
                done += 1
        now = self.engine.bazaar.clock()
        deadline_due = any(d is not None and d <= now for d in self._gathering.values())
        if deadline_due:
            done += self.engine.tick(now)
        for owner in self._scheduled:
            try:
                done += owner.run_woken()
            except Exception:
                log.exception("the event-driven pass of %s failed", type(owner).__name__)
        for work in self._plain:
            done += self._run_work(work)
        lease_due = self._lease_end is not None and self._lease_end <= now
        if nodes_changed or done or lease_due or deadline_due:
            done += self._steps()
            self._refresh()  # a due time is not looked at again until it changed
        return done

    def _forward(self, item: object) -> None:
        """Another process's event reaches the extra work's owners (the bots) too."""
        if isinstance(item, _Remote) and item.event is not None:
            for owner in self._scheduled:
                owner.listen(item.event)

    def _refresh(self) -> None:
        """Read which nodes gather (and their deadlines) and when the next lease ends."""
        repository = self.engine.repository
        self._stale = False  # a change after this read marks it stale again
        gathering = repository.in_state(NodeState.GATHERING, WATCH_LIMIT)
        self._gathering = {n.context_id: n.deadline for n in gathering}
        self._lease_end = repository.next_lease_end(self.engine.bazaar.clock())
