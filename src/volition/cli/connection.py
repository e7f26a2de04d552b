"""Which server, and who you are: the connection options of the commands that talk to a
running bazaar (``--url``, ``--token``, ``--user``, ``--password``) and the client they open.

``@connected`` gives a command these four options in place of its first parameter, the
signed-in ``BazaarClient``, and closes the client when the command is done.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Concatenate, ParamSpec, TypeVar, get_type_hints

import typer

from volition.errors import InputError

if TYPE_CHECKING:
    from volition.bazaar.client import BazaarClient

__all__ = ["Password", "Token", "Url", "User", "connected", "open_client"]

P = ParamSpec("P")
R = TypeVar("R")

DEFAULT_URL = "http://127.0.0.1:8000"
Url = Annotated[
    str,
    typer.Option("--url", "--server", envvar="VOLITION_URL", help="the server's address"),
]
Token = Annotated[
    str | None,
    typer.Option(envvar="VOLITION_TOKEN", help="a bearer token (from POST /api/tokens)"),
]
User = Annotated[str | None, typer.Option("--user", help="sign in as this user instead")]
Password = Annotated[
    str | None, typer.Option(envvar="VOLITION_PASSWORD", help="the password for --user")
]

_OPTIONS = tuple(
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=default)
    for name, kind, default in (
        ("url", Url, DEFAULT_URL),
        ("token", Token, None),
        ("user", User, None),
        ("password", Password, None),
    )
)


def open_client(
    url: str, token: str | None, user: str | None, password: str | None
) -> BazaarClient:
    """A client of the server at ``url``, with ``token`` or signed in as ``user``."""
    from volition.bazaar.client import BazaarClient

    client = BazaarClient(url, token)
    if token is None:
        if user is None or password is None:
            client.close()
            raise InputError(
                "say who you are: --token TOKEN (or $VOLITION_TOKEN), or --user NAME with "
                "--password (or $VOLITION_PASSWORD)"
            )
        try:
            client.sign_in(user, password)
        except BaseException:
            client.close()
            raise
    return client


def connected(command: Callable[Concatenate[BazaarClient, P], R]) -> Callable[..., R]:
    """``command`` as typer sees it: its arguments, the connection options, its options."""
    # the client's class is imported for type checkers only: any class stands in for it here
    hints = get_type_hints(command, localns={"BazaarClient": object}, include_extras=True)
    own = [
        p.replace(annotation=hints[p.name])
        for p in list(inspect.signature(command).parameters.values())[1:]
    ]
    arguments = [p for p in own if _is_argument(p)]
    options = [p for p in own if not _is_argument(p)]
    params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in arguments + options]
    params[len(arguments) : len(arguments)] = _OPTIONS

    @functools.wraps(command)
    def run(
        *, url: str, token: str | None, user: str | None, password: str | None, **rest: Any
    ) -> R:
        with open_client(url, token, user, password) as client:
            return command(client, **rest)  # type: ignore[call-arg]

    run.__signature__ = inspect.Signature(params, return_annotation=None)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in params}
    return run


def _is_argument(param: inspect.Parameter) -> bool:
    return any(
        isinstance(m, typer.models.ArgumentInfo)
        for m in getattr(param.annotation, "__metadata__", ())
    )
