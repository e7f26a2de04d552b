"""Benchmark of the VOI kernel against one streaming pass over U (issue 2, "Performance").

The world: n states with a prior (random, normalised), a finite decision of A actions with
U[state, action] standard normal float64, and information I whose partition has C cells
(a random label in [0, C) per state, every cell occurring). The quantity is the ex-ante
(Lindley) value of I together with eq. (2) on every cell, ``information_value``.

Every world is built once; then ``--passes`` passes go over all of them, each timing every
figure ``--repeats`` times after one warm-up call (spreading the calls in time, so that a
spell of load from the rest of a shared machine does not spoil a figure), and a figure is the
minimum of all its calls. Measured:

- the floor: one streaming pass over U, ``U.sum()`` (one thread), and the same pass split
  over two threads (numpy releases the GIL), since the kernel itself runs on numba's threads;
- the kernel, ``information_value(decision, prior, partition)``, on numba's threads and on
  one thread (a comparison with ``U.sum()`` that load on a shared machine distorts less),
  with ``grouped_sums`` (the one pass over U) and ``Partition.masses`` (the cell
  probabilities) timed alone;
- a straightforward per-cell loop: the states sorted once by cell, then per cell
  ``P[idx] @ U[idx]``, the best action, x0 and the Lindley value. Its ex-ante value must equal
  the kernel's (rtol 1e-9): the benchmark also checks correctness.

One-off costs are reported apart, they are not the kernel: numba's first call (compilation or
cache load), building ``MatrixDecision`` (validation: ``isfinite`` makes a temporary boolean
array of n*A bytes), building the partition (``np.unique``) and the loop's argsort.

Run ``.venv/bin/python benchmarks/bench_voi.py`` (about 3 minutes), ``--quick`` (seconds), or
``--states 100000000 --no-scaling`` for one large world (checked against free memory first).
Worlds that appear in several tables (10^7 x 16 x 1000) are built and timed once.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

from honest import Session, load_average
from volition.core import ProbabilitySpace, Problem, compiled, grouping
from volition.core import World as KernelWorld
from volition.core.decision import MatrixDecision
from volition.core.grouping import grouped_sums
from volition.core.partition import Partition
from volition.core.voi import information_value

RTOL = 1e-9
LOOP_REPEATS = 3
"""The per-cell loop is timed at most this many times (it is the slow baseline)."""
BLAS_SETTLE = 0.2
HEADROOM = 2 << 30
"""Memory left free for the rest of the machine when checking that a world fits."""


@dataclass
class World:
    """One benchmark world, built once and timed in every pass."""

    states: int
    actions: int
    cells: int
    u: NDArray[np.float64]
    prior: NDArray[np.float64]
    decision: MatrixDecision
    partition: Partition
    ex_ante: float
    one_off: dict[str, float]
    runs: dict[str, list[float]] = field(default_factory=dict)
    loop: float | None = None
    loop_ex_ante: float | None = None

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.states, self.actions, self.cells)

    @property
    def u_bytes(self) -> int:
        return self.states * self.actions * 8

    def best(self, name: str) -> float:
        return min(self.runs[name])

    def record(self) -> dict[str, Any]:
        return {
            "states": self.states,
            "actions": self.actions,
            "cells": self.cells,
            "best_seconds": {name: self.best(name) for name in self.runs},
            "runs_seconds": self.runs,
            "loop_seconds": self.loop,
            "ex_ante": self.ex_ante,
            "loop_ex_ante": self.loop_ex_ante,
            "one_off_seconds": self.one_off,
        }


def once(fn: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    """The result of one call and its seconds."""
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def normal_buffer(size: int, seed: int) -> NDArray[np.float64]:
    """``size`` standard normal float64 numbers, filled in place (no temporary copy)."""
    buf = np.empty(size, dtype=np.float64)
    np.random.default_rng(seed).standard_normal(out=buf)
    return buf


def build(buf: NDArray[np.float64], states: int, actions: int, cells: int, seed: int) -> World:
    """A world on U = a C-contiguous view of ``buf``, with its one-off costs timed.

    The prior is random and normalised; the labels are random in [0, cells), every cell
    occurring. The first ``information_value`` call is timed apart (numba's compilation or
    cache load the first time, page faults after).
    """
    if states < cells:
        raise SystemExit(f"{states} states cannot fill {cells} cells")
    u = buf[: states * actions].reshape(states, actions)
    rng = np.random.default_rng(seed + 1)
    prior = rng.random(states) + 0.5
    prior /= prior.sum()
    labels = rng.integers(0, cells, states, dtype=np.int32)
    labels[rng.choice(states, cells, replace=False)] = np.arange(cells, dtype=np.int32)
    one_off: dict[str, float] = {}
    decision, one_off["decision"] = once(MatrixDecision, actions, u)
    part, one_off["partition"] = once(Partition.from_values, "I", labels)
    del labels
    if part.n_cells != cells:
        raise AssertionError(f"the partition has {part.n_cells} cells, not {cells}")
    result, one_off["first_call"] = once(information_value, decision, prior, part)
    # The first large call is served by numpy while the kernels load in the background;
    # wait for them here, so that every timed call below runs the compiled kernel.
    _, one_off["kernel_load_wait"] = once(compiled.load)
    return World(states, actions, cells, u, prior, decision, part, result.ex_ante, one_off)


def one_thread(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` with numba limited to one thread (restored afterwards)."""
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return fn(*args)
    finally:
        numba.set_num_threads(threads)


