"""Running an experiment grid: one cell, local processes, or Ray; results to Parquet.

A cell trains its learners on the regime's tabulated game (:mod:`.learners`) and measures
the trained informers (:mod:`.metrics`). Its randomness comes from one generator seeded by
(the cell's seed, a stable hash of its world, regime and learner), so a cell's numbers are
the same on any backend and in any order. Results go to ``results.parquet`` beside the spec
(``spec.yaml``) and the versions of the software that made them (``versions.json``); a rerun
skips cells already there with the same settings (:func:`~.spec.fingerprint`).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import time
import zlib
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from volition.errors import ComputationError, InputError
from volition.experiments.game import Exact, TabularGame, subgame_perfect
from volition.experiments.learners import make_learner, train
from volition.experiments.metrics import evaluate
from volition.experiments.regimes import World, build_game, parse_regime
from volition.experiments.spec import Cell, ExperimentSpec, fingerprint, grid, load_spec

__all__ = ["RESULTS_FILE", "run_cell", "run_experiment"]

RESULTS_FILE = "results.parquet"
Progress = Callable[[int, int], None]

_WORLDS: dict[str, tuple[ExperimentSpec, dict[str, World]]] = {}
_GAMES: dict[tuple[str, str, str], tuple[TabularGame, Exact]] = {}


def _load(spec_path: str) -> tuple[ExperimentSpec, dict[str, World]]:
    """The spec and its worlds, read once per process."""
    if spec_path not in _WORLDS:
        _WORLDS[spec_path] = load_spec(spec_path)
    return _WORLDS[spec_path]


def run_cell(spec_path: str, cell: Cell) -> dict[str, Any]:
    """Train and measure one cell; a flat row of results (curves as lists)."""
    spec, worlds = _load(spec_path)
    learner_spec = next(lr for lr in spec.learners if lr.name == cell.learner)
    key = (spec_path, cell.world, cell.regime)
    if key not in _GAMES:  # tabulated once per process: every learner and seed shares it
        game = _tabulate(worlds[cell.world], cell.regime, spec.buyer)
        _GAMES[key] = game, subgame_perfect(game)
    game, exact = _GAMES[key]
    stream = zlib.crc32(f"{cell.world}|{cell.regime}|{cell.learner}".encode())
    rng = np.random.default_rng([cell.seed, stream])
    params = {"lr": learner_spec.lr, "epsilon": learner_spec.epsilon, "policy": learner_spec.policy}
    learners = [make_learner(learner_spec.kind, game, k, **params) for k in range(game.n_agents)]
    start = time.perf_counter()
    log = train(game, learners, spec.episodes, spec.batch, rng)
    elapsed = time.perf_counter() - start
    policies = [lr.policy() for lr in learners]
    row: dict[str, Any] = {
        "world": cell.world,
        "regime": cell.regime,
        "learner": cell.learner,
        "learner_kind": learner_spec.kind,
        "seed": cell.seed,
        "key": cell.key,
        "fingerprint": fingerprint(spec, cell),
        "buyer": spec.buyer,
    }
    row.update(evaluate(game, policies, exact, spec.eval_episodes, rng))
    row["train_seconds"] = elapsed
    row["episodes_per_second"] = spec.episodes / elapsed if elapsed > 0 else float("nan")
    row["curve_reward"] = [r[0] for r in log.reward]
    row["curve_true_value"] = list(log.true_value)
    row["action_labels"] = list(game.action_labels)
    row["policy"] = json.dumps(np.round(policies[0], 6).tolist())
    return row


def _tabulate(world: World, regime: str, buyer: str) -> TabularGame:
    """The exact game, or its outcomes measured on the platform's inspection engine (its
    module imports the bazaar: only here, only then)."""
    if buyer == "engine":
        from volition.experiments.engine_buyer import engine_game

        return engine_game(world, parse_regime(regime))
    return build_game(world, parse_regime(regime))


def versions() -> dict[str, str]:
    """The versions of Python and the packages that made the results."""
    out = {"python": platform.python_version()}
    for name in ("volition", "numpy", "scipy", "pettingzoo", "pyarrow", "ray"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def run_experiment(
    spec_path: str | Path,
    out: str | Path,
    backend: str = "local",
    workers: int | None = None,
    address: str | None = None,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Run every cell not already in ``out`` and write all rows to Parquet; return them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    spec_path = str(Path(spec_path).resolve())
    spec, _ = load_spec(spec_path)
    if backend not in ("local", "ray"):
        raise InputError(f"unknown backend {backend!r}; use local or ray")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be >= 1, got {workers}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    done: dict[str, dict[str, Any]] = {}
    results = out / RESULTS_FILE
    if results.is_file():
        for row in pq.read_table(results).to_pylist():
            row.setdefault("buyer", "exact")  # results written before `buyer:` existed
            done[row["key"]] = row
    todo = [c for c in grid(spec) if done.get(c.key, {}).get("fingerprint") != fingerprint(spec, c)]
    rows = {k: v for k, v in done.items()}
    n_workers = workers or min(len(todo), os.cpu_count() or 1) or 1
    runner = _run_ray if backend == "ray" else _run_local
    for row in runner(spec_path, todo, n_workers, address, progress):
        rows[row["key"]] = row
    order = {c.key: k for k, c in enumerate(grid(spec))}
    ordered = sorted((r for r in rows.values() if r["key"] in order), key=lambda r: order[r["key"]])
    pq.write_table(pa.Table.from_pylist(ordered), results)
    shutil.copyfile(spec_path, out / "spec.yaml")
    (out / "versions.json").write_text(json.dumps(versions(), indent=2) + "\n")
    return ordered


def _run_local(
    spec_path: str, cells: list[Cell], workers: int, address: str | None, progress: Progress | None
) -> Iterable[dict[str, Any]]:
    """In this process (one worker) or a pool of local processes."""
    if address is not None:
        raise InputError("--address is for --backend ray")
    total = len(cells)
    if workers <= 1 or total <= 1:
        for k, cell in enumerate(cells):
            yield run_cell(spec_path, cell)
            if progress:
                progress(k + 1, total)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_cell, spec_path, c) for c in cells]
        for k, fut in enumerate(as_completed(futures)):
            yield fut.result()
            if progress:
                progress(k + 1, total)


def _run_ray(
    spec_path: str, cells: list[Cell], workers: int, address: str | None, progress: Progress | None
) -> Iterable[dict[str, Any]]:
    """On Ray: a local cluster of ``workers`` CPUs, or the cluster at ``address``."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
    except ImportError:
        raise InputError(
            "--backend ray needs Ray: install volition with the `ray` extra "
            "(pip install 'volition[ray]')"
        ) from None
    started = not ray.is_initialized()
    if started:
        _start_ray(ray, workers, address)
    try:
        remote = ray.remote(run_cell)
        pending = [remote.remote(spec_path, c) for c in cells]
        total, finished = len(pending), 0
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            finished += 1
            yield ray.get(ready[0])
            if progress:
                progress(finished, total)
    finally:
        if started:
            ray.shutdown()


def _start_ray(ray: Any, workers: int, address: str | None, attempts: int = 2) -> None:
    """``ray.init``, retried once: on a loaded machine its raylet can miss Ray's fixed 30 s
    start-up deadline (Ray then raises a bare ``Exception``)."""
    for attempt in range(attempts):
        try:
            if address:
                ray.init(address=address, log_to_driver=False)
            else:
                ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
            return
        except Exception as exc:
            ray.shutdown()
            if attempt == attempts - 1:
                raise ComputationError(
                    f"Ray did not start ({exc}); on a loaded machine retry, or use --backend local"
                ) from exc
