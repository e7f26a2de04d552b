"""Leases: which worker may do a shared piece of work now, and until when.

Two kinds of work are shared between processes this way: an inspection node (leased to the
worker stepping it) and a bot's answer to a context (a ``BotJob``, leased to the process
calling the bot). The rule is the same for both:

- a lease is **free** when nobody holds it, or when it has **run out** (its end is at or before
  now): whoever claims it then takes it, until ``now + length``;
- while a lease has not run out, a claim by anybody else is refused: at most one worker holds a
  lease at any time;
- only its holder may **renew** a lease (keep it until a later moment) or end it; a renewal or
  an end by anybody else is refused and changes nothing.

The memory repositories apply these functions directly; ``volition.bazaar.storage.leases``
states the same rule in SQL, so that a database decides it in one statement.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

__all__ = ["Lease", "claim", "holds", "is_free", "renew", "run_out"]


class Lease(NamedTuple):
    """``holder``'s lease on a piece of work, until ``until``."""

    holder: str
    until: datetime


def run_out(until: datetime | None, now: datetime) -> bool:
    """Whether a lease held until ``until`` has run out at ``now`` (None: none was held)."""
    return until is not None and until <= now


def is_free(until: datetime | None, now: datetime) -> bool:
    """Whether a lease ending at ``until`` (None: not held) may be claimed at ``now``."""
    return until is None or until <= now


def claim(held: Lease | None, worker: str, now: datetime, length: timedelta) -> Lease | None:
    """The lease ``worker`` takes at ``now`` for ``length``; None while another holds it."""
    if held is not None and not is_free(held.until, now):
        return None
    return Lease(worker, now + length)


def holds(held: Lease | None, worker: str) -> bool:
    """Whether ``worker`` holds the lease ``held`` (nobody else claimed it since)."""
    return held is not None and held.holder == worker


def renew(held: Lease | None, worker: str, until: datetime) -> Lease | None:
    """``worker``'s lease kept until ``until``; None (refused) unless ``worker`` holds it."""
    return Lease(worker, until) if holds(held, worker) else None
