"""``volition demo``: the main job on the embedded default, the worked examples' headlines.

Each example ships as a file in ``examples/``; the demo computes its headline values with
the kernel, the mechanisms and the games (nothing here is a stored number).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from volition.cli.output import JsonOutput, console, print_json, print_table

if TYPE_CHECKING:  # the kernel, mechanisms and games are imported when the demo runs
    from volition.core import Problem

__all__ = ["EXAMPLES", "Example", "demo", "demo_report", "load_example"]


@dataclass(frozen=True)
class Example:
    """A shipped example: its file, what it shows, and how to compute the figures that show it."""

    file: str
    title: str
    shows: str
    figures: Callable[[Path], dict[str, Any]]


def _problem_figures(*headlines: tuple[str, Callable[[Problem], Any]]) -> Callable[[Path], Any]:
    def compute(path: Path) -> dict[str, Any]:
        from volition.core import load_problem

        problem = load_problem(path)
        return {name: figure(problem) for name, figure in headlines}

    return compute


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


def _protocols(path: Path) -> dict[str, Any]:
    from volition.mechanisms import load_market
    from volition.mechanisms.reports import compare_report

    rows = compare_report(load_market(path), depth=None)["protocols"]
    return {
        f"expected utility, {name} (depth {row['depth']})": row["expected_utility"]
        for name, row in rows.items()
        if "expected_utility" in row
    }


def _oversight(path: Path) -> dict[str, Any]:
    from volition.mechanisms import load_oversight, marginal_value_equilibrium

    setting = load_oversight(path)
    result = marginal_value_equilibrium(
        setting.market.problem, setting.market.levels[0], setting.informers, setting.knows
    )
    offered = sorted({o for path in result.paths for o in path if o is not None})
    return {
        "equilibrium value": result.expected_value,
        "ideal value (best offer given K)": result.expected_ideal,
        "offers made in equilibrium": ", ".join(offered) or "none",
    }


def _commitment(path: Path) -> dict[str, Any]:
    from volition.games import commitment_problem, load_tree

    report = commitment_problem(load_tree(path), None).to_json()
    return {
        "subgame-perfect play": " -> ".join(report["subgame_perfect"]["path"]),
        "payoffs without commitment": report["subgame_perfect"]["payoffs"],
        "payoffs with commitment": report["commitment"]["pure"]["payoffs"],
    }


def _lemons(path: Path) -> dict[str, Any]:
    from volition.games.reports import failure_report

    report = failure_report("lemons", path)
    return {
        "qualities traded": report["qualities_traded"],
        "welfare lost to unravelling": report["welfare_lost"],
        "welfare with inspection": report["with_inspection"]["welfare"],
    }


EXAMPLES: tuple[Example, ...] = (
    Example(
        "fact_checking.yaml",
        "Fact-checking (docs/theory.md §4), log score, in nats",
        "a seller paid the ex-post value reveals I1 alone, whose true value is negative",
        _problem_figures(
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
        _problem_figures(
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
        _problem_figures(
            ("action without the test", _no_info_action),
            ("ex-ante value of the seismic test", _ex_ante(["seismic"])),
            ("net of its price 10", _ex_ante(["seismic"], price=10.0)),
            ("value of perfect information", _ex_ante(["amount"])),
        ),
    ),
    Example(
        "legumes.yaml",
        "Legumes (docs/theory.md §4): purchase protocols",
        "recursive inspection uses a deep offer that successive inspection cannot reach",
        _protocols,
    ),
    Example(
        "fact_checking_market.yaml",
        "Fact-checking market (docs/theory.md §4): purchase protocols",
        "the corrective context is bought only once recursion is deep enough",
        _protocols,
    ),
    Example(
        "cheap_refutation.yaml",
        "Cheap refutation (docs/theory.md §4): marginal-value oversight",
        "the best information is not offered where a cheap refutation awaits it",
        _oversight,
    ),
    Example(
        "game_tragedy_of_power_tree.yaml",
        "Tragedy of power (the paper's Example 2.1)",
        "without commitment the AI would kill, so humans do not build; both lose",
        _commitment,
    ),
    Example(
        "failure_lemons.yaml",
        "Market for lemons (Akerlof 1970)",
        "information asymmetry unravels trade; inspection restores it",
        _lemons,
    ),
)


def load_example(name: str) -> Problem:
    """Load a shipped example problem by file name."""
    from volition.core import load_problem

    with as_file(files("volition").joinpath("examples", name)) as path:
        return load_problem(path)


def demo_report() -> list[dict[str, Any]]:
    """Every example with its headline figures, computed now."""
    report = []
    for example in EXAMPLES:
        with as_file(files("volition").joinpath("examples", example.file)) as path:
            figures = example.figures(path)
        report.append(
            {
                "file": f"examples/{example.file}",
                "title": example.title,
                "shows": example.shows,
                "headlines": figures,
            }
        )
    return report


def demo(
    as_json: JsonOutput = False,
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
