"""Benchmark: all pure Nash equilibria and the Pareto set of large normal-form games.

Issue "volition games", performance: a 3-player game with 200 actions each (8 million
profiles) and a 2-player 3000 x 3000 game (9 million), random integer payoffs (seeded).

- pure equilibria: ``volition.games.pure_nash_equilibria`` (vectorised best-response masks)
  against pygambit's ``enumpure_solve``; building the Gambit game is timed apart, since a
  user who has a Gambit game already pays only the enumeration. Both must find the same set.
- Pareto set of the profiles' payoff vectors: ``volition.games.skyline.skyline_mask`` against
  the ``paretoset`` package; an all-pairs baseline checks both on a subsample.

Every timing is the minimum over ``--repeats`` runs after one warm-up run (numba compiles on
first use). Run: ``.venv/bin/python benchmarks/bench_games.py`` (about 10 minutes, most of it
building the Gambit games); ``--quick`` for small games.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pygambit as gbt
from paretoset import paretoset

from volition.games.game import NormalFormGame
from volition.games.pure import pure_nash_equilibria
from volition.games.skyline import skyline_mask


def best_time(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Minimum wall time over ``repeats`` runs after a warm-up run, and the last result."""
    result = run()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def all_pairs_mask(points: np.ndarray) -> np.ndarray:
    """The definition, vectorised: a point is kept unless another weakly beats it everywhere
    and strictly somewhere. Quadratic: used on a subsample only."""
    keep = np.ones(len(points), dtype=bool)
    for i, p in enumerate(points):
        dominated = np.all(points >= p, axis=1) & np.any(points > p, axis=1)
        keep[i] = not dominated.any()
    return keep


def bench(shape: tuple[int, ...], repeats: int, gambit_limit: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    tables = [rng.integers(0, 1000, size=shape) for _ in shape]
    game = NormalFormGame.from_tables([t.astype(float) for t in tables])
    profiles = int(np.prod(shape))
    row: dict[str, Any] = {"shape": "x".join(map(str, shape)), "profiles": profiles}

    row["ours_pure_s"], ours = best_time(lambda: pure_nash_equilibria(game), repeats)
    row["equilibria"] = len(ours)
    if profiles <= gambit_limit:
        start = time.perf_counter()
        g = gbt.Game.from_arrays(*tables)
        row["gambit_build_s"] = time.perf_counter() - start
        start = time.perf_counter()
        found = gbt.nash.enumpure_solve(g)
        row["gambit_enumpure_s"] = time.perf_counter() - start
        theirs = sorted(
            tuple(int(np.argmax([float(eq[s]) for s in player.strategies])) for player in g.players)
            for eq in found.equilibria
        )
        assert theirs == sorted(ours), "pygambit and volition disagree on the equilibria"
        row["speedup_vs_enumpure"] = row["gambit_enumpure_s"] / row["ours_pure_s"]

    points = np.stack([t.ravel() for t in tables], axis=1).astype(float)
    row["ours_pareto_s"], mask = best_time(lambda: skyline_mask(points), repeats)
    row["paretoset_s"], theirs_mask = best_time(
        lambda: paretoset(points, sense=["max"] * len(shape), distinct=False), repeats
    )
    assert np.array_equal(mask, theirs_mask), "paretoset and volition disagree on the Pareto set"
    sample = points[rng.choice(len(points), size=min(len(points), 4000), replace=False)]
    assert np.array_equal(skyline_mask(sample), all_pairs_mask(sample))
    row["pareto_points"] = int(mask.sum())
    row["ratio_to_paretoset"] = row["ours_pareto_s"] / row["paretoset_s"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small games (seconds)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--gambit-max-profiles", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    shapes = [(40, 40, 40), (300, 300)] if args.quick else [(200, 200, 200), (3000, 3000)]
    print(f"# {platform.processor() or platform.machine()}, {time.strftime('%Y-%m-%d')}")
    for shape in shapes:
        row = bench(shape, args.repeats, args.gambit_max_profiles, args.seed)
        print(
            " | ".join(
                f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()
            )
        )


if __name__ == "__main__":
    main()
