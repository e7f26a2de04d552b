"""``volition worker``: run inspections in the foreground, beside the server or other workers.

A worker opens the database (``--database`` or ``$VOLITION_DATABASE_URL``), and loops: it
claims ready inspection nodes (leases, so several workers on one PostgreSQL database share
the work; a worker that dies leaves leases that run out, and another repeats its steps
without paying twice) and steps them, woken by the other processes' commits (PostgreSQL
``LISTEN/NOTIFY``; on SQLite, ``PRAGMA data_version``) and by due times, with a safety
sweep every ``--interval`` seconds. SIGTERM or SIGINT ends it after the current step (a
second one at once).

The buyer agent of each inspection follows its ``agent`` name: ``offline`` (the default,
deterministic, no network), or ``llm``: the buyer's own stored endpoint, or, when the worker
is given one, the OpenAI-compatible endpoint of ``--llm-base-url`` and ``--llm-model`` with
the key read from ``--llm-key-file`` (never from an environment variable). ``--agent`` runs
every inspection with one agent instead. The stored bot sellers' jobs run in the same loop.
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, cast

import typer

from volition.agents import Endpoint
from volition.bazaar.domain import Bazaar
from volition.bazaar.inspection.runner import InspectionRunner
from volition.bazaar.platform import AGENT_NAMES, assemble
from volition.bazaar.security import Argon2Hasher
from volition.bazaar.storage import SqlStore
from volition.cli.bazaar import DatabaseOption
from volition.errors import InputError

__all__ = ["COMMANDS", "worker"]


def _endpoint(
    base_url: str | None, model: str, key_file: Path | None, timeout: float
) -> Endpoint | None:
    if base_url is None:
        if key_file is not None:
            raise InputError("--llm-key-file needs --llm-base-url")
        return None
    if not base_url.startswith(("http://", "https://")):
        raise InputError(f"--llm-base-url must start with http:// or https://, not {base_url!r}")
    if timeout <= 0:
        raise InputError("--llm-timeout must be a positive number of seconds")
    key = "not-needed"
    if key_file is not None:
        try:
            key = key_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InputError(f"cannot read the key file {key_file}: {exc.strerror}") from exc
        if not key:
            raise InputError(f"the key file {key_file} is empty")
    return Endpoint(base_url, model, api_key=key, timeout=timeout)


def worker(
    database: DatabaseOption = None,
    agent: Annotated[
        str | None,
        typer.Option(
            help="run every inspection with this agent (offline or llm), whatever "
            "it was started with"
        ),
    ] = None,
    llm_base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1")
    ] = None,
    llm_model: Annotated[str, typer.Option(help="model name at that endpoint")] = "default",
    llm_key_file: Annotated[
        Path | None, typer.Option(help="file holding the endpoint's API key")
    ] = None,
    llm_timeout: Annotated[float, typer.Option(help="seconds per model call")] = 60.0,
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
    if agent is not None and agent not in AGENT_NAMES:
        raise InputError(f"--agent must be one of {', '.join(AGENT_NAMES)}, not {agent!r}")
    if interval <= 0 or lease <= 0:
        raise InputError("--interval and --lease must be positive numbers of seconds")
    level = getattr(logging, log_level.upper(), None)
    if not isinstance(level, int):
        raise InputError(f"--log-level must be debug, info, warning or error, not {log_level!r}")
    endpoint = _endpoint(llm_base_url, llm_model, llm_key_file, llm_timeout)
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(created).6f %(levelname)s %(name)s %(message)s",
    )
    store = SqlStore.open(database)
    bazaar = Bazaar(store, hasher=Argon2Hasher())
    platform = assemble(
        bazaar, store, endpoint=endpoint, forced_agent=agent, lease=timedelta(seconds=lease)
    )
    engine = platform.engine
    runner = InspectionRunner(
        engine, interval=interval, extra_work=platform.work, watch_sqlite=True
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
        store.close()


COMMANDS: tuple[Callable[..., Any], ...] = (worker,)
