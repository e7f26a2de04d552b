"""Several operations of the bazaar service as one unit of work (issue 15; docs/design.md).

``Bazaar.unit()`` opens one writing unit of work on the store; until it ends, every service
operation that runs in the same thread and opens its unit through :meth:`Units.begin` joins it
instead of opening a transaction of its own. The service stays the only writer and keeps
every check it makes: only the transaction boundary moves. Everything commits together when
the outermost ``unit()`` block ends without an exception, and rolls back together otherwise.

Two rules keep a joined operation as safe as one on its own:

- **refusals leave the unit as it was.** Every service operation checks before it writes, so
  one refused with a domain error (``Conflict``, ``InsufficientFunds``, ...) wrote nothing
  and the caller may go on with the unit (an inspection buying an offer withdrawn meanwhile
  closes its context instead). Any other failure of a joined operation (a database error, a
  crash) *breaks* the unit: it rolls back at its end even if the caller caught the error.
- **events wait for the commit.** What the service publishes to its listeners (a context
  posted or closed) is held until the unit commits, and dropped if it rolls back: a listener
  (a runner in another thread, a ``NOTIFY`` to another process) never reads a change that is
  not committed yet.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from volition.bazaar.domain.events import Event, Listener, publish
from volition.bazaar.domain.store import Store, UnitOfWork
from volition.bazaar.errors import StorageError
from volition.errors import VolitionError

__all__ = ["Units"]


@dataclass
class _Open:
    uow: UnitOfWork
    events: list[Event] = field(default_factory=list)
    broken: BaseException | None = None


class Units:
    """The units of work of one service object over ``store`` (one open unit per thread)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._local = threading.local()

    def _open(self) -> _Open | None:
        return getattr(self._local, "open", None)

    @property
    def joined(self) -> bool:
        """Whether a unit is open in this thread (operations join it)."""
        return self._open() is not None

    @contextmanager
    def unit(self, listeners: list[Listener]) -> Iterator[UnitOfWork]:
        """One writing unit of work for every operation inside the block (nested: the same)."""
        if (open_ := self._open()) is not None:
            yield open_.uow
            return
        with self.store.begin() as uow:
            open_ = self._local.open = _Open(uow)
            try:
                yield uow
                if open_.broken is not None:
                    raise StorageError(
                        "an operation of this unit of work failed after it may have written; "
                        "everything was rolled back"
                    ) from open_.broken
            finally:
                self._local.open = None
        for event in open_.events:  # committed: now the listeners may read it
            publish(listeners, event)

    @contextmanager
    def begin(self, *, write: bool = True, snapshot: bool = True) -> Iterator[UnitOfWork]:
        """The unit of one operation: the open unit of this thread, or a new one."""
        open_ = self._open()
        if open_ is None:
            with self.store.begin(write=write, snapshot=snapshot) as uow:
                yield uow
            return
        try:
            yield open_.uow
        except VolitionError as exc:
            if isinstance(exc, StorageError):
                open_.broken = exc
            raise
        except BaseException as exc:
            open_.broken = exc
            raise

    def publish(self, listeners: list[Listener], event: Event) -> None:
        """Tell the listeners now, or when the open unit of this thread commits."""
        open_ = self._open()
        if open_ is None:
            publish(listeners, event)
        else:
            open_.events.append(event)
