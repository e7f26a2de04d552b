"""What happened in the bazaar, told to in-process listeners after each commit.

Listeners are wake-up calls, not the source of truth: a listener in another process never
hears them, so whoever reacts (the inspection runner, the bot dispatcher) also polls the store.
A failing listener is logged and never undoes or blocks the change that was committed.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Event", "EventKind", "Listener", "publish"]

log = logging.getLogger(__name__)


class EventKind(enum.StrEnum):
    CONTEXT_POSTED = "context_posted"
    OFFER_POSTED = "offer_posted"
    CONTEXT_CLOSED = "context_closed"  # decided, cancelled or expired


@dataclass(frozen=True, slots=True)
class Event:
    """One committed change: its kind, the context it concerns and, for an offer, the offer."""

    kind: EventKind
    context_id: str
    offer_id: str | None = None


class Listener(Protocol):
    """Anything called with each event (a function will do)."""

    def __call__(self, event: Event, /) -> None: ...


def publish(listeners: list[Listener], event: Event) -> None:
    """Tell every listener; a listener's failure is logged and goes no further."""
    for listener in tuple(listeners):
        try:
            listener(event)
        except Exception as exc:
            log.warning("a listener failed on %s: %s", event.kind.value, type(exc).__name__)
