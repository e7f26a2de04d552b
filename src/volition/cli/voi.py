"""``volition voi``: the value of information in a problem file (docs/theory.md §3)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer

from volition.cli.output import JsonOutput, console, fmt, print_json, print_table

if TYPE_CHECKING:  # the kernel is imported when the command runs (not for --help)
    from volition.core import InformationValue, Problem

__all__ = ["voi", "voi_report"]


def voi(
    file: Annotated[Path, typer.Argument(help="A problem file (YAML or JSON).")],
    info: Annotated[
        list[str], typer.Option("--info", "-i", help="A variable revealed (repeat to join).")
    ],
    price: Annotated[float, typer.Option(help="The price of the information (>= 0).")] = 0.0,
    state: Annotated[
        str | None, typer.Option(help="A state label: also print the true value U1(I) there.")
    ] = None,
    knowing: Annotated[
        list[str] | None,
        typer.Option(help="A variable of a finer K: print E[U1(I) | K=k] (repeat to join)."),
    ] = None,
    as_json: JsonOutput = False,
) -> None:
    """Value of revealing INFO: ex ante (Lindley), ex post per cell (eq. 2), true value (eq. 1)."""
    from volition.core import load_problem

    problem = load_problem(file)
    report = voi_report(problem, info, price=price, state=state, knowing=knowing or [])
    if as_json:
        print_json(report)
    else:
        _print_report(report)


def voi_report(
    problem: Problem,
    info: list[str],
    price: float = 0.0,
    state: str | None = None,
    knowing: list[str] | None = None,
) -> dict[str, Any]:
    """The content ``volition voi`` prints, as a JSON-ready dict."""
    value = problem.value(info, price)
    report: dict[str, Any] = {
        "no_info_action": problem.describe(value.no_info_action),
        "no_info_expected_utility": value.no_info_expected_utility,
        "info": list(info),
        "price": value.price,
        "ex_ante": value.ex_ante,
        "cells": _cells(problem, value),
    }
    if state is not None:
        report["state"] = state
        report["true_value"] = problem.true_value(info, price, state=state)
    if knowing:
        known = problem.value_knowing(info, knowing, price)
        report["knowing"] = [
            {
                "values": known.partition.cell_values(int(c)),
                "probability": float(known.probabilities[c]),
                "value": float(known.values[c]),
            }
            for c in np.flatnonzero(known.probabilities > 0)
        ]
    return report


def _cells(problem: Problem, value: InformationValue) -> list[dict[str, Any]]:
    return [
        {
            "values": value.partition.cell_values(int(c)),
            "probability": float(value.probabilities[c]),
            "action": problem.describe(value.actions[c]),
            "ex_post": float(value.ex_post[c]),
        }
        for c in np.flatnonzero(value.probabilities > 0)
    ]


def _print_report(report: dict[str, Any]) -> None:
    console.print(
        f"Without information: action x0 = {fmt(report['no_info_action'])}, "
        f"expected utility {fmt(report['no_info_expected_utility'])}"
    )
    console.print(
        f"Ex-ante value of {', '.join(report['info'])} at price {fmt(report['price'])}: "
        f"[bold]{fmt(report['ex_ante'])}[/bold]"
    )
    print_table(
        "Ex-post value per cell (eq. 2)",
        ["cell", "probability", "action", "ex-post value"],
        [[c["values"], c["probability"], c["action"], c["ex_post"]] for c in report["cells"]],
    )
    if "true_value" in report:
        console.print(f"True value U1(I) at state {report['state']}: {fmt(report['true_value'])}")
    if "knowing" in report:
        print_table(
            "Value knowing more: E[U1(I) | K = k]",
            ["cell of K", "probability", "value"],
            [[k["values"], k["probability"], k["value"]] for k in report["knowing"]],
        )
