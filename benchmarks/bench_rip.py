"""Benchmark: the recursive inspection protocol (RIP), memoised against a naive recursion.

Issue "volition mechanisms", performance: RIP is exponential in menu sizes when done naively.
``volition.mechanisms`` memoises the deepest-first backward induction on information states
and vectorises every decision over the states (``grouped_sums``). Here both are timed on
random markets: S states (each a random point of ``--facts`` binary facts, 8 by default),
k offers per level (each reveals one fact, in turn, so with few facts offers overlap),
depth N, 4 actions with random utilities, prices 0.01.

For each (k, N) the number of states grows by 10x until a solve takes longer than the
budget (10 s): the table gives the largest S solved within it. The naive recursion is the
same solver with its memo switched off; both must give the same expected utility.
Run: ``.venv/bin/python benchmarks/bench_rip.py`` (a few minutes); ``--quick`` for seconds.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from volition.core import MatrixDecision, ProbabilitySpace, Problem, World
from volition.mechanisms import Market, Offer, Recursive
from volition.mechanisms.backward import _Solver


def random_market(states: int, per_level: int, depth: int, seed: int, n_facts: int) -> Market:
    rng = np.random.default_rng(seed)
    facts = {f"F{j}": rng.integers(0, 2, states) for j in range(n_facts)}
    space = ProbabilitySpace.from_weights(states, rng.random(states) + 0.1)
    problem = Problem(
        World.build(space, facts), MatrixDecision(4, rng.standard_normal((states, 4)))
    )
    names = list(facts)
    levels = [
        [
            Offer(f"L{n}o{i}", f"s{n}{i}", (names[(n * per_level + i) % n_facts],), 0.01, n)
            for i in range(per_level)
        ]
        for n in range(depth)
    ]
    return Market.build(problem, levels)


class _NaiveSolver(_Solver):
    """The same backward induction without the memo: every subtree solved afresh."""

    def solve(self, n: int, upper: dict[int, frozenset[str]]) -> Any:
        return self._action(upper) if n == 1 else self._purchase(n - 1, upper)


def naive_value(market: Market, depth: int) -> float:
    solver = _NaiveSolver(market, market.scenarios[0], depth, Recursive.visibility)
    top = solver.solve(depth + 1, {})
    return float(market.problem.prior @ np.where(solver.support, top.value, 0.0))


def timed(run: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per solve")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--facts", type=int, default=8, help="binary facts the offers reveal (fewer: more overlap)"
    )
    args = parser.parse_args()
    budget = 1.0 if args.quick else args.budget
    sizes = [10**3, 10**4, 10**5, 10**6]
    print(
        f"# RIP, memoised vs naive; {args.facts} facts; budget {budget:g} s per solve; "
        f"{time.strftime('%Y-%m-%d %H:%M')}"
    )
    print("| offers/level k | depth N | states S | memoised (s) | naive (s) | speed-up |")
    print("|---|---|---|---|---|---|")
    for states in (100, 10**5):  # warm-up: numba compiles (or loads) its kernels once
        Recursive(1).evaluate(random_market(states, 2, 1, 0, args.facts))
    for k in (2, 3, 4):
        for depth in (1, 2, 3):
            for states in sizes:
                market = random_market(states, k, depth, states + 10 * k + depth, args.facts)
                t_memo, result = timed(lambda m=market, d=depth: Recursive(d).evaluate(m))
                naive = "-"
                speedup = "-"
                if states <= 10**4:
                    t_naive, value = timed(lambda m=market, d=depth: naive_value(m, d))
                    assert abs(value - result.expected_utility) < 1e-9, (value, result)
                    naive, speedup = f"{t_naive:.3f}", f"{t_naive / t_memo:.1f}x"
                print(f"| {k} | {depth} | {states:.0e} | {t_memo:.3f} | {naive} | {speedup} |")
                if t_memo > budget:
                    break


if __name__ == "__main__":
    main()
