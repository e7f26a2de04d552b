"""Sign-in limits: growing waits after failed sign-ins, per (user name, address) and per address.

Failed sign-ins are counted for the pair (user name, client address) and for the address
alone. The first ``free_per_pair`` failures of a pair cost nothing; after ``n`` of them the
pair's next attempt must wait ``first_wait * 2**(n - free_per_pair)`` seconds (at most
``max_wait``), answered 429 with ``Retry-After`` and the time to try again, before any
password is checked. An address has its own, much larger allowance over all the names it
tries, with the same doubling. Nothing is counted per user name alone: failures from one
address never slow down the same name signing in from another, so an attacker cannot lock
the owner out. A success forgets its pair's failures (a typo is forgiven once the right
password comes) but never the address's: signing in to one's own account does not buy more
guesses at others'. Failures are forgotten ``forget_seconds`` after the first of a series.

The counts live in a ``limits`` storage (``limits.strategies.FixedWindowRateLimiter``) that
every server process shares: Redis when ``$VOLITION_REDIS_URL`` names one, else the bazaar's
own database (``storage.limits_storage.SqlLimitsStorage``). Each wait is a window of one
allowed attempt: taking it is one atomic increment, so racing attempts of a pair pass one
at a time once waits apply (a race may let a few through while a pair is still in its free
attempts; the password hash and the request threads bound how many).

The address is the connection's peer. ``X-Forwarded-For`` is ignored unless the operator
names trusted proxies (``ApiSettings.trusted_proxies``, ``--trusted-proxy``): then the
rightmost address in it that is not a trusted proxy counts (see ``app.create_app``).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter
from starlette.exceptions import HTTPException
from starlette.requests import Request

__all__ = ["SignInGuard", "SignInLimits", "TooManySignIns", "client_address", "wait_seconds"]

_NEVER = 10**12  # the failure counters' "limit": they only count, the waits do the limiting


@dataclass(frozen=True, slots=True)
class SignInLimits:
    """Free failures per (name, address) and per address; waits that double after them."""

    free_per_pair: int = 5
    free_per_address: int = 100
    first_wait: int = 1  # seconds, after the first failure past the free ones
    max_wait: int = 900
    forget_seconds: int = 3600

    def __post_init__(self) -> None:
        if self.free_per_pair < 0 or self.free_per_address < 0:
            raise ValueError("free sign-in failures cannot be negative")
        if not 1 <= self.first_wait <= self.max_wait:
            raise ValueError("sign-in waits need 1 <= first_wait <= max_wait (seconds)")
        if self.forget_seconds < 1:
            raise ValueError("forget_seconds must be at least 1")


def wait_seconds(failures: int, free: int, limits: SignInLimits) -> int:
    """The wait before the next attempt after ``failures`` failures (0: none)."""
    if failures < free:
        return 0
    doublings = failures - free
    if doublings >= math.log2(limits.max_wait / limits.first_wait):
        return limits.max_wait
    return int(min(limits.first_wait * 2**doublings, limits.max_wait))


class TooManySignIns(HTTPException):
    """HTTP 429 with ``Retry-After`` (whole seconds, rounded up) and when to try again."""

    def __init__(self, what: str, seconds: float, now: float) -> None:
        wait = max(1, math.ceil(seconds))
        at = datetime.fromtimestamp(now + wait, UTC).strftime("%H:%M:%S UTC")
        super().__init__(
            429,
            f"too many failed sign-ins {what}; try again in {wait} s (at {at})",
            headers={"Retry-After": str(wait)},
        )


@dataclass(frozen=True, slots=True)
class _Key:
    ident: str
    free: int
    what: str  # for the message


class SignInGuard:
    """The sign-in limits over a ``limits`` storage shared by every server process."""

    def __init__(
        self,
        storage: Storage,
        limits: SignInLimits | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limits = limits or SignInLimits()
        self.storage = storage
        self.clock = clock  # the storage's clock: for the waits it reports
        self._limiter = FixedWindowRateLimiter(storage)
        self._failures = RateLimitItemPerSecond(
            _NEVER, self.limits.forget_seconds, namespace="volition-signin-failures"
        )

    def attempt(self, name: str, address: str) -> None:
        """Let a sign-in attempt go on to the password check, or raise ``TooManySignIns``
        when its pair or its address must still wait."""
        gates: list[tuple[_Key, RateLimitItem]] = []
        for key in self._keys(name, address):
            wait = wait_seconds(self._count(key), key.free, self.limits)
            if wait:
                gates.append((key, _gate(wait)))
        refused = [(key, left) for key, gate in gates if (left := self._left(gate, key)) > 0]
        if refused:
            key, left = max(refused, key=lambda r: r[1])
            raise TooManySignIns(key.what, left, self.clock())
        for key, gate in gates:  # take the one attempt each wait allows, atomically
            if not self._limiter.hit(gate, key.ident):
                raise TooManySignIns(key.what, self._left(gate, key), self.clock())

    def failed(self, name: str, address: str) -> None:
        """Count a failed sign-in; a pair or address past its free failures starts waiting."""
        for key in self._keys(name, address):
            self._limiter.hit(self._failures, key.ident)
            wait = wait_seconds(self._count(key), key.free, self.limits)
            if wait:
                self._limiter.hit(_gate(wait), key.ident)

    def succeeded(self, name: str, address: str) -> None:
        """Forget the pair's failures (not the address's)."""
        pair = self._keys(name, address)[0]
        self._limiter.clear(self._failures, pair.ident)

    def failures(self, name: str, address: str) -> tuple[int, int]:
        """The failures counted now for the pair and for the address."""
        pair, by_address = self._keys(name, address)
        return self._count(pair), self._count(by_address)

    def _keys(self, name: str, address: str) -> tuple[_Key, _Key]:
        pair = _digest(f"{name.strip().lower()}\0{address}")
        return (
            _Key(f"pair-{pair}", self.limits.free_per_pair, "for this user name from your address"),
            _Key(f"address-{_digest(address)}", self.limits.free_per_address, "from your address"),
        )

    def _count(self, key: _Key) -> int:
        return _NEVER - self._limiter.get_window_stats(self._failures, key.ident).remaining

    def _left(self, gate: RateLimitItem, key: _Key) -> float:
        """Seconds until ``gate`` allows an attempt for ``key`` again (0: now)."""
        if self._limiter.test(gate, key.ident):
            return 0.0
        reset = self._limiter.get_window_stats(gate, key.ident).reset_time
        return max(reset - self.clock(), 1e-3)


def _gate(wait: int) -> RateLimitItem:
    """One attempt per ``wait`` seconds."""
    return RateLimitItemPerSecond(1, wait, namespace="volition-signin-wait")


def _digest(text: str) -> str:
    """A short fixed-length key part: names and addresses never reach the storage's keys."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def client_address(request: Request) -> str:
    """The client's address as the server saw it (after the trusted-proxy middleware, when
    the operator configured one)."""
    return request.client.host if request.client else "unknown"
