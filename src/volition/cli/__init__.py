"""The ``volition`` command.

Every command that prints a result takes ``--json``. A mistake in the input ends the
command with one line on standard error that says what is wrong, and exit status 2.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from volition.cli import bots_commands, experiment, inspections_commands, worker_commands
from volition.cli.bazaar import contexts, operator, serve
from volition.cli.demo import demo
from volition.cli.economy import economy, failures
from volition.cli.errors import reports_errors
from volition.cli.games import align, commitment, convert, equilibria, subgame_perfect
from volition.cli.market import market, oversight
from volition.cli.voi import voi

__all__ = ["app", "main", "run"]

app = typer.Typer(
    name="volition",
    help="Economics of AI alignment: value of information, information markets, games.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for command in (
    voi,
    demo,
    align,
    commitment,
    convert,
    equilibria,
    subgame_perfect,
    market,
    oversight,
    economy,
    failures,
    serve,
    operator,
    contexts,
):
    app.command()(reports_errors(command))
for module in (worker_commands, bots_commands, inspections_commands):
    for extra in module.COMMANDS:
        app.command()(reports_errors(extra))
app.add_typer(experiment.app, name="experiment")
app.command("examples", help="The worked examples' headline values (the same as demo).")(
    reports_errors(demo)
)


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
