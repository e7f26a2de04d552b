"""Analyses in worker processes, bounded in number, queue, per user and time.

An analysis is CPU work that can take minutes (docs/theory.md §1: equilibria by support
enumeration), so it never runs in the server's process, where it would hold a request thread
and the GIL: the route awaits a future of a worker process, and the event loop and request
threads stay free for every other request. ``workers`` slots each own a one-process
``ProcessPoolExecutor``; an analysis takes a free slot (or waits, at most ``queue`` of them),
and after ``seconds`` its worker is killed and the slot starts a fresh one on its next use.
A user has at most ``per_user`` analyses running or waiting.

Workers start lazily with ``forkserver`` (``spawn`` where there is none): forking the server
itself, which runs threads, is unsafe. The fork server preloads only
``volition.bazaar.analysis_jobs``, so a replaced worker is ready at once.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from starlette.exceptions import HTTPException

from volition.bazaar import analysis_jobs
from volition.bazaar.analysis_limits import AnalysisLimits

__all__ = ["AnalysisPool"]

log = logging.getLogger("volition.bazaar.api")

T = TypeVar("T")
START_SECONDS = 120.0  # a worker's first imports, on a busy machine


def _context() -> Any:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([analysis_jobs.__name__])
        return context
    return multiprocessing.get_context("spawn")


class _Slot:
    """One worker process, started on first use and killed when its analysis runs late."""

    def __init__(self) -> None:
        self.executor: ProcessPoolExecutor | None = None
        self.busy = False

    async def run(self, fn: Callable[..., T], args: tuple[Any, ...], seconds: float) -> T:
        executor = await self._started()
        future = asyncio.wrap_future(executor.submit(fn, *args))
        self.busy = True
        try:
            return await asyncio.wait_for(future, seconds)
        except TimeoutError:
            self.kill()
            raise HTTPException(
                503,
                f"the analysis ran out of time: this server stops an analysis after "
                f"{seconds:g} s; make it smaller (fewer strategies, players, offers or "
                "states), ask for pure equilibria only, or run it locally with the "
                "`volition` command",
            ) from None
        except BrokenProcessPool:
            self.kill()
            raise HTTPException(
                503, "the analysis's worker process died (out of memory?); make it smaller"
            ) from None
        except asyncio.CancelledError:  # the worker must not go on computing for nobody
            self.kill()
            raise
        finally:
            self.busy = False

    async def _started(self) -> ProcessPoolExecutor:
        if self.executor is None:
            executor = ProcessPoolExecutor(
                1, mp_context=_context(), initializer=analysis_jobs.lower_priority
            )
            self.executor = executor
            try:
                await asyncio.wait_for(
                    asyncio.wrap_future(executor.submit(analysis_jobs.ready)), START_SECONDS
                )
            except (TimeoutError, BrokenProcessPool) as exc:
                self.kill()
                log.error("an analysis worker did not start: %s", type(exc).__name__)
                raise HTTPException(
                    503, "the server could not start an analysis worker; try again later"
                ) from None
            except asyncio.CancelledError:
                self.kill()
                raise
        return self.executor

    def kill(self) -> None:
        """Kill the worker (if any); the next ``run`` starts a fresh one."""
        executor, self.executor = self.executor, None
        if executor is None:
            return
        # the executor cannot stop a running call: kill its one process, then let it go
        processes = list(getattr(executor, "_processes", {}).values())
        for process in processes:
            process.kill()
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(timeout=5)

    def stop(self) -> None:
        """Stop the worker: an idle one exits cleanly, a busy one is killed."""
        if self.busy or self.executor is None:
            self.kill()
            return
        executor, self.executor = self.executor, None
        executor.shutdown(wait=True, cancel_futures=True)


class AnalysisPool:
    """The analyses of one server process: see the module's docstring."""

    def __init__(self, limits: AnalysisLimits) -> None:
        self.limits = limits
        self._slots: list[_Slot] = [_Slot() for _ in range(limits.workers)]
        self._free: asyncio.Queue[_Slot] | None = None
        self._waiting = 0
        self._per_user: dict[str, int] = {}

    @property
    def waiting(self) -> int:
        """How many analyses wait for a worker."""
        return self._waiting

    async def run(self, user_id: str, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker process, for ``user_id``; 429 when that user has
        ``per_user`` analyses already, 503 (with Retry-After) when the queue is full or the
        analysis runs out of time."""
        limits = self.limits
        if self._per_user.get(user_id, 0) >= limits.per_user:
            raise HTTPException(
                429,
                f"you have {limits.per_user} analyses running or waiting, the most this "
                "server allows per user; wait for one to finish",
                headers={"Retry-After": str(limits.retry_after)},
            )
        free = self._queue()
        if free.empty() and self._waiting >= limits.queue:
            raise HTTPException(
                503,
                f"the server is busy with analyses ({limits.workers} running, {self._waiting} "
                "waiting); try again later",
                headers={"Retry-After": str(limits.retry_after)},
            )
        self._per_user[user_id] = self._per_user.get(user_id, 0) + 1
        try:
            self._waiting += 1
            try:
                slot = await free.get()
            finally:
                self._waiting -= 1
            try:
                return await slot.run(fn, args, limits.seconds)
            finally:
                free.put_nowait(slot)
        finally:
            left = self._per_user[user_id] - 1
            if left:
                self._per_user[user_id] = left
            else:
                del self._per_user[user_id]

    def _queue(self) -> asyncio.Queue[_Slot]:
        # made in the running loop (the server's), on first use
        if self._free is None:
            self._free = asyncio.Queue()
            for slot in self._slots:
                self._free.put_nowait(slot)
        return self._free

    def close(self) -> None:
        """Stop every worker (the app's shutdown)."""
        for slot in self._slots:
            slot.stop()
