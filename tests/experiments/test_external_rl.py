"""An external RL library trains the informer through the PettingZoo API: skrl's IPPO (JAX, on
CPU) in ``examples/experiments/skrl_ippo.py``, run for a few steps. The ``rl`` extra is heavy
(JAX): ``make setup`` leaves it out, ``make test`` installs it with every extra, and this test
is skipped only where it is absent (docs/tutorials/experiments.md)."""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("skrl", reason="the `rl` extra (skrl, JAX) is missing: make test installs it")

from tests.experiments.helpers import EXPERIMENTS
from volition.experiments import build_game, parse_regime
from volition.experiments.env import MarketEnv
from volition.experiments.spec import load_spec


def _example() -> ModuleType:
    path = Path(EXPERIMENTS) / "skrl_ippo.py"
    spec = importlib.util.spec_from_file_location("skrl_ippo_example", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_adapter_does_not_import_jax() -> None:
    path = str(EXPERIMENTS / "skrl_ippo.py")
    code = (
        "import importlib.util, sys; "
        f"spec = importlib.util.spec_from_file_location('m', {path!r}); "
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); "
        "sys.exit(1 if 'jax' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_the_parallel_adapter_passes_pettingzoos_parallel_api_test() -> None:
    from pettingzoo.test import parallel_api_test

    _, worlds = load_spec(EXPERIMENTS / "fact_checking.yaml")
    game = build_game(worlds["fact_checking"], parse_regime("inspection"))
    parallel_api_test(_example().OneShotParallel(MarketEnv(game)), num_cycles=20)


def test_the_oversight_game_is_refused_by_the_one_shot_adapter() -> None:
    _, worlds = load_spec(EXPERIMENTS / "fact_checking.yaml")
    game = build_game(worlds["fact_checking"], parse_regime("oversight"))
    with pytest.raises(ValueError, match="one-informer"):
        _example().OneShotParallel(MarketEnv(game))


def test_skrl_ippo_trains_for_a_few_steps(tmp_path: Path) -> None:
    """The example's command, in its own process (JAX starts threads: no fork after it); it
    leaves nothing behind in its working folder (no logs, no checkpoints)."""
    done = subprocess.run(
        [sys.executable, str(EXPERIMENTS / "skrl_ippo.py"), "--timesteps", "192"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert list(tmp_path.iterdir()) == []
    out = {
        key: float(value)
        for key, _, value in (line.partition(": ") for line in done.stdout.splitlines())
        if key in ("reward", "true_value", "gain", "equilibrium_reward", "equilibrium_gain")
    }
    assert len(out) == 5, done.stdout
    assert all(math.isfinite(v) for v in out.values())
    # the greedy policy is scored exactly: no policy beats the exact best response
    assert out["reward"] <= out["equilibrium_reward"] + 1e-12
    assert (
        out["gain"] <= out["equilibrium_gain"] + 1e-12 or out["reward"] < out["equilibrium_reward"]
    )