def floor_two_threads(u: NDArray[np.float64], pool: ThreadPoolExecutor) -> float:
    half = u.shape[0] // 2
    return float(sum(pool.map(lambda part: part.sum(), (u[:half], u[half:]))))


def time_world(w: World, repeats: int, pool: ThreadPoolExecutor) -> None:
    """One warm-up call of each figure, then ``repeats`` rounds that time each once, in turn.

    Interleaving the rounds lets every figure see the same spells of load from the rest of a
    shared machine, so that their minima stay comparable.
    """
    u, prior, decision, part = w.u, w.prior, w.decision, w.partition
    fns: dict[str, Callable[[], Any]] = {
        "sum1": lambda: u.sum(),
        "sum2": lambda: floor_two_threads(u, pool),
        "kernel": lambda: information_value(decision, prior, part),
        "kernel1": lambda: one_thread(information_value, decision, prior, part),
        "grouped": lambda: grouped_sums(part.cells, prior, u, w.cells),
        "masses": lambda: part.masses(prior),
    }
    for fn in fns.values():
        fn()
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            for name, fn in fns.items():
                t = time.perf_counter()
                fn()
                w.runs.setdefault(name, []).append(time.perf_counter() - t)
    finally:
        gc.enable()


def loop_ex_ante(
    u: NDArray[np.float64], prior: NDArray[np.float64], order: NDArray[np.intp], bounds: list[int]
) -> float:
    """The ex-ante value by a per-cell loop over contiguous slices of one argsort."""
    n_cells = len(bounds) - 1
    stats = np.empty((n_cells, u.shape[1]))
    for c in range(n_cells):
        idx = order[bounds[c] : bounds[c + 1]]
        stats[c] = prior[idx] @ u[idx]
    x0 = int(np.argmax(stats.sum(axis=0)))
    best = stats.max(axis=1)
    return float((best - stats[:, x0]).sum())


def sort_by_cell(cells: NDArray[np.intp], n_cells: int) -> tuple[NDArray[np.intp], list[int]]:
    """The states in cell order, and where each cell's run starts and ends."""
    order = np.argsort(cells, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(cells, minlength=n_cells))))
    return order, bounds.tolist()


