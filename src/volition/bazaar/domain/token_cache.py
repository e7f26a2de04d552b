"""The sign-in tokens one process has checked, kept while it hears of every change to them.

Every request authenticates; on PostgreSQL that was one statement (and a connection taken from
the pool) per request, a sixth of a request's round trips in the load of issue 15. A process
that ``LISTEN``s for changes to the ``tokens`` and ``users`` tables (triggers of migration 0016
send ``NOTIFY volition_auth`` when a token is deleted or changed and when a user is changed or
deleted) can keep the answers: a token it has checked stands for the same user, with the same
roles, until such a notice arrives.

The rules that keep a kept answer from outliving its truth:

- Nothing is kept unless the process is listening (:meth:`TokenCache.listening`): while its
  listener is down, or before it has connected, every request reads the database. Losing or
  regaining the connection forgets everything (notices may have been missed meanwhile).
- Any notice forgets everything. Notices are rare (a sign-out, a role granted, expired tokens
  purged); a user's tokens are then read again once.
- A read that began before a notice is not kept after it (:meth:`ticket`): otherwise a request
  that read a token just before its sign-out committed could keep it after the notice.
- A kept token still expires at its own time, and is read again after ``max_age`` seconds
  whatever happens (a last bound should a listener fail without noticing).
- This process's own sign-outs and role changes forget at once (``Accounts``), before their
  notice comes back.

What remains: another process accepts a token revoked elsewhere until the notice reaches it,
about a millisecond after the revoking commit on one machine, as a request already under way
at the commit would have been accepted anyway.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from volition.bazaar.domain.users import User

__all__ = ["TokenCache"]


class TokenCache:
    """Checked tokens (by their hash) and their users, at most ``size``, each for at most
    ``max_age`` seconds and never past its token's expiry."""

    def __init__(
        self,
        *,
        max_age: float = 10.0,
        size: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_age <= 0 or size < 1:
            raise ValueError("a token cache needs max_age > 0 and size >= 1")
        self.max_age = max_age
        self.size = size
        self.clock = clock
        self._lock = threading.Lock()
        self._kept: OrderedDict[str, tuple[User, datetime, float]] = OrderedDict()
        self._generation = 0
        self._listening = False

    def user(self, token_hash: str, now: datetime) -> User | None:
        """The kept user of ``token_hash`` if the token is unexpired at ``now`` and the entry
        young enough; None: read the database."""
        entry = self._kept.get(token_hash)
        if entry is None:
            return None
        user, expires_at, kept_at = entry
        if expires_at <= now or self.clock() - kept_at >= self.max_age:
            with self._lock:
                self._kept.pop(token_hash, None)
            return None
        return user

    def ticket(self) -> int | None:
        """Taken before reading the database, handed back to :meth:`keep`; None while not
        listening (nothing will be kept)."""
        with self._lock:
            return self._generation if self._listening else None

    def keep(self, ticket: int | None, token_hash: str, user: User, expires_at: datetime) -> None:
        """Keep what a read begun at ``ticket`` found, unless something was heard since."""
        with self._lock:
            if ticket is None or ticket != self._generation or not self._listening:
                return
            self._kept[token_hash] = (user, expires_at, self.clock())
            self._kept.move_to_end(token_hash)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def forget_all(self) -> None:
        """Something changed (a notice, or this process's own change): forget every token."""
        with self._lock:
            self._generation += 1
            self._kept.clear()

    def listening(self, on: bool) -> None:
        """The listener connected (``True``) or lost its connection (``False``): either way
        forget everything; keep nothing while not listening."""
        with self._lock:
            self._generation += 1
            self._kept.clear()
            self._listening = on

    def __len__(self) -> int:
        return len(self._kept)
