"""The request threads: one bounded pool for the busy routes' blocking work.

A busy route is ``async`` and hands all its blocking work (authentication, the domain call,
the database) to a request thread in one call, :func:`run`. The hand-over goes straight to a
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

__all__ = ["configure", "run", "size"]

P = ParamSpec("P")
T = TypeVar("T")

_lock = threading.Lock()
_size = DEFAULT_THREADS
_pool: ThreadPoolExecutor | None = None


def configure(threads: int) -> None:
    """Use at most ``threads`` request threads from now on (at least 1)."""
    global _size, _pool
    if threads < 1:
        raise ValueError(f"request threads must be at least 1, not {threads}")
    with _lock:
        if threads == _size:
            return
        _size, old, _pool = threads, _pool, None
    if old is not None:  # its threads finish what they run, then end
        old.shutdown(wait=False)


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
    """``work(*args, **kwargs)`` in a request thread; its result or its exception."""
    call = functools.partial(contextvars.copy_context().run, work, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_executor(), call)