def time_loop(w: World, repeats: int) -> None:
    """Time the per-cell loop (no warm-up: nothing to compile) and check its ex-ante value."""
    (order, bounds), w.one_off["argsort"] = once(sort_by_cell, w.partition.cells, w.cells)
    runs = []
    for _ in range(repeats):
        w.loop_ex_ante, seconds = once(loop_ex_ante, w.u, w.prior, order, bounds)
        runs.append(seconds)
    w.loop = min(runs)
    if not np.isclose(w.loop_ex_ante, w.ex_ante, rtol=RTOL, atol=0.0):
        raise AssertionError(
            f"per-cell loop ex-ante {w.loop_ex_ante!r} != kernel {w.ex_ante!r} "
            f"(n={w.states}, A={w.actions}, C={w.cells})"
        )
    del order
    # OpenBLAS's threads spin for a while after the loop's matrix products and would take a
    # core from the next (two-thread) kernel timing.
    time.sleep(BLAS_SETTLE)


# -- memory ---------------------------------------------------------------------------------


def bytes_needed(floats: int, states: list[int], actions: int, loop: bool) -> int:
    """Peak bytes of a run: the buffer of U; for every world the prior (8 a state) and the
    partition's cells (intp, 8); and, for the largest world, the labels (int32, 4), the
    loop's argsort (8) and the larger transient of ``np.unique`` building the partition
    (about 40: a sorted copy, the permutation, the inverse, masks) and of the ``isfinite``
    check in ``MatrixDecision`` (A bytes of booleans).
    """
    largest = 4 + (8 if loop else 0) + max(40, actions)
    return 8 * floats + 16 * sum(states) + largest * max(states)


def available_memory() -> int | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def check_fits(floats: int, states: list[int], actions: int, loop: bool) -> None:
    need = bytes_needed(floats, states, actions, loop)
    free = available_memory()
    print(f"memory: about {need / 2**30:.1f} GiB needed at peak; available {_gib(free)}")
    if free is not None and need + HEADROOM > free:
        per_state = bytes_needed(actions, [1], actions, loop)
        largest = (free - HEADROOM) // per_state
        raise SystemExit(
            f"that does not fit here with {HEADROOM >> 30} GiB headroom; the largest world "
            f"with {actions} actions is about {largest:,} states ({per_state} bytes a state)"
        )


def _gib(value: int | None) -> str:
    return "unknown" if value is None else f"{value / 2**30:.1f} GiB"


# -- report ---------------------------------------------------------------------------------


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e3:.1f}"


def table(title: str, worlds: list[World]) -> str:
    head = (
        "| states | actions | cells | U (MB) | U.sum() ms | 2-thread sum ms | kernel ms "
        "| kernel 1 thread ms | grouped_sums ms | masses ms | per-cell loop ms "
        "| kernel / U.sum() | kernel / 2-thread sum | kernel 1 thread / U.sum() "
        "| loop / kernel | kernel ns/state |"
    )
    lines = [f"### {title}", "", head, "|" + "---|" * 16]
    for w in worlds:
        sum1, sum2, kernel, kernel1 = (w.best(k) for k in ("sum1", "sum2", "kernel", "kernel1"))
        loop_ratio = "-" if w.loop is None else f"{w.loop / kernel:.1f}"
        lines.append(
            f"| {w.states:,} | {w.actions} | {w.cells:,} | {w.u_bytes / 1e6:,.0f} "
            f"| {ms(sum1)} | {ms(sum2)} | {ms(kernel)} | {ms(kernel1)} "
            f"| {ms(w.best('grouped'))} | {ms(w.best('masses'))} | {ms(w.loop)} "
            f"| {kernel / sum1:.2f} | {kernel / sum2:.2f} | {kernel1 / sum1:.2f} | {loop_ratio} "
            f"| {kernel / w.states * 1e9:.2f} |"
        )
    return "\n".join(lines)


