"""``api.threads``: the busy routes' one hand-over to a request thread."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest

from volition.bazaar.api import threads

_who: contextvars.ContextVar[str] = contextvars.ContextVar("who", default="nobody")


def test_work_runs_in_a_request_thread_with_the_callers_context() -> None:
    def work(a: int, *, b: int) -> tuple[int, str, str]:
        return a + b, _who.get(), threading.current_thread().name

    async def main() -> tuple[int, str, str]:
        _who.set("buyer")
        return await threads.run(work, 1, b=2)

    total, who, thread = asyncio.run(main())
    assert (total, who) == (3, "buyer")
    assert thread.startswith("request") and thread != threading.current_thread().name


def test_an_exception_reaches_the_route() -> None:
    def fails() -> None:
        raise LookupError("no such offer")

    with pytest.raises(LookupError, match="no such offer"):
        asyncio.run(threads.run(fails))


def test_the_pool_is_bounded_and_resized() -> None:
    before = threads.size()
    try:
        threads.configure(2)
        assert threads.size() == 2
        running = 0
        most = 0
        lock = threading.Lock()
        release = threading.Event()

        def work() -> None:
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            release.wait(0.2)
            with lock:
                running -= 1

        async def main() -> None:
            await asyncio.gather(*(threads.run(work) for _ in range(6)))

        asyncio.run(main())
        assert 1 <= most <= 2  # never more than the pool's threads
        with pytest.raises(ValueError, match="at least 1"):
            threads.configure(0)
    finally:
        threads.configure(before)
