"""Game trees: files (YAML and Gambit .efg), backward induction, strategic form, commitment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pygambit
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.games.trees import trees
from volition.cli import run
from volition.errors import ComputationError, FileFormatError, InputError, ProbabilityError
from volition.games import (
    ExtensiveGame,
    NormalFormGame,
    commitment_outcome,
    commitment_problem,
    load_game,
    load_tree,
    pure_nash_equilibria,
    strategic_form,
    subgame_perfect_equilibrium,
    tree_from_mapping,
)
from volition.games.gambit import gambit_agent_pure_equilibria, read_efg, to_gambit_tree

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "volition" / "examples"
CATALOG = Path(pygambit.__file__).parent / "catalog_data"
TRAGEDY = EXAMPLES / "game_tragedy_of_power_tree.yaml"


def test_tragedy_of_power_subgame_perfect_outcome() -> None:
    """docs/theory.md §2: the SPE is (Don't build, Kill if built), paying (0, 0)."""
    for path in (TRAGEDY, EXAMPLES / "game_tragedy_of_power.efg"):
        game = load_tree(path)
        spe = subgame_perfect_equilibrium(game)
        assert spe.path == ("Don't build",)
        assert list(spe.plan[0].values()) == ["Don't build"]
        assert list(spe.plan[1].values()) == ["Kill"]
        assert spe.payoffs.tolist() == [0.0, 0.0]
        assert spe.unique


def test_tragedy_of_power_under_commitment() -> None:
    """With the AI able to commit: (Build, Don't kill), better for both (value 5, 2)."""
    problem = commitment_problem(load_tree(TRAGEDY))
    assert problem.committer == 1
    assert problem.pure.payoffs.tolist() == [5.0, 2.0]
    assert problem.value_of_commitment.tolist() == [5.0, 2.0]
    assert problem.pareto_improvement
    # a mixed commitment (kill with 1/3) keeps humans building and gives the AI all the gain
    assert np.allclose(problem.mixed.leader_strategy, [1 / 3, 2 / 3])
    assert np.allclose(problem.mixed.payoffs, [0, 7 / 3])


def test_the_efg_and_yaml_trees_have_the_same_strategic_form() -> None:
    efg = load_game(EXAMPLES / "game_tragedy_of_power.efg")
    yaml = load_game(TRAGEDY)
    assert np.array_equal(efg.payoffs, yaml.payoffs)
    # the subgame-perfect profile is a Nash equilibrium of the strategic form
    assert (1, 0) in pure_nash_equilibria(yaml)


def test_chance_nodes_and_ties() -> None:
    game = tree_from_mapping(
        {
            "players": ["A", "B"],
            "tree": {
                "chance": {"good": 0.25, "bad": 0.75},
                "moves": {
                    "good": {"player": "A", "moves": {"x": [4, 0], "y": [4, 1]}},
                    "bad": {"player": "B", "moves": {"l": [0, 2], "r": [8, 1]}},
                },
            },
        }
    )
    spe = subgame_perfect_equilibrium(game)
    assert np.allclose(spe.payoffs, [0.25 * 4 + 0.75 * 0, 0.25 * 0 + 0.75 * 2])
    assert not spe.unique  # A is indifferent between x and y
    assert spe.path == ()
    form = strategic_form(game)
    assert form.shape == (2, 2)
    assert np.allclose(form.payoffs[:, 0, 0], spe.payoffs)


def test_imperfect_information_needs_the_strategic_form() -> None:
    pennies = tree_from_mapping(
        {
            "players": ["A", "B"],
            "tree": {
                "player": "A",
                "moves": {
                    "H": {"player": "B", "infoset": "b", "moves": {"h": [1, -1], "t": [-1, 1]}},
                    "T": {"player": "B", "infoset": "b", "moves": {"h": [-1, 1], "t": [1, -1]}},
                },
            },
        }
    )
    assert not pennies.perfect_information
    with pytest.raises(ComputationError, match="subgame_perfect_behaviour"):
        subgame_perfect_equilibrium(pennies)
    assert strategic_form(pennies).shape == (2, 2)  # B cannot condition on A's move


@pytest.mark.parametrize(
    ("tree", "words", "error"),
    [
        ({"player": "C", "moves": {"a": [0, 0]}}, "not one of", FileFormatError),
        ({"player": "A", "moves": {"a": [0]}}, "2 numbers", FileFormatError),
        ({"player": "A", "moves": {}}, "at least one action", FileFormatError),
        (
            {"chance": {"a": 0.5}, "moves": {"a": [0, 0], "b": [1, 1]}},
            "one probability",
            FileFormatError,
        ),
        (
            {"chance": {"a": -1, "b": 2}, "moves": {"a": [0, 0], "b": [1, 1]}},
            "sum to 1",
            ProbabilityError,
        ),
        ("leaf", "expected a terminal", FileFormatError),
    ],
)
def test_bad_trees_fail_with_one_clear_message(tree: Any, words: str, error: type) -> None:
    with pytest.raises(error, match=words) as info:
        tree_from_mapping({"players": ["A", "B"], "tree": tree}, source="t.yaml")
    assert str(info.value).startswith("t.yaml: ")


@pytest.mark.parametrize("path", sorted(CATALOG.glob("**/*.efg"))[:12], ids=lambda p: p.stem)
def test_gambit_catalog_trees_read_and_match_gambits_strategic_form(path: Path) -> None:
    """Gambit's strategic form is the reduced one: its payoff vectors are among ours."""
    game = read_efg(path)
    ours = strategic_form(game)
    g = pygambit.read_efg(str(path))
    theirs = [np.asarray(t, dtype=float) for t in g.to_arrays(dtype=float)]
    # Gambit's strategic form is the reduced one; compare the sets of payoff vectors
    ours_set = {tuple(v) for v in np.round(ours.payoff_vectors(), 9)}
    theirs_set = {tuple(v) for v in np.round(np.stack([t.ravel() for t in theirs], 1), 9)}
    assert theirs_set <= ours_set


@settings(max_examples=30)
@given(trees())
def test_property_backward_induction_is_a_nash_equilibrium_of_the_strategic_form(
    data: dict[str, Any],
) -> None:
    """A subgame-perfect plan is in particular a Nash equilibrium (no profitable deviation)."""
    game: ExtensiveGame = tree_from_mapping(data)
    spe = subgame_perfect_equilibrium(game)
    form = strategic_form(game)
    profile = []
    for i in range(2):
        infosets = game.infosets(i)
        label = " / ".join(spe.plan[i][name] for name in infosets) if infosets else "(no move)"
        profile.append(np.eye(form.shape[i])[form.strategies[i].index(label)])
    assert np.allclose(form.expected_payoffs(profile), spe.payoffs)
    assert form.regrets(profile).max() <= 1e-9


@settings(max_examples=25)
@given(trees())
def test_property_backward_induction_is_among_gambits_agent_equilibria(
    data: dict[str, Any],
) -> None:
    """Cross-check with Gambit: every subgame-perfect plan is a pure agent-form equilibrium
    (the tree is rebuilt in Gambit by the adapter, chance moves and all)."""
    game = tree_from_mapping(data)
    spe = subgame_perfect_equilibrium(game)
    theirs = gambit_agent_pure_equilibria(game)
    assert spe.plan in theirs
    g = to_gambit_tree(game)
    assert len(list(g.nodes)) == sum(1 for _ in game.root.walk())


@settings(max_examples=30)
@given(st.integers(1, 4), st.integers(1, 4), st.data())
def test_property_commitment_never_hurts_the_leader(m: int, n: int, data: st.DataObject) -> None:
    """Committing (pure or mixed) is worth at least the leader's best Nash payoff... and a
    mixed commitment at least a pure one (strong Stackelberg)."""
    u = data.draw(st.lists(st.integers(-5, 5), min_size=2 * m * n, max_size=2 * m * n))
    game = NormalFormGame(
        np.array(u, float).reshape(2, m, n),
        ("L", "F"),
        (
            tuple(f"a{i}" for i in range(m)),
            tuple(f"b{j}" for j in range(n)),
        ),
    )
    pure = commitment_outcome(game, 0)
    mixed = commitment_outcome(game, 0, mixed=True)
    assert mixed.payoffs[0] >= pure.payoffs[0] - 1e-7
    for eq in pure_nash_equilibria(game):
        assert pure.payoffs[0] >= game.payoffs[0][eq] - 1e-9
    # the follower's response is a best response to the commitment
    dev = game.deviation_payoffs([mixed.leader_strategy, np.eye(n)[0]], 1)
    assert dev[mixed.follower_response] >= dev.max() - 1e-7


def test_commitment_input_errors() -> None:
    with pytest.raises(InputError, match="unknown committer"):
        commitment_problem(load_tree(TRAGEDY), "Nobody")
    with pytest.raises(InputError, match="leader"):
        commitment_outcome(load_game(TRAGEDY), 2)


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert run(["commitment", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_commitment_command(capsys: pytest.CaptureFixture[str]) -> None:
    out = _json(capsys, str(EXAMPLES / "game_parfits_hitchhiker.yaml"))
    assert out["subgame_perfect"]["path"] == ["Leave"]
    assert out["committer"] == "Hitchhiker"
    assert out["commitment"]["pure"]["strategy"] == {"Pay": 1.0}
    assert out["commitment"]["pure"]["response"] == "Rescue"
    assert out["value_of_commitment"] == {"Driver": 80.0, "Hitchhiker": 1900.0}
    assert out["pareto_improvement"] is True
    assert out["subgame_perfect_is_pareto_optimal"] is False  # misaligned without commitment
    assert out["commitment_is_pareto_optimal"] is True
    efg = _json(capsys, str(EXAMPLES / "game_tragedy_of_power.efg"), "--committer", "AI")
    assert efg["value_of_commitment"] == {"Humans": 5.0, "AI": 2.0}
    assert run(["commitment", str(TRAGEDY)]) == 0
    assert "Pareto improvement" in capsys.readouterr().out


def test_commitment_command_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(["commitment", str(TRAGEDY), "--committer", "Nobody"]) != 0
    err = capsys.readouterr().err
    assert err.startswith("error: unknown committer") and err.count("\n") == 1
    assert run(["commitment", str(tmp_path / "missing.efg")]) != 0
    assert capsys.readouterr().err.startswith("error: ")
