"""A small grid on a local Ray cluster gives the numbers of local processes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.experiments.helpers import small_spec
from volition.experiments.runner import run_experiment

pytest.importorskip("ray")


@pytest.mark.ray
def test_a_small_grid_on_local_ray_matches_local(tmp_path: Path) -> None:
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    spec = small_spec(tmp_path, seeds=1)
    local = run_experiment(spec, tmp_path / "local", "local", workers=1)
    on_ray = run_experiment(spec, tmp_path / "ray", "ray", workers=2)
    timing = {"train_seconds", "episodes_per_second"}

    def strip(rows: list[dict[str, object]]) -> list[dict[str, object]]:
        return [{k: v for k, v in r.items() if k not in timing} for r in rows]

    assert strip(on_ray) == strip(local)
    assert len(local) == 2
