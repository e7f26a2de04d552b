"""``volition market``: purchase protocols on a market file (docs/theory.md §4).

``volition oversight`` (the marginal-value mechanism) lives here too: both read market files.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from volition.cli.output import MISSING, JsonOutput, console, fmt, print_json, print_table
from volition.errors import InputError

__all__ = ["DEFAULT_MAX_POLICIES", "Protocol", "market", "oversight"]

# The mechanisms (and the kernel under them) are imported when a command runs; ``--help``
# needs only these two, copied (a test checks that they agree with volition.mechanisms).


class Protocol(StrEnum):
    """The values of ``volition.mechanisms.reports.ProtocolName``: the protocols to run."""

    NONE = "none"
    IP = "ip"
    SUCCESSIVE = "successive"
    RIP = "rip"
    BEST = "best"


DEFAULT_MAX_POLICIES = 20_000
"""``volition.mechanisms.DEFAULT_MAX_POLICIES``."""


def market(
    file: Annotated[Path, typer.Argument(help="A market file (YAML or JSON).")],
    protocol: Annotated[Protocol, typer.Option(help="The purchase protocol.")] = Protocol.RIP,
    depth: Annotated[
        int | None, typer.Option(help="Levels of inspection (default: every level).")
    ] = None,
    compare: Annotated[
        bool, typer.Option("--compare", help="Run every protocol side by side.")
    ] = False,
    max_policies: Annotated[
        int, typer.Option(help="Largest exhaustive search `best` may run.")
    ] = DEFAULT_MAX_POLICIES,
    as_json: JsonOutput = False,
) -> None:
    """What a purchase protocol buys, decides and is worth on a market (docs/theory.md §4)."""
    from volition.mechanisms import load_market
    from volition.mechanisms.reports import (
        ProtocolName,
        build_protocol,
        compare_report,
        market_report,
    )

    loaded = load_market(file)
    if depth is not None and not 0 <= depth <= loaded.n_levels:
        raise InputError(
            f"--depth {depth} is outside 0..{loaded.n_levels} (the market's levels of offers)"
        )
    if compare:
        report = compare_report(loaded, depth, max_policies)
        if as_json:
            print_json(report)
            return
        console.print(
            "Without information (no offer bought, action x0): expected utility "
            f"{fmt(report['no_info_expected_utility'])}. Protocol 'none' is not this line: it "
            "buys offers on their ex-ante value without inspecting them, and acts on them."
        )
        print_table(
            f"Protocols on {file}",
            ["protocol", "depth", "expected utility", "expected price paid"],
            [
                [name, "-", v["refused"], "-"]
                if "refused" in v
                else [name, v["depth"], v["expected_utility"], v["expected_price_paid"]]
                for name, v in report["protocols"].items()
            ],
        )
        return
    result = build_protocol(ProtocolName(protocol.value), depth, max_policies).evaluate(loaded)
    report = market_report(result)
    if as_json:
        print_json(report)
        return
    console.print(
        f"{result.protocol} (depth {result.depth}): expected utility "
        f"[bold]{fmt(result.expected_utility)}[/bold], price paid "
        f"{fmt(result.expected_price_paid)}; without information "
        f"{fmt(result.no_info_expected_utility)}"
    )
    print_table(
        "Outcomes per scenario and state",
        ["scenario", "state", "probability", "bought (per level)", "action", "paid"],
        [
            [
                r["scenario"],
                r["state"],
                r["probability"],
                " | ".join(",".join(ids) or "-" for ids in r["bought"]),
                r["action"],
                r["paid"],
            ]
            for r in report["outcomes"]
        ],
    )
    print_table(
        "Seller revenue (expected)", ["seller", "revenue"], list(report["seller_revenue"].items())
    )


def oversight(
    file: Annotated[Path, typer.Argument(help="A market file; its level-0 offers are the menu.")],
    informers: Annotated[
        int | None,
        typer.Option(
            help="A fixed number of informers (default: the file's, else until one passes)."
        ),
    ] = None,
    as_json: JsonOutput = False,
) -> None:
    """The marginal-value oversight mechanism: equilibrium path, rewards, value vs ideal."""
    from volition.mechanisms import load_oversight, marginal_value_equilibrium
    from volition.mechanisms.reports import oversight_report

    setting = load_oversight(file)
    problem = setting.market.problem
    n = informers if informers is not None else setting.informers
    if n is not None and n < 1:
        raise InputError(f"--informers must be >= 1, got {n}")
    result = marginal_value_equilibrium(problem, setting.market.levels[0], n, setting.knows)
    report = oversight_report(result, problem)
    if as_json:
        print_json(report)
        return
    console.print(
        f"Marginal-value mechanism, informers: {report['informers']}; expected equilibrium "
        f"value [bold]{fmt(result.expected_value)}[/bold] against the ideal "
        f"{fmt(result.expected_ideal)}"
    )
    print_table(
        "Subgame-perfect equilibrium per state (K = " + ", ".join(report["knows"]) + ")",
        ["state", "probability", "path (- = none)", "rewards R^n", "value", "ideal"],
        [
            [
                row["state"],
                row["probability"],
                " ".join(o or MISSING for o in row["path"]),
                " ".join(fmt(r) for r in row["rewards"]),
                row["equilibrium_value"],
                row["ideal_value"],
            ]
            for row in report["states"]
        ],
    )
