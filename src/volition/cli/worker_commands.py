"""``volition worker``: run inspections in the foreground, beside the server or other workers.

A worker opens the database (``--database`` or ``$VOLITION_DATABASE_URL``), and loops: it
claims ready inspection nodes (leases, so several workers on one PostgreSQL database share
the work; a worker that dies leaves leases that run out, and another repeats its steps
without paying twice) and steps them, woken by the other processes' commits (PostgreSQL
``LISTEN/NOTIFY``; on SQLite, ``PRAGMA data_version``) and by due times, with a safety
sweep every ``--interval`` seconds. SIGTERM or SIGINT ends it after the current step (a
second one at once).

The buyer agent of each inspection follows the inspector it was started with: ``offline``
(deterministic, no network), or one of the operator's LLM inspectors of
``$VOLITION_INSPECTORS`` (``volition.bazaar.inspectors``: a JSON list whose entries may read
their key from an ``api_key_file``), which every worker and server of one bazaar must share.
A buyer's own stored endpoint never inspects. The stored bot sellers' jobs run in the same
loop.
"""

from __future__ import annotations

import logging
import signal
import sys
from datetime import timedelta
from types import FrameType
from typing import Annotated, Any, cast

import typer

from volition.cli.bazaar import DatabaseOption, settings_for
from volition.errors import InputError

__all__ = ["worker"]


def worker(
    database: DatabaseOption = None,
    interval: Annotated[
        float,
        typer.Option(help="seconds between safety sweeps (events and due times wake it)"),
    ] = 30.0,
    lease: Annotated[
        float,
        typer.Option(help="seconds a claimed node stays this worker's (longer than any step)"),
    ] = 300.0,
    once: Annotated[
        bool, typer.Option("--once", help="work until nothing is ready, then exit")
    ] = False,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error")] = "info",
) -> None:
    """Run inspections in the foreground until SIGTERM/SIGINT (or, with --once, until idle)."""
    from volition.bazaar.inspection.runner import InspectionRunner
    from volition.bazaar.platform import open_platform
    from volition.bazaar.storage.notify import watch_commits

    if interval <= 0 or lease <= 0:
        raise InputError("--interval and --lease must be positive numbers of seconds")
    level = getattr(logging, log_level.upper(), None)
    if not isinstance(level, int):
        raise InputError(f"--log-level must be debug, info, warning or error, not {log_level!r}")
    settings = settings_for(database)  # a bad setting stops the start, saying which
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(created).6f %(levelname)s %(name)s %(message)s",
    )
    platform = open_platform(settings, lease=timedelta(seconds=lease))
    engine, store = platform.engine, platform.store
    runner = InspectionRunner(
        engine,
        interval=interval,
        extra_work=platform.work,
        watch=watch_commits(store, sqlite=True, own=platform.bazaar),
    )
    url = store.engine.url.render_as_string(hide_password=True)
    logging.getLogger("volition.worker").info("worker %s on %s", engine.worker_id, url)
    try:
        if once:
            while runner.run_once() > 0:
                pass
            return
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

        def stop(signum: int, frame: FrameType | None) -> None:
            runner.request_stop()
            for sig, handler in previous.items():  # a second signal ends it at once
                signal.signal(sig, cast(Any, handler))

        for sig in previous:
            signal.signal(sig, stop)
        runner.run_forever()
        logging.getLogger("volition.worker").info("worker %s stopped", engine.worker_id)
    finally:
        platform.close()
