"""Where the busy routes' blocking work runs: on the event loop itself, or in a request thread.

A busy route is ``async`` and does all its blocking work (authentication, the domain call,
the database) in one call, :func:`run`.

*Inline* (the default, ``volition serve --inline``): the work runs right there, on the event
loop's thread, as a synchronous server would run it. A process then serves one busy request at
a time and never hands work between threads: on a database on the same machine its short
waits cost less than a hand-over, and the threads no longer take the GIL from each other.
Measured on 2 cores (benchmarks/RESULTS.md, issue 15, stop 22): 1.54 against 2.59 ms of server
CPU a request on SQLite at 8 clients, and 2.31 against 2.94 on PostgreSQL at 32 clients. The
cost: while the work waits for the database (a row lock held by another process, a slow
query), this process's other connections wait too; more processes (``--workers``) serve them.
Nothing the busy routes run waits for the event loop (they make no HTTP calls), so this
cannot deadlock.

*In request threads* (``--no-inline``), for a database far away, where a request spends
most of its time waiting on the network: the hand-over goes straight to a
``concurrent.futures`` pool through the event loop's ``run_in_executor``: about half the CPU
of Starlette's ``run_in_threadpool`` (anyio's worker threads, capacity limiter and cancel
scope), which the profile of issue 15 found at a tenth of the server's samples. Other routes
(plain ``def``) still run in anyio's threads, bounded by the same ``threads`` setting
(``api.app._tune_process`` sizes both).

The work runs in a copy of the caller's context variables, as with ``run_in_threadpool``. A
request cancelled while its work runs (the server shutting down) stops waiting; the work
itself finishes in its thread (it was never interrupted by a cancellation either way).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from volition.bazaar.config import DEFAULT_THREADS

__all__ = ["configure", "inline", "run", "size"]

P = ParamSpec("P")
T = TypeVar("T")

_lock = threading.Lock()
_size = DEFAULT_THREADS
_inline = True
_pool: ThreadPoolExecutor | None = None


def configure(threads: int, *, inline: bool | None = None) -> None:
    """Use at most ``threads`` request threads from now on (at least 1); ``inline``: run the
    work on the event loop itself (None: as before)."""
    global _size, _pool, _inline
    if threads < 1:
        raise ValueError(f"request threads must be at least 1, not {threads}")
    if inline is not None:
        _inline = inline
    with _lock:
        if threads == _size:
            return
        _size, old, _pool = threads, _pool, None
    if old is not None:  # its threads finish what they run, then end
        old.shutdown(wait=False)


def inline() -> bool:
    """Whether :func:`run` runs the work on the event loop (else in a request thread)."""
    return _inline


def size() -> int:
    """How many request threads :func:`run` uses at most."""
    return _size


def _executor() -> ThreadPoolExecutor:
    global _pool
    pool = _pool
    if pool is None:
        with _lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(_size, thread_name_prefix="request")
            pool = _pool
    return pool


async def run(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``work(*args, **kwargs)``, inline or in a request thread; its result or its exception."""
    if _inline:
        return work(*args, **kwargs)
    call = functools.partial(contextvars.copy_context().run, work, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_executor(), call)
