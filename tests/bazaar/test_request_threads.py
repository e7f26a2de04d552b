"""``api.threads``: the busy routes' work, on the event loop (inline) or in a request thread."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Iterator

import pytest

from volition.bazaar.api import ApiSettings, threads
from volition.bazaar.api.app import _tune_process
from volition.bazaar.config import PlatformSettings

_who: contextvars.ContextVar[str] = contextvars.ContextVar("who", default="nobody")


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    size, inline = threads.size(), threads.inline()
    yield
    threads.configure(size, inline=inline)


def test_inline_is_the_default_and_runs_on_the_event_loops_thread() -> None:
    assert PlatformSettings().inline and ApiSettings().inline
    threads.configure(threads.size(), inline=True)

    def work(a: int) -> tuple[int, str, int]:
        return a, _who.get(), threading.get_ident()

    async def main() -> tuple[tuple[int, str, int], int]:
        _who.set("seller")
        return await threads.run(work, 7), threading.get_ident()

    (value, who, ran_on), loop_thread = asyncio.run(main())
    assert (value, who) == (7, "seller") and ran_on == loop_thread


def test_the_settings_choose_inline_or_threads() -> None:
    off = PlatformSettings(inline=False)
    assert ApiSettings.of(off).inline is False and ApiSettings.of(PlatformSettings()).inline

    async def tune(settings: ApiSettings) -> tuple[int, bool]:
        _tune_process(settings)  # as the app starts: on its event loop
        return threads.size(), threads.inline()

    assert asyncio.run(tune(ApiSettings(threads=2, inline=False))) == (2, False)
    assert asyncio.run(tune(ApiSettings(threads=3))) == (3, True)


def test_work_runs_in_a_request_thread_with_the_callers_context() -> None:
    threads.configure(threads.size(), inline=False)

    def work(a: int, *, b: int) -> tuple[int, str, str]:
        return a + b, _who.get(), threading.current_thread().name

    async def main() -> tuple[int, str, str]:
        _who.set("buyer")
        return await threads.run(work, 1, b=2)

    total, who, thread = asyncio.run(main())
    assert (total, who) == (3, "buyer")
    assert thread.startswith("request") and thread != threading.current_thread().name


@pytest.mark.parametrize("inline", [True, False])
def test_an_exception_reaches_the_route(inline: bool) -> None:
    threads.configure(threads.size(), inline=inline)

    def fails() -> None:
        raise LookupError("no such offer")

    with pytest.raises(LookupError, match="no such offer"):
        asyncio.run(threads.run(fails))


def test_the_pool_is_bounded_and_resized() -> None:
    before = threads.size()
    try:
        threads.configure(2, inline=False)
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
