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
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from volition.cli.output import console, print_json, print_table
from volition.errors import InputError

if TYPE_CHECKING:  # the platform (FastAPI, SQLAlchemy, ...) is imported when a command runs
    from fastapi import FastAPI

    from volition.bazaar.domain import Bazaar
    from volition.bazaar.inspection import InspectionLimits
    from volition.bazaar.inspection.runner import Work
    from volition.bazaar.inspectors import Inspectors
    from volition.bazaar.storage import SqlStore

__all__ = ["DEFAULT_THREADS", "build_app", "contexts", "operator", "serve"]

DEFAULT_THREADS = 8
"""``volition.bazaar.api.app.DEFAULT_THREADS``, here so that ``--help`` needs no FastAPI (a test
checks that the two agree)."""

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="SQLAlchemy URL (sqlite:///PATH or postgresql://...); default "
        "$VOLITION_DATABASE_URL, else sqlite:///volition.db",
    ),
]


def _open(database: str | None, starting_grant: int = 0) -> tuple[Bazaar, SqlStore]:
    from volition.bazaar.domain import Bazaar, BazaarSettings
    from volition.bazaar.security import Argon2Hasher
    from volition.bazaar.storage import SqlStore

    if starting_grant < 0:
        raise InputError("--starting-grant cannot be negative")
    store = SqlStore.open(database)
    settings = BazaarSettings(starting_grant=starting_grant)
    return Bazaar(store, hasher=Argon2Hasher(), settings=settings), store


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
    workers: Annotated[int, typer.Option(help="server processes (one per core)")] = 1,
    threads: Annotated[
        int,
        typer.Option(help="request threads per process (database work; see benchmarks/RESULTS.md)"),
    ] = DEFAULT_THREADS,
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

    from volition.bazaar.api.factory import trusted_proxies_from_env
    from volition.bazaar.demo import seed_demo
    from volition.bazaar.inspectors import Inspectors
    from volition.bazaar.platform import DEFAULT_LIMITS, DEMO_LIMITS, assemble
    from volition.bazaar.storage import ENV_VAR

    if not 0 < port < 65536:
        raise InputError(f"--port must be between 1 and 65535, not {port}")
    if not 1 <= workers <= 64:
        raise InputError(f"--workers must be between 1 and 64, not {workers}")
    if not 1 <= threads <= 200:
        raise InputError(f"--threads must be between 1 and 200, not {threads}")
    proxies = tuple(trusted_proxy or ()) or trusted_proxies_from_env()
    inspectors = Inspectors.from_env()  # a bad setting stops the start, saying which entry
    if demo and database is None and not os.environ.get(ENV_VAR):
        database = _fresh_demo_database()
    bazaar, store = _open(database, starting_grant)
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
        app = build_app(
            bazaar,
            store,
            tuple(cors_origin or ()),
            run_inspections=inspections,
            threads=threads,
            freeze_gc=True,
            limits=DEMO_LIMITS if demo else DEFAULT_LIMITS,
            signin_storage=redis_url,
            trusted_proxies=proxies,
            inspectors=inspectors,
        )
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="info",
            server_header=False,
            access_log=access_log,
            proxy_headers=False,  # the app reads X-Forwarded-For from trusted proxies only
        )
        return
    # Each worker process builds its own app from the environment (see api.factory); they
    # never step inspections: this supervising process does, in a thread (or workers do).
    os.environ[ENV_VAR] = store.engine.url.render_as_string(hide_password=False)
    os.environ["VOLITION_STARTING_GRANT"] = str(starting_grant)
    os.environ["VOLITION_CORS_ORIGINS"] = ",".join(cors_origin or ())
    os.environ["VOLITION_REDIS_URL"] = redis_url or ""
    os.environ["VOLITION_TRUSTED_PROXIES"] = ",".join(proxies)
    runner = None
    if inspections:
        from volition.bazaar.inspection.runner import InspectionRunner
        from volition.bazaar.storage.notify import watch_commits

        limits = DEMO_LIMITS if demo else DEFAULT_LIMITS
        platform = assemble(bazaar, store, limits=limits, inspectors=inspectors)
        # it writes nothing itself: on SQLite too it can watch the workers' commits
        watch = watch_commits(store, sqlite=True, own=bazaar)
        runner = InspectionRunner(platform.engine, extra_work=platform.work, watch=watch)
        runner.start()
    else:
        store.close()
    os.environ["VOLITION_THREADS"] = str(threads)
    try:
        _run_workers(uvicorn, workers, host, port, access_log)
    finally:
        if runner is not None:
            runner.stop()
            store.close()


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


def build_app(
    bazaar: Bazaar,
    store: SqlStore,
    cors_origins: tuple[str, ...] = (),
    *,
    run_inspections: bool = True,
    inspection_work: Sequence[Work] = (),
    threads: int = DEFAULT_THREADS,
    freeze_gc: bool = False,
    limits: InspectionLimits | None = None,
    signin_storage: str | None = None,
    trusted_proxies: Sequence[str] = (),
    inspectors: Inspectors | None = None,
) -> FastAPI:
    """The app of a one-process server: the API with the platform on ``store`` (the stored
    bots, inspections by the offline buyer or the operator's ``inspectors``), whose inspections
    and bot jobs run in a thread of the server unless ``run_inspections`` is off;
    ``inspection_work`` runs on each pass of that thread too (see ``InspectionRunner``);
    ``limits`` defaults to the platform's ``DEFAULT_LIMITS``. ``signin_storage``: a ``limits``
    storage URI for the sign-in counts (default: the database); ``trusted_proxies``: see
    ``ApiSettings``."""
    from volition.bazaar.api import ApiSettings, create_app
    from volition.bazaar.platform import DEFAULT_LIMITS, assemble

    settings = ApiSettings(
        cors_origins=cors_origins,
        run_inspections=run_inspections,
        freeze_gc=freeze_gc,
        threads=threads,
        signin_storage=signin_storage,
        trusted_proxies=tuple(trusted_proxies),
    )
    platform = assemble(
        bazaar, store, limits=DEFAULT_LIMITS if limits is None else limits, inspectors=inspectors
    )
    work = (*platform.work, *inspection_work)
    app = create_app(bazaar, settings, inspections=platform.engine, inspection_work=work)
    app.state.bot_service = platform.bots
    return app


def _run_workers(uvicorn: Any, workers: int, host: str, port: int, access_log: bool) -> None:
    uvicorn.run(
        "volition.bazaar.api.factory:app_from_env",
        factory=True,
        workers=workers,
        timeout_worker_healthcheck=60,  # a worker's first imports can take seconds
        host=host,
        port=port,
        log_level="info",
        server_header=False,
        access_log=access_log,
        proxy_headers=False,  # the apps read X-Forwarded-For from trusted proxies only
    )


def operator(
    name: Annotated[str, typer.Argument(help="user name of the new operator")],
    database: DatabaseOption = None,
) -> None:
    """Create an operator account (password from $VOLITION_OPERATOR_PASSWORD or a prompt)."""
    password = os.environ.get("VOLITION_OPERATOR_PASSWORD") or typer.prompt(
        "password", hide_input=True, confirmation_prompt=True
    )
    bazaar, store = _open(database)
    user = bazaar.bootstrap_operator(name, password)
    store.close()
    console.print(f"operator {user.name} created ({user.id})")


def contexts(
    url: Annotated[
        str, typer.Option(envvar="VOLITION_URL", help="the server's address")
    ] = "http://127.0.0.1:8000",
    status: Annotated[str, typer.Option(help="open, inspecting, decided, expired, ...")] = "open",
    limit: Annotated[int, typer.Option(help="at most this many")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
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
