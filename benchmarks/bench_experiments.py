"""Benchmark: RL from market feedback (``volition.experiments``), episodes per second and grids.

1. Training episodes per second of each regime on the fact-checking world (the informer
   knows I1 and I2; the built-in tabular learners, vectorised over batches of 500 episodes),
   and the one-off cost of tabulating the regime's game exactly.
2. Wall time of one grid (``examples/experiments/fact_checking.yaml``, with fewer seeds) on
   1 local process, 2 local processes and a local Ray cluster of 2 CPUs (Ray's start-up
   included, as a user pays it), each starting with no game tabulated.
Run: ``.venv/bin/python benchmarks/bench_experiments.py`` (about a minute); ``--quick``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

from volition.experiments import build_game, parse_regime, runner
from volition.experiments.learners import make_learner, train
from volition.experiments.runner import run_experiment
from volition.experiments.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "examples" / "experiments" / "fact_checking.yaml"


def episodes_per_second(episodes: int) -> None:
    spec, worlds = load_spec(SPEC)
    world = worlds["fact_checking"]
    print("| regime | tabulate (ms) | policy gradient (episodes/s) | bandit (episodes/s) |")
    print("|---|---|---|---|")
    for regime in spec.regimes:
        start = time.perf_counter()
        game = build_game(world, parse_regime(regime))
        tabulate = time.perf_counter() - start
        rates = []
        for kind in ("policy_gradient", "bandit"):
            learners = [make_learner(kind, game, k) for k in range(game.n_agents)]
            start = time.perf_counter()
            train(game, learners, episodes, 500, np.random.default_rng(0))
            rates.append(episodes / (time.perf_counter() - start))
        print(f"| {regime} | {tabulate * 1e3:.0f} | {rates[0]:,.0f} | {rates[1]:,.0f} |")


def grid_times(seeds: int) -> None:
    import pyarrow.parquet  # noqa: F401  (imported once before timing: seconds on a loaded machine)

    data = yaml.safe_load(SPEC.read_text())
    data["seeds"] = seeds
    data["worlds"][0]["market"] = str(SPEC.parent.parent / "fact_checking_market.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "grid.yaml"
        spec.write_text(yaml.safe_dump(data))
        cells = len(data["regimes"]) * len(data["learners"]) * seeds
        print(f"\ngrid: {cells} cells of {data['episodes']} training episodes")
        print("| backend | wall time (s) |")
        print("|---|---|")
        for label, backend, workers in (
            ("local, 1 process", "local", 1),
            ("local, 2 processes", "local", 2),
            ("Ray, local cluster of 2 CPUs", "ray", 2),
        ):
            # a fair start: forked workers would inherit the parent's tabulated games
            runner._GAMES.clear()
            runner._WORLDS.clear()
            start = time.perf_counter()
            run_experiment(spec, Path(tmp) / label.replace(" ", "_"), backend, workers)
            print(f"| {label} | {time.perf_counter() - start:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer episodes and seeds")
    args = parser.parse_args()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    episodes_per_second(20_000 if args.quick else 100_000)
    grid_times(1 if args.quick else 2)


if __name__ == "__main__":
    main()
