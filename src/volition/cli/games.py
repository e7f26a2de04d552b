"""``volition align`` (is an equilibrium Pareto-optimal? THEORY.md §1) and ``volition commitment``
(the value of commitment in a game tree, THEORY.md §2)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from volition.cli.output import console, print_json, print_table
from volition.errors import InputError
from volition.games import alignment_report, commitment_problem, load_game, load_tree

__all__ = ["align", "commitment", "parse_weights"]


def align(
    game_file: Annotated[
        Path, typer.Argument(metavar="GAME", help="A game file: YAML, JSON or Gambit .nfg.")
    ],
    principal: Annotated[
        str | None,
        typer.Option(
            help="Principal's welfare weights, one per player, e.g. 1,0 (align the AI to the "
            "human) or 1,1,0 (social choice over humans); reports the welfare loss."
        ),
    ] = None,
    disagreement: Annotated[
        str | None,
        typer.Option(help="Disagreement point of geometric welfare (default: security levels)."),
    ] = None,
    pure_only: Annotated[bool, typer.Option("--pure-only", help="Skip mixed equilibria.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Alignment report: each equilibrium against the Pareto frontier, weights, PoA and PoS."""
    game = load_game(game_file)
    report = alignment_report(
        game,
        principal=None if principal is None else parse_weights(principal, "--principal"),
        disagreement=None
        if disagreement is None
        else parse_weights(disagreement, "--disagreement", allow_negative=True),
        mixed="none" if pure_only else "auto",
    )
    payload = report.to_json()
    if as_json:
        print_json(payload)
    else:
        _print(payload, game.title or str(game_file))


def commitment(
    game_file: Annotated[
        Path,
        typer.Argument(metavar="TREE", help="A two-player game tree: YAML/JSON, or Gambit .efg."),
    ],
    committer: Annotated[
        str | None,
        typer.Option(help="The player who may commit (default: the one who moves second)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Subgame-perfect outcome vs. the outcome under commitment, and their Pareto gap."""
    report = commitment_problem(load_tree(game_file), committer).to_json()
    if as_json:
        print_json(report)
    else:
        print_commitment(report)


def print_commitment(report: dict[str, Any]) -> None:
    """The commitment report as a table: subgame-perfect play against commitment."""
    spe = report["subgame_perfect"]
    rows: list[list[Any]] = [
        ["subgame-perfect play", " -> ".join(spe["path"]) or "(no move)"],
        ["subgame-perfect payoffs", spe["payoffs"]],
    ]
    for kind, outcome in report["commitment"].items():
        rows.append([f"{report['committer']} commits ({kind})", outcome["strategy"]])
        rows.append(
            [
                f"  response, payoffs ({kind})",
                f"{outcome['response']}; "
                + ", ".join(f"{k}={v:.6g}" for k, v in outcome["payoffs"].items()),
            ]
        )
    rows.append(["value of commitment", report["value_of_commitment"]])
    rows.append(["Pareto improvement", "yes" if report["pareto_improvement"] else "no"])
    print_table(str(report["model"]), ["", "value"], rows)


def parse_weights(text: str, option: str, allow_negative: bool = False) -> list[float]:
    """Comma-separated numbers, e.g. ``1,0``; a clear error for anything else."""
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise InputError(
            f"{option} {text!r} is not a comma-separated list of numbers, e.g. 1,0"
        ) from None
    if not allow_negative and any(v < 0 for v in values):
        raise InputError(f"{option} {text!r} has a negative weight; weights must be >= 0")
    return values


def _print(payload: dict[str, Any], title: str) -> None:
    rows = []
    for eq in payload["equilibria"]:
        weights = eq["linear_weights"]["weights"]
        rows.append(
            [
                _profile_text(eq["profile"]),
                eq["kind"],
                ", ".join(f"{v:.6g}" for v in eq["payoffs"].values()),
                "yes" if eq["strongly_pareto"] else "no",
                "yes" if eq["weakly_pareto"] else "no",
                "yes" if eq["coordinated_pareto"] else "no",
                "none" if weights is None else ", ".join(f"{w:.4g}" for w in weights.values()),
                eq["distance_to_frontier"],
                "" if eq["principal_loss"] is None else eq["principal_loss"],
            ]
        )
    print_table(
        f"{title}: equilibria",
        [
            "profile",
            "kind",
            "payoffs",
            "strong",
            "weak",
            "coordinated",
            "weights",
            "distance",
            "principal loss",
        ],
        rows,
    )
    print_table(
        "Strongly Pareto-optimal pure profiles",
        ["profile", "payoffs"],
        [
            [_profile_text(p["profile"]), ", ".join(f"{v:.6g}" for v in p["payoffs"].values())]
            for p in payload["pareto_profiles"]
        ],
    )
    console.print(
        f"price of anarchy: {payload['price_of_anarchy']}, "
        f"price of stability: {payload['price_of_stability']}"
    )


def _profile_text(profile: dict[str, Any]) -> str:
    parts = []
    for player, choice in profile.items():
        if isinstance(choice, dict):
            choice = " + ".join(f"{p:.4g} {s}" for s, p in choice.items())
        parts.append(f"{player}: {choice}")
    return "; ".join(parts)
