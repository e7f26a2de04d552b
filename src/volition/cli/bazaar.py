"""``volition serve``, ``volition operator`` and ``volition contexts``: the bazaar platform.

``serve`` runs the HTTP API with uvicorn on the embedded SQLite default (``volition.db`` in the
working directory) or the database named by ``--database`` / ``$VOLITION_DATABASE_URL``,
upgrading its schema first. ``operator`` creates an operator account: the only way to make the
first one, since no HTTP request can. ``contexts`` reads a running server through the Python
client (``--url`` or ``$VOLITION_URL``).
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from volition.bazaar.api import ApiSettings, create_app
from volition.bazaar.api.app import DEFAULT_THREADS
from volition.bazaar.demo import seed_demo
from volition.bazaar.domain import Bazaar, BazaarSettings
from volition.bazaar.security import Argon2Hasher
from volition.bazaar.storage import ENV_VAR, SqlStore
from volition.cli.output import console, print_json, print_table
from volition.errors import InputError

__all__ = ["contexts", "operator", "serve"]

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
    console.print(f"volition bazaar on [bold]{base}[/bold]  (API docs: {base}/api/docs)")
    if demo:
        console.print("demo logins (name / password / role):")
        for login in seed_demo(bazaar):
            console.print(f"  {login.name} / {login.password} / {login.role}")
    if workers == 1:
        settings = ApiSettings(
            cors_origins=tuple(cors_origin or ()), freeze_gc=True, threads=threads
        )
        app = create_app(bazaar, settings)
        uvicorn.run(
            app, host=host, port=port, log_level="info", server_header=False, access_log=access_log
        )
        return
    # Each worker process builds its own app from the environment (see api.factory).
    os.environ[ENV_VAR] = store.engine.url.render_as_string(hide_password=False)
    os.environ["VOLITION_STARTING_GRANT"] = str(starting_grant)
    os.environ["VOLITION_CORS_ORIGINS"] = ",".join(cors_origin or ())
    os.environ["VOLITION_THREADS"] = str(threads)
    store.close()
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
