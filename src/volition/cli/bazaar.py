"""``volition serve`` and ``volition operator``: running the bazaar platform.

``serve`` runs the HTTP API with uvicorn on the embedded SQLite default (``volition.db`` in the
working directory) or the database named by ``--database`` / ``$VOLITION_DATABASE_URL``,
upgrading its schema first. ``operator`` creates an operator account: the only way to make the
first one, since no HTTP request can.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from volition.bazaar.api import ApiSettings, create_app
from volition.bazaar.demo import seed_demo
from volition.bazaar.domain import Bazaar, BazaarSettings
from volition.bazaar.security import Argon2Hasher
from volition.bazaar.storage import SqlStore
from volition.cli.output import console
from volition.errors import InputError

__all__ = ["operator", "serve"]

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="SQLAlchemy URL (sqlite:///PATH or postgresql://...); default "
        "$VOLITION_DATABASE_URL, else sqlite:///volition.db",
    ),
]


def _bazaar(database: str | None, starting_grant: int = 0) -> Bazaar:
    if starting_grant < 0:
        raise InputError("--starting-grant cannot be negative")
    store = SqlStore.open(database)
    return Bazaar(
        store, hasher=Argon2Hasher(), settings=BazaarSettings(starting_grant=starting_grant)
    )


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
) -> None:
    """Run the bazaar: the HTTP API under /api (OpenAPI docs at /api/docs)."""
    import uvicorn

    if not 0 < port < 65536:
        raise InputError(f"--port must be between 1 and 65535, not {port}")
    bazaar = _bazaar(database, starting_grant)
    base = f"http://{host}:{port}"
    console.print(f"volition bazaar on [bold]{base}[/bold]  (API docs: {base}/api/docs)")
    if demo:
        console.print("demo logins (name / password / role):")
        for login in seed_demo(bazaar):
            console.print(f"  {login.name} / {login.password} / {login.role}")
    app = create_app(bazaar, ApiSettings(cors_origins=tuple(cors_origin or ())))
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)


def operator(
    name: Annotated[str, typer.Argument(help="user name of the new operator")],
    database: DatabaseOption = None,
) -> None:
    """Create an operator account (password from $VOLITION_OPERATOR_PASSWORD or a prompt)."""
    password = os.environ.get("VOLITION_OPERATOR_PASSWORD") or typer.prompt(
        "password", hide_input=True, confirmation_prompt=True
    )
    user = _bazaar(database).bootstrap_operator(name, password)
    console.print(f"operator {user.name} created ({user.id})")
