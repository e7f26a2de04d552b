"""The ``volition`` command.

Every command that prints a result takes ``--json``. A mistake in the input ends the
command with one line on standard error that says what is wrong, and exit status 2.

Commands are loaded lazily: ``COMMANDS`` maps each command's name to the function that
implements it, as ``"module:function"``, and a module is imported only when one of its
commands runs (or ``--help`` lists them all). The command modules themselves import only
typer, rich, numpy and the light kernel at their top; the platform and the heavy libraries
(FastAPI, SQLAlchemy, openai, scipy through ``volition.games``, ...) are imported inside the
functions that use them, so that ``volition voi`` never pays for the bazaar.
``tests/cli/test_startup.py`` checks it.

To add a command, write a function (its docstring's first line is the ``--help`` text; its
typer-annotated parameters are the options) in a module of ``volition.cli``, and add one line
to ``COMMANDS``::

    "voi": "volition.cli.voi:voi"

(a ``typer.Typer`` there is a group of subcommands, as ``"experiment":
"volition.cli.experiment:app"``).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from volition.cli.errors import reports_errors

if TYPE_CHECKING:  # typer vendors click: what typer.main.get_command returns
    from typer._click.core import Command

__all__ = ["COMMANDS", "app", "main", "run"]

COMMANDS: dict[str, str] = {
    "voi": "volition.cli.voi:voi",
    "demo": "volition.cli.demo:demo",
    "align": "volition.cli.games:align",
    "commitment": "volition.cli.games:commitment",
    "convert": "volition.cli.games:convert",
    "equilibria": "volition.cli.games:equilibria",
    "subgame-perfect": "volition.cli.games:subgame_perfect",
    "market": "volition.cli.market:market",
    "oversight": "volition.cli.market:oversight",
    "economy": "volition.cli.economy:economy",
    "failures": "volition.cli.economy:failures",
    "serve": "volition.cli.bazaar:serve",
    "operator": "volition.cli.bazaar:operator",
    "contexts": "volition.cli.bazaar:contexts",
    "ask": "volition.cli.posting_commands:ask",
    "offer": "volition.cli.posting_commands:offer",
    "worker": "volition.cli.worker_commands:worker",
    "bots": "volition.cli.bots_commands:bots",
    "bot-add": "volition.cli.bots_commands:bot_add",
    "bot-add-bayesian": "volition.cli.bots_commands:bot_add_bayesian",
    "bot-pause": "volition.cli.bots_commands:bot_pause",
    "bot-resume": "volition.cli.bots_commands:bot_resume",
    "bot-delete": "volition.cli.bots_commands:bot_delete",
    "llm-set": "volition.cli.bots_commands:llm_set",
    "bots-run": "volition.cli.bots_commands:bots_run",
    "matcher-add": "volition.cli.matcher_commands:matcher_add",
    "matchers": "volition.cli.matcher_commands:matchers",
    "inspect": "volition.cli.inspections_commands:inspect",
    "resolve": "volition.cli.forecast_commands:resolve",
    "record": "volition.cli.forecast_commands:record",
    "inspection": "volition.cli.inspections_commands:inspection",
    "examples": "volition.cli.demo:demo",
    "experiment": "volition.cli.experiment:app",
}
"""Each command's name -> ``"module:function"``, in the order ``--help`` lists them."""

HELP: dict[str, str] = {"examples": "The worked examples' headline values (the same as demo)."}
"""The ``--help`` text of a command whose function's docstring says something else."""


def load_command(name: str) -> Command:
    """The click command ``name`` of ``COMMANDS``, importing its module now."""
    module, _, function = COMMANDS[name].partition(":")
    callback = getattr(importlib.import_module(module), function)
    if isinstance(callback, typer.Typer):  # a group of subcommands (``experiment run``)
        group = typer.main.get_command(callback)
        group.name = name
        return group
    single = typer.Typer(add_completion=False)
    single.command(name, help=HELP.get(name))(reports_errors(callback))
    return typer.main.get_command(single)


class _LazyCommands(MutableMapping[str, "Command"]):
    """The group's commands: every name of ``COMMANDS``, each built when first looked up."""

    def __init__(self) -> None:
        self._built: dict[str, Command] = {}

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = load_command(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("the volition commands are fixed by volition.cli.COMMANDS")

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(COMMANDS), **self._built})

    def __len__(self) -> int:
        return len({*COMMANDS, *self._built})


class _LazyGroup(TyperGroup):
    """typer's group over ``_LazyCommands``: listing names imports nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands()


app = typer.Typer(
    name="volition",
    help="Economics of AI alignment: value of information, information markets, games.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_LazyGroup,
)


@app.callback()
def _volition() -> None:
    """The group itself does nothing: each command is loaded from ``COMMANDS``."""


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv``; return the exit status instead of exiting."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="volition")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


def main() -> None:
    """Entry point of the ``volition`` script."""
    sys.exit(run())
