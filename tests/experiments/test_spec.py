"""Experiment specs: the grid they expand to, and clear errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.experiments.helpers import EXPERIMENTS, small_spec
from volition.errors import FileFormatError
from volition.experiments.spec import grid, load_spec


def test_a_spec_expands_to_its_grid(tmp_path: Path) -> None:
    spec, worlds = load_spec(small_spec(tmp_path))
    cells = grid(spec)
    assert len(cells) == 1 * 2 * 1 * 2
    assert {c.regime for c in cells} == {"inspection", "rip:2"}
    assert worlds["fact_checking"].knows == ("I1", "I2")


@pytest.mark.parametrize("name", ["fact_checking", "legumes", "lemons", "rlhf"])
def test_the_shipped_specs_load(name: str) -> None:
    spec, worlds = load_spec(EXPERIMENTS / f"{name}.yaml")
    assert grid(spec)
    assert set(worlds) == {w.name for w in spec.worlds}


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"regimes": ["inspection", "auction"]}, "regimes.1"),
        ({"learners": [{"name": "x", "kind": "deep_q"}]}, "learners.0.kind"),
        ({"learners": [{"name": "x", "kind": "bandit", "epsilon": 2}]}, "learners.0.epsilon"),
        ({"seeds": 0}, "seeds"),
        ({"episodes": 0}, "episodes"),
        ({"worlds": []}, "worlds"),
        ({"worlds": [{"name": "w", "problem": "nowhere.yaml"}]}, "worlds.0"),
        ({"worlds": [{"name": "w", "market": "a.yaml", "problem": "b.yaml"}]}, "worlds.0"),
        (
            {"learners": [{"name": "x", "kind": "bandit"}, {"name": "x", "kind": "bandit"}]},
            "learners",
        ),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_specs_name_the_key(tmp_path: Path, changes: dict[str, object], key: str) -> None:
    with pytest.raises(FileFormatError, match=rf"small\.yaml: {key}"):
        load_spec(small_spec(tmp_path, **changes))


def test_an_unknown_known_variable_names_the_world(tmp_path: Path) -> None:
    world = {"name": "w", "market": str(EXPERIMENTS.parent / "legumes.yaml"), "knows": ["colour"]}
    with pytest.raises(FileFormatError, match=r"worlds\.0: knows: .*colour"):
        load_spec(small_spec(tmp_path, worlds=[world]))


def test_a_missing_spec_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="not found"):
        load_spec(tmp_path / "absent.yaml")