def one_off_table(worlds: list[World]) -> str:
    lines = [
        "### One-off costs (single call each, not the kernel)",
        "",
        "| states | actions | cells | MatrixDecision ms | Partition.from_values ms "
        "| first information_value ms | then waiting for the kernels ms | loop argsort ms |",
        "|" + "---|" * 8,
    ]
    for w in worlds:
        o = w.one_off
        lines.append(
            f"| {w.states:,} | {w.actions} | {w.cells:,} | {ms(o.get('decision'))} "
            f"| {ms(o.get('partition'))} | {ms(o.get('first_call'))} "
            f"| {ms(o.get('kernel_load_wait'))} | {ms(o.get('argsort'))} |"
        )
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    model = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": model or platform.processor(),
        "cpus": os.cpu_count(),
        "memory": _gib(mem),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "numba_threads": numba.get_num_threads(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "command": " ".join([os.path.relpath(sys.executable), *sys.argv]),
    }


def threshold() -> Any:
    """The number of states from which ``grouped_sums`` runs compiled code."""
    for name in ("COMPILED_THRESHOLD", "PARALLEL_THRESHOLD"):
        if hasattr(grouping, name):
            return getattr(grouping, name)
    return "?"


def compiled_kernels() -> list[tuple[str, Any]]:
    """The numba dispatchers behind ``grouped_sums`` (wherever the package keeps them)."""
    modules = [grouping]
    try:
        from volition.core import _kernels

        modules.append(_kernels)
    except ImportError:
        pass
    return [
        (f"{m.__name__}.{name}", obj)
        for m in modules
        for name, obj in vars(m).items()
        if hasattr(obj, "stats") and hasattr(obj, "py_func")
    ]


# -- the front door, Problem.value, and a new process's first call (issue 15) ---------------


def api_problem(states: int, actions: int, cells: int, seed: int) -> Problem:
    """A ``Problem`` on the benchmark's kind of world, with its information named ``I``."""
    rng = np.random.default_rng(seed)
    u = rng.standard_normal((states, actions))
    prior = rng.random(states) + 0.5
    prior /= prior.sum()
    labels = rng.integers(0, cells, states, dtype=np.int32)
    labels[rng.choice(states, cells, replace=False)] = np.arange(cells, dtype=np.int32)
    world = KernelWorld.build(ProbabilitySpace(states, prior), {"I": labels})
    return Problem(world, MatrixDecision(actions, u))


def spread(runs: list[float]) -> str:
    """Median and range of some seconds, in ms."""
    return f"{ms(float(np.median(runs)))} ({ms(min(runs))}-{ms(max(runs))})"


def api_section(states: int, actions: int, cells: int, runs: int, seed: int) -> dict[str, object]:
    """``Problem.value(["I"])`` against ``information_value`` on the same world, interleaved,
    then the first call of fresh processes (one warm process first fills numba's cache)."""
    problem = api_problem(states, actions, cells, seed)
    _, first = once(problem.value, ["I"])  # builds (and keeps) the partition
    compiled.load()
    part = problem.world.partition(["I"])
    problem.value(["I"])
    information_value(problem.decision, problem.prior, part)
    front: list[float] = []
    kernel: list[float] = []
    lookup: list[float] = []
    for _ in range(runs):
        front.append(once(problem.value, ["I"])[1])
        kernel.append(once(information_value, problem.decision, problem.prior, part)[1])
        lookup.append(once(problem.partition, ["I"])[1])
    ratio = float(np.median(front)) / float(np.median(kernel))
    print(f"### Problem.value against information_value ({states:,} x {actions} x {cells:,})")
    print()
    print("| call | median ms (min-max) |")
    print("|---|---|")
    print(f"| first Problem.value (builds the partition) | {ms(first)} |")
    print(f"| Problem.value(['I']), {runs} calls | {spread(front)} |")
    print(f"| information_value, {runs} calls | {spread(kernel)} |")
    print(f"| the partition's lookup alone (kept), {runs} calls | {spread(lookup)} |")
    print(
        f"\nmedian ratio {ratio:.2f}, target 1.5: {'met' if ratio <= 1.5 else 'MISSED'}\n",
        flush=True,
    )
    child = [sys.executable, "-c", FIRST_CALL_CHILD, str(states), str(actions), str(cells), "0"]
    subprocess.run(child, check=True, capture_output=True)  # warm: numba's cache filled
    results = []
    for _ in range(runs):
        done = subprocess.run(child, check=True, capture_output=True, text=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"### A fresh process's first call ({runs} processes, after one warm one)")
    print()
    print("| figure | median ms (min-max) |")
    print("|---|---|")
    for key, title in (
        ("import", "import volition.core"),
        ("first", "first Problem.value (partition already built)"),
        ("second", "second Problem.value"),
        ("kernels", "kernels loaded, in the background (import numba, cache read)"),
    ):
        print(f"| {title} | {spread([r[key] for r in results])} |")
    hits = sorted({r["cache"] for r in results})
    verdict = "met" if float(np.median([r["first"] for r in results])) < 0.5 else "MISSED"
    print(f"\nnumba cache in the fresh processes: {', '.join(hits)}; target 0.5 s: {verdict}")
    return {
        "world": f"{states} x {actions} x {cells}",
        "problem_value_s": front,
        "information_value_s": kernel,
        "ratio": ratio,
        "fresh_first_call_s": [r["first"] for r in results],
        "fresh_kernels_loaded_s": [r["kernels"] for r in results],
        "fresh_cache": hits,
    }


