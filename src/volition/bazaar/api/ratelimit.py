"""Sign-in rate limits: failed sign-ins per user name and per client address.

Each sign-in attempt counts against both its user name and the address it comes from, in a
sliding window; a successful one is forgiven. Once either key has ``limit`` attempts in the
window, further sign-ins with that key are refused (HTTP 429 with ``Retry-After``) until the
oldest attempt leaves the window, without checking the password: password guessing is slowed
to ``limit`` guesses per window per account and per address, and the memory-hard hash cannot
be made to run without bound. Counting an attempt before the password check, and forgiving it
after, means racing attempts cannot slip past the limit together.

The counts live in this process's memory: each server worker limits on its own, and a restart
forgets them.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from starlette.exceptions import HTTPException

__all__ = ["SignInGuard", "SignInLimits", "SlidingWindow"]


@dataclass(frozen=True, slots=True)
class SignInLimits:
    """How many unforgiven sign-in attempts a user name and a client address may make per
    ``window_seconds``; 0 turns that limit off."""

    per_name: int = 10
    per_address: int = 30
    window_seconds: float = 300.0


class SlidingWindow:
    """Timestamps of recent events per key, at most ``limit`` per ``window`` seconds."""

    _PRUNE_AT = 10_000  # keys kept before idle ones are swept out

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 0 or window <= 0:
            raise ValueError("a rate limit needs limit >= 0 and a positive window")
        self.limit = limit
        self.window = window
        self.clock = clock
        self._events: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def wait(self, key: str) -> float:
        """Seconds until ``key`` may act again (0: now). Call under the owner's lock."""
        if self.limit == 0:
            return 0.0
        now = self.clock()
        events = self._recent(key, now)
        if len(events) < self.limit:
            return 0.0
        return max(events[-self.limit] + self.window - now, 0.0)

    def add(self, key: str) -> float:
        """Record an event for ``key``; returns its timestamp (to ``forgive`` it later)."""
        now = self.clock()
        if self.limit:
            self._recent(key, now).append(now)
            if len(self._events) > self._PRUNE_AT:
                self._prune(now)
        return now

    def forgive(self, key: str, stamp: float) -> None:
        """Forget the event recorded at ``stamp`` for ``key``."""
        events = self._events.get(key)
        if events is not None:
            with contextlib.suppress(ValueError):  # already out of the window
                events.remove(stamp)
            if not events:
                del self._events[key]

    def _prune(self, now: float) -> None:
        for key in [k for k, v in self._events.items() if not v or v[-1] <= now - self.window]:
            del self._events[key]


class TooManySignIns(HTTPException):
    """HTTP 429 with ``Retry-After`` (whole seconds, rounded up)."""

    def __init__(self, what: str, seconds: float) -> None:
        wait = max(1, math.ceil(seconds))
        super().__init__(
            429,
            f"too many sign-in attempts for this {what}; wait {wait} s and try again",
            headers={"Retry-After": str(wait)},
        )


class SignInGuard:
    """The sign-in limits of one server process (thread-safe)."""

    def __init__(
        self, limits: SignInLimits | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        limits = limits or SignInLimits()
        self.limits = limits
        self._names = SlidingWindow(limits.per_name, limits.window_seconds, clock)
        self._addresses = SlidingWindow(limits.per_address, limits.window_seconds, clock)
        self._lock = threading.Lock()

    def attempt(self, name: str, address: str) -> tuple[float, float]:
        """Count a sign-in attempt, or raise ``TooManySignIns`` (counting nothing) when the
        user name or the address is over its limit. Returns what ``succeeded`` needs."""
        name = name.strip().lower()
        with self._lock:
            by_name = self._names.wait(name)
            by_address = self._addresses.wait(address)
            if by_name > 0:
                raise TooManySignIns("user name", max(by_name, by_address))
            if by_address > 0:
                raise TooManySignIns("client address", by_address)
            return self._names.add(name), self._addresses.add(address)

    def succeeded(self, name: str, address: str, stamps: tuple[float, float]) -> None:
        """Forgive an attempt that signed in."""
        name = name.strip().lower()
        with self._lock:
            self._names.forgive(name, stamps[0])
            self._addresses.forgive(address, stamps[1])
