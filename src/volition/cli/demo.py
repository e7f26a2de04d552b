"""``volition demo``: the main job on the embedded default, the worked examples' headlines.

Each example ships as a problem file in ``examples/``; the demo computes its headline
values with the kernel (nothing here is a stored number).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import as_file, files
from typing import Annotated, Any

import typer

from volition.cli.output import console, print_json, print_table
from volition.core import Problem, load_problem

__all__ = ["EXAMPLES", "Example", "demo", "demo_report", "load_example"]


@dataclass(frozen=True)
class Example:
    """A shipped example: its file, what it shows, and the figures that show it."""

    file: str
    title: str
    shows: str
    headlines: tuple[tuple[str, Callable[[Problem], Any]], ...]


def _ex_post(info: list[str], cell: dict[str, Any]) -> Callable[[Problem], float]:
    def compute(problem: Problem) -> float:
        value = problem.value(info)
        return float(value.ex_post[value.partition.cell_of(cell)])

    return compute


def _knowing(info: list[str], knowing: dict[str, Any]) -> Callable[[Problem], float]:
    def compute(problem: Problem) -> float:
        known = problem.value_knowing(info, list(knowing))
        return float(known.values[known.partition.cell_of(knowing)])

    return compute


def _ex_ante(info: list[str], price: float = 0.0) -> Callable[[Problem], float]:
    return lambda problem: problem.value(info, price).ex_ante


def _no_info_action(problem: Problem) -> Any:
    return problem.describe(problem.no_info()[0])


EXAMPLES: tuple[Example, ...] = (
    Example(
        "fact_checking.yaml",
        "Fact-checking (THEORY.md §4), log score, in nats",
        "a seller paid the ex-post value reveals I1 alone, whose true value is negative",
        (
            ("ex-post value of I1 at I1=1", _ex_post(["I1"], {"I1": 1})),
            ("ex-post value of (I1, I2) at (1, 1)", _ex_post(["I1", "I2"], {"I1": 1, "I2": 1})),
            ("value of I1 alone when (I1, I2) = (1, 1)", _knowing(["I1"], {"I1": 1, "I2": 1})),
            ("ex-ante value of I1", _ex_ante(["I1"])),
            ("ex-ante value of (I1, I2)", _ex_ante(["I1", "I2"])),
        ),
    ),
    Example(
        "medical_test.yaml",
        "Medical test",
        "a test is worth what it changes: a negative result switches treat to wait",
        (
            ("action without the test", _no_info_action),
            ("ex-ante value of the test", _ex_ante(["test"])),
            ("ex-post value of a negative test", _ex_post(["test"], {"test": "negative"})),
            ("value of perfect information", _ex_ante(["disease"])),
        ),
    ),
    Example(
        "oil_wildcatter.yaml",
        "Oil wildcatter (Raiffa 1968), $k",
        "the seismic test is worth 12.5 > its price 10; perfect information bounds it at 35",
        (
            ("action without the test", _no_info_action),
            ("ex-ante value of the seismic test", _ex_ante(["seismic"])),
            ("net of its price 10", _ex_ante(["seismic"], price=10.0)),
            ("value of perfect information", _ex_ante(["amount"])),
        ),
    ),
)


def load_example(name: str) -> Problem:
    """Load a shipped example problem by file name."""
    with as_file(files("volition").joinpath("examples", name)) as path:
        return load_problem(path)


def demo_report() -> list[dict[str, Any]]:
    """Every example with its headline figures, computed now."""
    report = []
    for example in EXAMPLES:
        problem = load_example(example.file)
        report.append(
            {
                "file": f"examples/{example.file}",
                "title": example.title,
                "shows": example.shows,
                "headlines": {name: compute(problem) for name, compute in example.headlines},
            }
        )
    return report


def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Print the headline values of the worked examples, computed by the kernel."""
    report = demo_report()
    if as_json:
        print_json({"examples": report})
        return
    for entry in report:
        print_table(
            f"{entry['title']} ({entry['file']})",
            ["quantity", "value"],
            list(entry["headlines"].items()),
        )
        console.print(f"  shows: {entry['shows']}\n")