FIRST_CALL_CHILD = """
import json, sys, time
t = time.perf_counter()
import numpy as np
from volition.core import MatrixDecision, ProbabilitySpace, Problem, World, compiled
imported = time.perf_counter() - t
states, actions, cells, seed = map(int, sys.argv[1:5])
rng = np.random.default_rng(seed)
u = rng.standard_normal((states, actions))
prior = rng.random(states) + 0.5
prior /= prior.sum()
labels = rng.integers(0, cells, states)
world = World.build(ProbabilitySpace(states, prior), {"I": labels})
problem = Problem(world, MatrixDecision(actions, u))
world.partition(["I"])
t = time.perf_counter()
problem.value(["I"])
first = time.perf_counter() - t
kernels = compiled.load()
t = time.perf_counter()
problem.value(["I"])
second = time.perf_counter() - t
found = [getattr(kernels, n).stats for n in ("grouped_serial", "grouped_parallel")]
hits = sum(sum(s.cache_hits.values()) for s in found)
misses = sum(sum(s.cache_misses.values()) for s in found)
cache = "hit" if hits and not misses else f"{hits} hits, {misses} misses"
print(json.dumps({"import": imported, "first": first, "second": second,
                  "kernels": compiled.load_seconds(), "cache": cache}))
"""
"""A fresh process (nothing but ``volition.core`` imported): the first ``Problem.value`` on a
world whose partition is built, the kernels' background loading, a call after it."""


