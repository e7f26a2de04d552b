"""``volition serve``, ``volition operator`` and ``volition contexts``: the bazaar platform.

``serve`` runs the HTTP API with uvicorn on the embedded SQLite default (``volition.db`` in the
working directory) or the database named by ``--database`` / ``$VOLITION_DATABASE_URL``,
upgrading its schema first; ``serve --demo`` without either seeds a fresh database in a new
temporary folder, removed when the server stops, so that every demo tells the whole story.
It also runs the inspections in a background thread, unless ``--no-inspections`` leaves them
to ``volition worker`` processes; buyers choose among the offline buyer and the operator's
LLM inspectors of ``$VOLITION_INSPECTORS`` (``volition.bazaar.inspectors``), checked at start.
``operator`` creates an operator account: the only way to make the first one, since no HTTP
request can. ``contexts`` reads a running server through the Python
client (``--url`` or ``$VOLITION_URL``).
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from volition.cli.output import AsJson, console, print_json, print_table
from volition.errors import InputError

if TYPE_CHECKING:  # the platform (FastAPI, SQLAlchemy, ...) is imported when a command runs
    from volition.bazaar.config import PlatformSettings

__all__ = ["DEFAULT_THREADS", "contexts", "operator", "serve"]

DEFAULT_THREADS = 3
"""``volition.bazaar.config.DEFAULT_THREADS``, here so that ``--help`` needs no pydantic (a
test checks that the two agree)."""

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="SQLAlchemy URL (sqlite:///PATH or postgresql://...); default "
        "$VOLITION_DATABASE_URL, else sqlite:///volition.db",
    ),
]


def settings_for(database: str | None, **options: Any) -> PlatformSettings:
    """The operator's settings of the environment (checked: a bad one stops the command,
    saying which), with the command's ``--database`` and other ``options`` given (not None)
    in their place."""
    from volition.bazaar.config import PlatformSettings

    given = {"database_url": database, **options}
    settings = PlatformSettings.from_env()
    return settings.model_copy(update={k: v for k, v in given.items() if v is not None})


def serve(
    database: DatabaseOption = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="seed demo users, money, contexts and offers; without --database or "
            "$VOLITION_DATABASE_URL, in a fresh temporary database removed on exit",
        ),
    ] = False,
    starting_grant: Annotated[
        int, typer.Option(help="cents credited to every new user (for demos)")
    ] = 0,
    cors_origin: Annotated[
        list[str] | None, typer.Option(help="allow browser calls from this origin (repeatable)")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="server processes (default: one per core, at most 4, on PostgreSQL; 1 on "
            "SQLite, whose writers queue on one file)"
        ),
    ] = None,
    threads: Annotated[
        int,
        typer.Option(help="request threads per process (database work; see benchmarks/RESULTS.md)"),
    ] = DEFAULT_THREADS,
    inline: Annotated[
        bool | None,
        typer.Option(
            "--inline/--no-inline",
            help="run the busiest routes' database work on each process's event loop (default "
            "$VOLITION_INLINE, else on: fastest with the database on this machine) or in its "
            "request threads (a database far away)",
        ),
    ] = None,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="log each request line")
    ] = True,
    inspections: Annotated[
        bool,
        typer.Option(
            "--inspections/--no-inspections",
            help="run the inspections in this server (off: `volition worker` processes do)",
        ),
    ] = True,
    redis_url: Annotated[
        str | None,
        typer.Option(
            envvar="VOLITION_REDIS_URL",
            help="keep the sign-in counts in this Redis (redis://host:6379) instead of the "
            "database",
        ),
    ] = None,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            help="a reverse proxy (address or network) whose X-Forwarded-For/-Proto to believe "
            "(repeatable; default $VOLITION_TRUSTED_PROXIES, comma-separated; else none)"
        ),
    ] = None,
) -> None:
    """Run the bazaar: the HTTP API under /api (OpenAPI docs at /api/docs)."""
    import uvicorn

    from volition.bazaar.api import ApiSettings
    from volition.bazaar.demo import seed_demo
    from volition.bazaar.platform import DEFAULT_LIMITS, DEMO_LIMITS, open_platform
    from volition.bazaar.server import build_app

    if not 0 < port < 65536:
        raise InputError(f"--port must be between 1 and 65535, not {port}")
    if workers is not None and not 1 <= workers <= 64:
        raise InputError(f"--workers must be between 1 and 64, not {workers}")
    if not 1 <= threads <= 200:
        raise InputError(f"--threads must be between 1 and 200, not {threads}")
    if starting_grant < 0:
        raise InputError("--starting-grant cannot be negative")
    settings = settings_for(  # a bad setting stops the start, saying which
        database,
        starting_grant=starting_grant,
        cors_origins=tuple(cors_origin or ()) or None,
        threads=threads,
        inline=inline,
        redis_url=redis_url,
        trusted_proxies=tuple(trusted_proxy or ()) or None,
    )
    if demo and settings.database_url is None:
        settings = settings.model_copy(update={"database_url": _fresh_demo_database()})
    limits = DEMO_LIMITS if demo else DEFAULT_LIMITS
    platform = open_platform(settings, limits=limits)
    bazaar, store = platform.bazaar, platform.store
    workers = workers or default_workers(store.dialect)
    base = f"http://{host}:{port}"
    console.print(
        f"volition bazaar on [bold]{base}[/bold]  (API docs: {base}/api/docs)", soft_wrap=True
    )
    if demo:
        # a demo runs on one machine: its users' LLM bots may call local model servers
        os.environ.setdefault("VOLITION_ALLOW_PRIVATE_URLS", "1")
        console.print("demo logins (name / password / role):")
        for login in seed_demo(bazaar):
            console.print(f"  {login.name} / {login.password} / {login.role}")
    if not inspections:
        console.print("inspections: left to `volition worker` processes on this database")
    if workers == 1:
        api = ApiSettings.of(settings, run_inspections=inspections, freeze_gc=True)
        _uvicorn(uvicorn, build_app(platform, api), host, port, access_log)
        return
    # Each worker process builds its own app from the environment (volition.bazaar.server);
    # they never step inspections: this supervising process does, in a thread (or workers do).
    _export(settings, store.engine.url.render_as_string(hide_password=False))
    runner = None
    if inspections:
        from volition.bazaar.inspection.runner import InspectionRunner
        from volition.bazaar.storage.notify import watch_commits

        # it writes nothing itself: on SQLite too it can watch the workers' commits
        watch = watch_commits(store, sqlite=True, own=bazaar)
        runner = InspectionRunner(platform.engine, extra_work=platform.work, watch=watch)
        runner.start()
    else:
        platform.close()
    try:
        _run_workers(uvicorn, workers, host, port, access_log)
    finally:
        if runner is not None:
            runner.stop()
            platform.close()


def default_workers(dialect: str) -> int:
    """Server processes when ``--workers`` is not given: on PostgreSQL one per core this
    process may use, at most 4 (each keeps up to ``--threads`` connections; PostgreSQL allows
    100 by default); 2 processes served 486 req/s against 355 for 1 at 32 clients on 2 cores
    (benchmarks/RESULTS.md, issue 15). On SQLite 1: its writers queue on one file's lock."""
    if dialect != "postgresql":
        return 1
    return max(1, min(4, len(os.sched_getaffinity(0))))


