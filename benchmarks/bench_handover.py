"""CPU of one hand-over from the event loop to a request thread and back (issue 15).

A busy route awaits its blocking work in a request thread once per request. This measures
the CPU (``time.process_time``: every thread of the process) of ``calls`` hand-overs of a
function that does nothing, the two ways: Starlette's ``run_in_threadpool`` (anyio's worker
threads) and ``volition.bazaar.api.threads.run`` (a ``concurrent.futures`` pool through
``run_in_executor``), alternating in ABBA order, each figure the median of ``--repeat`` runs.

    .venv/bin/python benchmarks/bench_handover.py --calls 5000 --repeat 6
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool

from honest import Session, spread
from volition.bazaar.api import threads


def _nothing() -> int:
    return 1


async def _anyio(calls: int) -> None:
    for _ in range(calls):
        await run_in_threadpool(_nothing)


async def _executor(calls: int) -> None:
    for _ in range(calls):
        await threads.run(_nothing)


async def _measure(way: Callable[[int], Awaitable[None]], calls: int) -> float:
    """Microseconds of CPU per hand-over."""
    start = time.process_time()
    await way(calls)
    return (time.process_time() - start) / calls * 1e6


async def _main(calls: int, repeat: int) -> dict[str, list[float]]:
    ways = {"run_in_threadpool (anyio)": _anyio, "api.threads.run (executor)": _executor}
    figures: dict[str, list[float]] = {name: [] for name in ways}
    for way in ways.values():  # warm: both pools' threads started
        await way(200)
    for run in range(repeat):
        order = list(ways.items())
        if run % 2:  # ABBA
            order.reverse()
        for name, way in order:
            figures[name].append(await _measure(way, calls))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=6)
    args = parser.parse_args()
    session = Session()
    print(session.header())
    figures = asyncio.run(_main(args.calls, args.repeat))
    print("\n| hand-over | CPU us per call, median (min-max, runs) |\n|---|---|")
    for name, values in figures.items():
        print(f"| {name} | {spread(values, 1)} |")
    print(session.footer())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
