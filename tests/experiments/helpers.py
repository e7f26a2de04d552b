"""Shared helpers: the shipped worlds and a small spec file."""

from __future__ import annotations

from pathlib import Path

import yaml

from volition.experiments import World
from volition.experiments.spec import WorldSpec, build_world

EXPERIMENTS = Path(__file__).resolve().parents[2] / "examples" / "experiments"

SHIPPED = {
    "fact_checking": WorldSpec(
        name="fact_checking", market="../fact_checking_market.yaml", knows=["I1", "I2"]
    ),
    "legumes": WorldSpec(name="legumes", market="../legumes.yaml"),
    "lemons": WorldSpec(name="lemons", market="lemons_market.yaml"),
}


def shipped_world(name: str, effort_cost: float = 1e-3) -> World:
    """A shipped world, read as the experiment files read it."""
    spec = SHIPPED[name].model_copy(update={"effort_cost": effort_cost})
    return build_world(spec, EXPERIMENTS)


def small_spec(tmp_path: Path, **changes: object) -> Path:
    """A small experiment file (two regimes, one learner, two seeds) in ``tmp_path``."""
    data: dict[str, object] = {
        "name": "small",
        "worlds": [
            {
                "name": "fact_checking",
                "market": str(EXPERIMENTS.parent / "fact_checking_market.yaml"),
                "knows": ["I1", "I2"],
            }
        ],
        "regimes": ["inspection", "rip:2"],
        "learners": [{"name": "bandit", "kind": "bandit"}],
        "seeds": 2,
        "episodes": 1000,
        "batch": 250,
        "eval_episodes": 1000,
    }
    data.update(changes)
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(data))
    return path
