"""The games commands (docs/theory.md §1-2): ``align`` (is an equilibrium Pareto-optimal?),
``equilibria`` (pure, mixed, correlated), ``commitment`` (the value of commitment in a game
tree), ``subgame-perfect`` (behaviour strategies of any tree) and ``convert`` (YAML/JSON <->
Gambit .nfg)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer

from volition.cli.output import JsonOutput, console, fmt, print_json, print_table
from volition.errors import InputError

if TYPE_CHECKING:  # volition.games (scipy, numba) is imported when a command runs
    from volition.games import MixedEquilibrium, NormalFormGame

__all__ = [
    "align",
    "commitment",
    "convert",
    "equilibria",
    "equilibria_report",
    "parse_weights",
    "print_commitment",
    "subgame_perfect",
]


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
    as_json: JsonOutput = False,
) -> None:
    """Alignment report: each equilibrium against the Pareto frontier, weights, PoA and PoS."""
    from volition.games import alignment_report, load_game

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


Committer = Annotated[
    str | None,
    typer.Option(help="The player who may commit (default: the one who moves second)."),
]


def commitment(
    game_file: Annotated[
        Path,
        typer.Argument(metavar="TREE", help="A two-player game tree: YAML/JSON, or Gambit .efg."),
    ],
    committer: Committer = None,
    as_json: JsonOutput = False,
) -> None:
    """Subgame-perfect outcome vs. the outcome under commitment, and their Pareto gap."""
    from volition.games import commitment_problem, load_tree

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
                + ", ".join(f"{k}={fmt(v)}" for k, v in outcome["payoffs"].items()),
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
        verdict = (
            "aligned"
            if eq["coordinated_pareto"]
            else "pure only"
            if eq["strongly_pareto"]
            else "weakly, pure"
            if eq["weakly_pareto"]
            else "no"
        )
        rows.append(
            [
                f"{_profile_text(eq['profile'])} ({eq['kind']})",
                ", ".join(fmt(v) for v in eq["payoffs"].values()),
                verdict,
                "none" if weights is None else ", ".join(f"{w:.4g}" for w in weights.values()),
                eq["distance_to_frontier"],
                "" if eq["principal_loss"] is None else eq["principal_loss"],
            ]
        )
    print_table(
        f"{title}: equilibria (aligned: Pareto-optimal even against coordinated play; "
        "pure only: against pure outcomes only)",
        ["equilibrium", "payoffs", "Pareto", "weights", "gain for all", "principal loss"],
        rows,
    )
    print_table(
        "Strongly Pareto-optimal pure profiles",
        ["profile", "payoffs"],
        [
            [_profile_text(p["profile"]), ", ".join(fmt(v) for v in p["payoffs"].values())]
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


MIXED_METHODS = ("auto", "vertex", "enummixed", "lcp", "logit", "gnm", "none")
GameFile = Annotated[
    Path, typer.Argument(metavar="GAME", help="A game file: YAML, JSON, .nfg or .efg.")
]
Welfare = Annotated[
    str | None,
    typer.Option(
        help="Weights of the welfare the correlated equilibria maximise (default 1,..,1)."
    ),
]


def equilibria(
    game_file: GameFile,
    method: Annotated[
        str,
        typer.Option(
            help="Mixed equilibria: vertex (all extreme ones, two players), enummixed, lcp, "
            "logit or gnm (Gambit, extra volition[gambit]), none, or auto (vertex for two "
            "players, else logit when the extra is installed)."
        ),
    ] = "auto",
    welfare: Welfare = None,
    as_json: JsonOutput = False,
) -> None:
    """Pure, mixed, correlated and coarse correlated equilibria (the best for a welfare)."""
    from volition.games import load_game

    if method not in MIXED_METHODS:
        raise InputError(f"unknown method {method!r}; choose one of {', '.join(MIXED_METHODS)}")
    game = load_game(game_file)
    weights = None if welfare is None else parse_weights(welfare, "--welfare")
    report = equilibria_report(game, method, weights)
    if as_json:
        print_json(report)
        return
    rows = [[_profile_text(e["profile"]), "pure", e["payoffs"]] for e in report["pure"]]
    rows += [[_profile_text(e["profile"]), e["method"], e["payoffs"]] for e in report["mixed"]]
    for key in ("correlated", "coarse_correlated"):
        ce = report[key]
        support = "; ".join(
            f"{p['probability']:.4g} ({', '.join(p['profile'].values())})"
            for p in ce["distribution"]
        )
        rows.append([support, key.replace("_", " "), ce["payoffs"]])
    print_table(f"{game.title or game_file}: equilibria", ["profile", "kind", "payoffs"], rows)


def equilibria_report(
    game: NormalFormGame, method: str = "auto", welfare: list[float] | None = None
) -> dict[str, Any]:
    """The content ``volition equilibria`` prints, as a JSON-ready dict."""
    from volition.games import (
        correlated_equilibrium,
        incentive_gains,
        pure_nash_equilibria,
        vertex_enumeration,
    )
    from volition.games.gambit import gambit_available, gambit_mixed_equilibria

    if method == "auto":
        method = "vertex" if game.n_players == 2 else "logit" if gambit_available() else "none"
    mixed: list[MixedEquilibrium] = []
    if method == "vertex":
        mixed = vertex_enumeration(game)
    elif method != "none":
        mixed = gambit_mixed_equilibria(game, method)  # type: ignore[arg-type]
    out: dict[str, Any] = {
        "players": list(game.players),
        "pure": [
            {
                "profile": dict(zip(game.players, game.profile_labels(p), strict=True)),
                "payoffs": _by_player(
                    game, game.payoff_vectors()[np.ravel_multi_index(p, game.shape)]
                ),
            }
            for p in pure_nash_equilibria(game)
        ],
        "mixed": [
            {
                "profile": {
                    player: {
                        game.strategies[i][a]: _round(float(eq.profile[i][a]))
                        for a in np.flatnonzero(eq.profile[i] > 1e-12)
                    }
                    for i, player in enumerate(game.players)
                },
                "payoffs": _by_player(game, eq.payoffs),
                "max_regret": eq.max_regret,
                "method": eq.method,
            }
            for eq in mixed
            if not eq.is_pure
        ],
    }
    for key, coarse in (("correlated", False), ("coarse_correlated", True)):
        ce = correlated_equilibrium(game, welfare, coarse=coarse)
        flat = ce.distribution.ravel()
        out[key] = {
            "distribution": [
                {
                    "profile": dict(
                        zip(game.players, game.profile_labels(game.profile(int(k))), strict=True)
                    ),
                    "probability": _round(float(flat[k])),
                }
                for k in np.flatnonzero(flat > 1e-12)
            ],
            "payoffs": _by_player(game, ce.payoffs),
            "welfare": _round(ce.welfare),
            "max_incentive_gain": float(incentive_gains(game, ce.distribution, coarse).max()),
        }
    return out


def _by_player(game: NormalFormGame, values: Any) -> dict[str, float]:
    return {p: _round(float(v)) for p, v in zip(game.players, values, strict=True)}


def _round(x: float) -> float:
    return float(f"{x:.12g}") + 0.0


def convert(
    game_file: GameFile,
    output: Annotated[
        Path, typer.Argument(metavar="OUT", help="Where to write: .nfg, .json or .yaml.")
    ],
    style: Annotated[
        str, typer.Option(help="For .nfg: outcome (as Gambit writes) or payoff.")
    ] = "outcome",
    as_json: JsonOutput = False,
) -> None:
    """Convert a game between YAML/JSON and Gambit .nfg (a tree becomes its strategic form)."""
    from volition.games import load_game, save_game

    if style not in ("outcome", "payoff"):
        raise InputError(f"unknown .nfg style {style!r}; use outcome or payoff")
    game = load_game(game_file)
    save_game(game, output, style)  # type: ignore[arg-type]
    if as_json:
        print_json({"wrote": str(output), "players": list(game.players), "shape": game.shape})
    else:
        console.print(f"wrote {output}")


def subgame_perfect(
    tree_file: Annotated[
        Path, typer.Argument(metavar="TREE", help="A game tree: YAML/JSON, or Gambit .efg.")
    ],
    as_json: JsonOutput = False,
) -> None:
    """A subgame-perfect equilibrium in behaviour strategies (any tree with perfect recall)."""
    from volition.games import load_tree, subgame_perfect_behaviour

    game = load_tree(tree_file)
    eq = subgame_perfect_behaviour(game)
    report: dict[str, Any] = {
        "players": list(game.players),
        "behaviour": [
            {"player": game.players[i], "infoset": name, "actions": probs}
            for i, plan in enumerate(eq.behaviour)
            for name, probs in plan.items()
        ],
        "payoffs": dict(zip(game.players, (_round(float(v)) for v in eq.payoffs), strict=True)),
        "subgames": eq.subgames,
        "method": eq.method,
    }
    if as_json:
        print_json(report)
        return
    rows = [[entry["player"], entry["infoset"], entry["actions"]] for entry in report["behaviour"]]
    print_table(f"{game.title or tree_file}: subgame-perfect play", ["player", "at", "play"], rows)
    console.print(f"payoffs: {report['payoffs']} ({eq.subgames} subgames)")