# -- main -----------------------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--states", type=float, default=None, help="states of the main world (1e7)")
    ap.add_argument("--actions", type=int, default=16, help="actions of the main world (16)")
    ap.add_argument("--cells", type=float, default=1000, help="cells of the main world (1000)")
    ap.add_argument("--repeats", type=int, default=None, help="timed calls per figure per pass")
    ap.add_argument("--passes", type=int, default=None, help="passes over all the worlds (3)")
    ap.add_argument("--quick", action="store_true", help="small worlds, a few seconds")
    ap.add_argument("--no-scaling", action="store_true", help="only the main world")
    ap.add_argument("--no-loop", action="store_true", help="skip the per-cell loop")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", metavar="PATH", help="also write every figure as JSON")
    ap.add_argument(
        "--api",
        action="store_true",
        help="only Problem.value against the kernel and fresh processes' first call (10^6)",
    )
    ap.add_argument("--api-runs", type=int, default=5, help="timed calls and fresh processes")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.api:
        n = int(args.states or 10**6)
        session = Session()
        print(session.header())
        info = machine()
        print(", ".join(f"{k}: {v}" for k, v in info.items()))
        figures = api_section(n, args.actions, int(args.cells), args.api_runs, args.seed)
        print(session.footer())
        if args.json:
            figures |= {"command": session.command, "load_start": session.load_start}
            figures["load_end"] = load_average()
            with open(args.json, "w") as f:
                json.dump(figures, f, indent=1)
        return 0
    quick = args.quick
    states = int(args.states or (10**6 if quick else 10**7))
    cells = int(args.cells)
    actions = args.actions
    repeats = args.repeats or 3
    passes = args.passes or (1 if quick else 3)
    info = machine()
    print(", ".join(f"{k}: {v}" for k, v in info.items()))
    print(
        f"compiled kernel from {threshold()} states on; each figure is the min of "
        f"{passes} passes x {repeats} calls, the per-cell loop of {LOOP_REPEATS} calls"
    )

    if quick:
        side, by_states, by_cells = 10**6, [10**4, 10**5, 10**6], [10, 1000, 10**4]
    else:
        side, by_states, by_cells = 10**7, [10**5, 10**6, 10**7, 3 * 10**7], [10, 1000, 10**5]
    by_actions = [2, 16, 64]
    sections: dict[str, list[tuple[int, int, int]]] = {"Main world": [(states, actions, cells)]}
    if not args.no_scaling:
        sections["Time against states (16 actions, 1000 cells)"] = [
            (n, 16, 1000) for n in by_states
        ]
        sections[f"Time against actions ({side:,} states, 1000 cells)"] = [
            (side, a, 1000) for a in by_actions
        ]
        sections[f"Time against cells ({side:,} states, 16 actions)"] = [
            (side, 16, c) for c in by_cells
        ]
    keys = list(dict.fromkeys(k for rows in sections.values() for k in rows))

    # One buffer of normal numbers serves every world: U of any shape is a view of its start.
    size = max(n * a for n, a, _ in keys)
    check_fits(size, [n for n, _, _ in keys], max(a for _, a, _ in keys), not args.no_loop)
    buf, t_gen = once(normal_buffer, size, args.seed)
    print(f"generated {size:,} normal numbers ({size * 8 / 1e9:.2f} GB) in {t_gen:.1f} s")

    worlds: dict[tuple[int, int, int], World] = {}
    with ThreadPoolExecutor(2) as pool:
        for i in range(passes):
            print(f"pass {i + 1} of {passes}", flush=True)
            for key in keys:
                if key not in worlds:
                    worlds[key] = build(buf, *key, args.seed)
                w = worlds[key]
                time_world(w, repeats, pool)
                if i == passes - 1 and not args.no_loop:
                    time_loop(w, LOOP_REPEATS)
                print(
                    f"  n={w.states:,} A={w.actions} C={w.cells:,}: kernel "
                    f"{ms(w.best('kernel'))} ms, U.sum() {ms(w.best('sum1'))} ms, "
                    f"loop {ms(w.loop)} ms, ex-ante {w.ex_ante:.6e}",
                    flush=True,
                )

    print()
    for title, rows in sections.items():
        print(table(title, [worlds[k] for k in rows]))
        print()
    print(one_off_table(list(worlds.values())))
    main_world = worlds[keys[0]]
    ratio = main_world.best("kernel") / main_world.best("sum1")
    print(
        f"\nmain world: kernel {ms(main_world.best('kernel'))} ms = {ratio:.2f}x U.sum() "
        f"({ms(main_world.best('sum1'))} ms), target 3x: {'met' if ratio <= 3 else 'MISSED'}"
    )
    for name, dispatcher in compiled_kernels():
        stats = dispatcher.stats
        if stats.cache_hits or stats.cache_misses:
            print(
                f"numba {name}: cache hits {sum(stats.cache_hits.values())}, "
                f"misses {sum(stats.cache_misses.values())} (a miss compiles, in the first call)"
            )
    print("load average at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if args.json:
        out = {
            "machine": info,
            "passes": passes,
            "repeats": repeats,
            "sections": {
                title: [worlds[k].record() for k in rows] for title, rows in sections.items()
            },
        }
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
