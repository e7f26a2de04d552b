"""Benchmark: RL from market feedback (``volition.experiments``), episodes per second and grids.

1. Training episodes per second of each regime on the fact-checking world (the informer
   knows I1 and I2; the built-in tabular learners, vectorised over batches of 500 episodes),
   and the one-off cost of tabulating the regime's game exactly.
2. Episodes per second of each regime with the exact buyer (an episode drawn from the
   tabulated game, uniform random messages) and with the platform's inspection engine (an
   episode is one inspection on an in-memory bazaar with the Bayesian buyer agent; the
   regimes the engine runs), and the one-off cost of each path's tabulation.
3. Wall time of one grid (``examples/experiments/fact_checking.yaml``, with fewer seeds) on
   1 local process, 2 local processes and a local Ray cluster of 2 CPUs (Ray's start-up
   included, as a user pays it), each starting with no game tabulated.
   ``--engine`` also times the grid of ``fact_checking_engine.yaml`` (the engine buyer).
Run: ``.venv/bin/python benchmarks/bench_experiments.py`` (a few minutes); ``--quick``.
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
from volition.experiments.learners import make_learner, play, train
from volition.experiments.regimes import engine_unsupported
from volition.experiments.runner import run_experiment
from volition.experiments.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "examples" / "experiments" / "fact_checking.yaml"
ENGINE_SPEC = ROOT / "examples" / "experiments" / "fact_checking_engine.yaml"


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


def exact_vs_engine(episodes: int, engine_episodes: int) -> None:
    from volition.experiments.engine_buyer import EngineMarket, engine_game

    spec, worlds = load_spec(SPEC)
    world = worlds["fact_checking"]
    print(
        "\n| regime | exact: tabulate (ms) | exact: episodes/s | engine: tabulate (s) "
        "| engine: episodes/s |"
    )
    print("|---|---|---|---|---|")
    for text in spec.regimes:
        regime = parse_regime(text)
        start = time.perf_counter()
        game = build_game(world, regime)
        tabulate = time.perf_counter() - start
        uniform = [
            np.full((game.n_obs(k), game.n_actions), 1 / game.n_actions)
            for k in range(game.n_agents)
        ]
        rng = np.random.default_rng(0)
        start = time.perf_counter()
        ep = play(game, uniform, episodes, rng)
        float(game.true_value[ep.histories, ep.states].mean())
        exact_rate = episodes / (time.perf_counter() - start)
        if engine_unsupported(regime) is not None:
            print(f"| {text} | {tabulate * 1e3:.0f} | {exact_rate:,.0f} | - | not mapped |")
            continue
        start = time.perf_counter()
        engine_game(world, regime)
        engine_tabulate = time.perf_counter() - start
        market = EngineMarket(world, regime, game)
        states = rng.choice(game.prior.size, engine_episodes, p=game.prior)
        actions = rng.integers(0, game.n_actions, engine_episodes)
        start = time.perf_counter()
        for s, a in zip(states, actions, strict=True):
            market.episode(int(s), int(a))
        rate = engine_episodes / (time.perf_counter() - start)
        print(
            f"| {text} | {tabulate * 1e3:.0f} | {exact_rate:,.0f} | {engine_tabulate:.2f} "
            f"| {rate:,.0f} |"
        )


def grid_times(seeds: int, path: Path = SPEC) -> None:
    import pyarrow.parquet  # noqa: F401  (imported once before timing: seconds on a loaded machine)

    data = yaml.safe_load(path.read_text())
    data["seeds"] = seeds
    data["worlds"][0]["market"] = str(path.parent.parent / "fact_checking_market.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "grid.yaml"
        spec.write_text(yaml.safe_dump(data))
        cells = len(data["regimes"]) * len(data["learners"]) * seeds
        print(
            f"\ngrid {path.name}: {cells} cells of {data['episodes']} training episodes "
            f"(buyer: {data.get('buyer', 'exact')})"
        )
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
    parser.add_argument("--engine", action="store_true", help="also the engine buyer's grid")
    parser.add_argument("--skip-training", action="store_true", help="skip the first table")
    args = parser.parse_args()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if not args.skip_training:
        episodes_per_second(20_000 if args.quick else 100_000)
    exact_vs_engine(20_000 if args.quick else 100_000, 100 if args.quick else 400)
    grid_times(1 if args.quick else 2)
    if args.engine:
        grid_times(1 if args.quick else 2, ENGINE_SPEC)


if __name__ == "__main__":
    main()
