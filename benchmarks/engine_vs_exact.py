"""The engine path against the exact path, per (world, regime, fixed informer), exactly.

For each world of ``examples/experiments/headline.yaml``, the regimes the engine runs (IP and
RIP of depth 2) and the fixed truthful and cherry-picking informers: the informer's expected
revenue and the buyer's expected true value net of all it paid (eq. 1 of docs/theory.md §3),
from the exact game and from the game measured on the platform's inspection engine (one
inspection per message and state: the outcomes are deterministic, so these are exact too).
Run: ``.venv/bin/python benchmarks/engine_vs_exact.py`` (a few seconds).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from volition.experiments import build_game, parse_regime
from volition.experiments.engine_buyer import engine_game
from volition.experiments.spec import load_spec

SPEC = Path(__file__).resolve().parents[1] / "examples" / "experiments" / "headline.yaml"


def main() -> None:
    _, worlds = load_spec(SPEC)
    print(
        "| world | regime | informer | revenue: exact | revenue: engine "
        "| buyer net: exact | buyer net: engine |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, world in worlds.items():
        prior = world.problem.prior
        states = np.arange(prior.size)
        for text in ("inspection", "rip:2"):
            exact = build_game(world, parse_regime(text))
            engine = engine_game(world, parse_regime(text))
            for policy in ("truthful", "cherry_pick"):
                a = exact.fixed[policy][exact.cells[0]]
                print(
                    f"| {name} | {text} | {policy} | {prior @ exact.revenue[a, states]:.4f} "
                    f"| {prior @ engine.revenue[a, states]:.4f} "
                    f"| {prior @ exact.true_value[a, states]:.4f} "
                    f"| {prior @ engine.true_value[a, states]:.4f} |"
                )


if __name__ == "__main__":
    main()