def _export(settings: PlatformSettings, database_url: str) -> None:
    """Write the settings the command line changed where the worker processes read them."""
    os.environ["VOLITION_DATABASE_URL"] = database_url
    os.environ["VOLITION_STARTING_GRANT"] = str(settings.starting_grant)
    os.environ["VOLITION_CORS_ORIGINS"] = ",".join(settings.cors_origins)
    os.environ["VOLITION_REDIS_URL"] = settings.redis_url or ""
    os.environ["VOLITION_TRUSTED_PROXIES"] = ",".join(settings.trusted_proxies)
    os.environ["VOLITION_THREADS"] = str(settings.threads)
    os.environ["VOLITION_INLINE"] = "1" if settings.inline else "0"


def _fresh_demo_database() -> str:
    """A new SQLite file in a new temporary folder, removed when the process exits: a demo
    run without a named database starts from the beginning (the rain context not yet
    inspected) and leaves nothing behind. The folder is printed so it can be looked into."""
    folder = Path(tempfile.mkdtemp(prefix="volition-demo-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    # uvicorn re-raises SIGTERM once it has shut down: leave through Python so atexit runs
    main = threading.current_thread() is threading.main_thread()
    if main and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, _: sys.exit(128 + signum))
    console.print(
        f"demo database: {folder / 'volition-demo.db'} (fresh for this run, removed when the "
        "server stops; --database sqlite:///PATH keeps one)",
        soft_wrap=True,
    )
    return f"sqlite:///{folder / 'volition-demo.db'}"


def _run_workers(uvicorn: Any, workers: int, host: str, port: int, access_log: bool) -> None:
    _uvicorn(
        uvicorn,
        "volition.bazaar.server:app_from_env",
        host,
        port,
        access_log,
        factory=True,
        workers=workers,
        timeout_worker_healthcheck=60,  # a worker's first imports can take seconds
    )


def _uvicorn(uvicorn: Any, app: Any, host: str, port: int, access_log: bool, **more: Any) -> None:
    """Serve ``app`` (an app, or a factory's import path with ``more``) in the foreground."""
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        server_header=False,
        access_log=access_log,
        proxy_headers=False,  # the apps read X-Forwarded-For from trusted proxies only
        **more,
    )


def operator(
    name: Annotated[str, typer.Argument(help="user name of the new operator")],
    database: DatabaseOption = None,
) -> None:
    """Create an operator account (password from $VOLITION_OPERATOR_PASSWORD or a prompt)."""
    from volition.bazaar.platform import open_bazaar

    settings = settings_for(database)
    password = settings.operator_password or typer.prompt(
        "password", hide_input=True, confirmation_prompt=True
    )
    bazaar = open_bazaar(settings)
    try:
        user = bazaar.bootstrap_operator(name, password)
    finally:
        bazaar.store.close()  # type: ignore[attr-defined]  # an SqlStore
    console.print(f"operator {user.name} created ({user.id})")


def contexts(
    url: Annotated[
        str, typer.Option(envvar="VOLITION_URL", help="the server's address")
    ] = "http://127.0.0.1:8000",
    status: Annotated[str, typer.Option(help="open, inspecting, decided, expired, ...")] = "open",
    limit: Annotated[int, typer.Option(help="at most this many")] = 50,
    as_json: AsJson = False,
) -> None:
    """List a running bazaar's public decision contexts, newest first."""
    from volition.bazaar.client import BazaarClient

    with BazaarClient(url) as client:
        found = client.contexts(status=[status], limit=limit)
    if as_json:
        print_json({"contexts": [c.model_dump(mode="json") for c in found]})
        return
    rows = [(c.id, c.query[:60], c.budget, c.priority, c.status) for c in found]
    print_table(
        f"{status} contexts at {url}", ["id", "query", "budget (cents)", "priority", "status"], rows
    )
