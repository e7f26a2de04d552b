"""``volition serve``, ``volition operator`` and ``volition contexts``: the bazaar platform.

``serve`` runs the HTTP API with uvicorn on the embedded SQLite default (``volition.db`` in the
working directory) or the database named by ``--database`` / ``$VOLITION_DATABASE_URL``,
upgrading its schema first. It also runs the inspections (offline buyer) in a background
thread, unless ``--no-inspections`` leaves them to ``volition worker`` processes.
``operator`` creates an operator account: the only way to make the first one, since no HTTP
request can. ``contexts`` reads a running server through the Python
client (``--url`` or ``$VOLITION_URL``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from fastapi import FastAPI

from volition.bazaar.api import ApiSettings, create_app
from volition.bazaar.api.app import DEFAULT_THREADS
from volition.bazaar.demo import seed_demo
from volition.bazaar.domain import Bazaar, BazaarSettings
from volition.bazaar.inspection import InspectionLimits
from volition.bazaar.inspection.runner import Work
from volition.bazaar.platform import DEFAULT_LIMITS, DEMO_LIMITS, assemble
from volition.bazaar.security import Argon2Hasher
from volition.bazaar.storage import ENV_VAR, SqlStore
from volition.cli.output import console, print_json, print_table
from volition.errors import InputError

__all__ = ["build_app", "contexts", "operator", "serve"]

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="SQLAlchemy URL (sqlite:///PATH or postgresql://...); default "
        "$VOLITION_DATABASE_URL, else sqlite:///volition.db",
    ),
]


def _open(database: str | None, starting_grant: int = 0) -> tuple[Bazaar, SqlStore]:
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
        bool, typer.Option("--demo", help="seed demo users, money, contexts and offers")
    ] = False,
    starting_grant: Annotated[
        int, typer.Option(help="cents credited to every new user (for demos)")
    ] = 0,
    cors_origin: Annotated[
        list[str] | None, typer.Option(help="allow browser calls from this origin (repeatable)")
    ] = None,
    workers: Annotated[int, typer.Option(help="server processes (one per core)")] = 1,
    threads: Annotated[
        int, typer.Option(help="request threads per process (database work; see RESULTS.md)")
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
) -> None:
    """Run the bazaar: the HTTP API under /api (OpenAPI docs at /api/docs)."""
    import uvicorn

    if not 0 < port < 65536:
        raise InputError(f"--port must be between 1 and 65535, not {port}")
    if not 1 <= workers <= 64:
        raise InputError(f"--workers must be between 1 and 64, not {workers}")
    if not 1 <= threads <= 200:
        raise InputError(f"--threads must be between 1 and 200, not {threads}")
    bazaar, store = _open(database, starting_grant)
    base = f"http://{host}:{port}"
    console.print(
        f"volition bazaar on [bold]{base}[/bold]  (API docs: {base}/api/docs)", soft_wrap=True
    )
    if demo:
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
        )
        uvicorn.run(
            app, host=host, port=port, log_level="info", server_header=False, access_log=access_log
        )
        return
    # Each worker process builds its own app from the environment (see api.factory); they
    # never step inspections: this supervising process does, in a thread (or workers do).
    os.environ[ENV_VAR] = store.engine.url.render_as_string(hide_password=False)
    os.environ["VOLITION_STARTING_GRANT"] = str(starting_grant)
    os.environ["VOLITION_CORS_ORIGINS"] = ",".join(cors_origin or ())
    runner = None
    if inspections:
        from volition.bazaar.inspection.runner import InspectionRunner

        platform = assemble(bazaar, store, limits=DEMO_LIMITS if demo else DEFAULT_LIMITS)
        # it writes nothing itself: on SQLite too it can watch the workers' commits
        runner = InspectionRunner(platform.engine, extra_work=platform.work, watch_sqlite=True)
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


def build_app(
    bazaar: Bazaar,
    store: SqlStore,
    cors_origins: tuple[str, ...] = (),
    *,
    run_inspections: bool = True,
    inspection_work: Sequence[Work] = (),
    threads: int = DEFAULT_THREADS,
    freeze_gc: bool = False,
    limits: InspectionLimits = DEFAULT_LIMITS,
) -> FastAPI:
    """The app of a one-process server: the API with the platform on ``store`` (the stored
    bots, inspections by the offline or the buyer's LLM agent), whose inspections and bot jobs
    run in a thread of the server unless ``run_inspections`` is off; ``inspection_work`` runs
    on each pass of that thread too (see ``InspectionRunner``)."""
    settings = ApiSettings(
        cors_origins=cors_origins,
        run_inspections=run_inspections,
        freeze_gc=freeze_gc,
        threads=threads,
    )
    platform = assemble(bazaar, store, limits=limits)
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
