"""``volition economy`` and ``volition failures``: welfare theorems and market failures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from volition.cli.games import print_commitment
from volition.cli.output import JsonOutput, console, fmt, print_json, print_table
from volition.errors import InputError

__all__ = ["economy", "failures"]


def economy(
    file: Annotated[Path, typer.Argument(help="An economy file (YAML or JSON).")],
    shares: Annotated[
        str | None,
        typer.Option(help="Income shares, e.g. 1,1,2: also decentralise that Pareto optimum."),
    ] = None,
    as_json: JsonOutput = False,
) -> None:
    """Competitive equilibrium, the first welfare theorem, and (with --shares) the second."""
    from volition.games.economies import load_economy
    from volition.games.reports import economy_report

    report = economy_report(load_economy(file), _numbers(shares) if shares else None)
    if as_json:
        print_json(report)
        return
    eq = report["equilibrium"]
    print_table(
        f"Competitive equilibrium ({eq['method']}, converged: {eq['converged']})",
        ["agent", "bundle", "income", "utility"],
        [[a, eq["allocation"][a], eq["incomes"][a], eq["utilities"][a]] for a in report["agents"]],
    )
    console.print(f"prices: {fmt(eq['prices'])}")
    first = report["first_welfare_theorem"]
    console.print(f"Pareto-optimal: {first['pareto_optimal']} (best gain {fmt(first['gain'])})")
    if "second_welfare_theorem" in report:
        second = report["second_welfare_theorem"]
        console.print(f"transfers decentralising the optimum: {fmt(second['transfers'])}")


def failures(
    name: Annotated[
        str, typer.Argument(help="lemons, externality, tragedy-of-power or hitchhiker")
    ],
    file: Annotated[
        Path | None, typer.Option(help="Parameters (default: the shipped example).")
    ] = None,
    as_json: JsonOutput = False,
) -> None:
    """A market failure: what breaks alignment, what it costs, and what restores it."""
    from volition.games.reports import failure_report

    report = failure_report(name, file)
    if as_json:
        print_json(report)
    elif name in ("tragedy-of-power", "hitchhiker"):
        print_commitment(report)
    elif name == "externality":
        rows = [
            [label, fmt(part["allocation"]), part["first_welfare_theorem"]["pareto_optimal"]]
            for label, part in (("no tax", report["untaxed"]), ("Pigouvian tax", report["taxed"]))
        ]
        print_table(
            f"Externality: tax rate {fmt(report['tax_rate'])}",
            ["market", "allocation", "Pareto-optimal"],
            rows,
        )
    else:
        print_table(
            f"Market failure: {name}",
            ["quantity", "value"],
            [[k, v] for k, v in report.items() if not isinstance(v, dict)],
        )


def _numbers(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",")]
    except ValueError:
        raise InputError(f"--shares takes numbers separated by commas, not {text!r}") from None
