"""Subgame-perfect equilibria of imperfect-information trees, checked by their definition:
no profitable deviation in the whole game nor in any subgame."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pygambit
import pytest
from hypothesis import given, settings

from tests.games.trees import trees
from volition.cli import run
from volition.errors import ComputationError
from volition.games import (
    Behaviour,
    ExtensiveGame,
    behaviour_to_mixed,
    strategic_form,
    subgame_perfect_behaviour,
    subgame_perfect_equilibrium,
    subgame_roots,
    tree_from_mapping,
)
from volition.games.gambit import read_efg

CATALOG = Path(pygambit.__file__).parent / "catalog_data"

ENTRY = {
    "title": "Entry with a simultaneous price war",
    "players": ["Entrant", "Incumbent"],
    "tree": {
        "player": "Entrant",
        "moves": {
            "Out": [0, 4],
            "In": {
                "player": "Entrant",
                "moves": {
                    "Fight": {
                        "player": "Incumbent",
                        "infoset": "respond",
                        "moves": {"Fight": [-2, -1], "Accommodate": [1, -2]},
                    },
                    "Accommodate": {
                        "player": "Incumbent",
                        "infoset": "respond",
                        "moves": {"Fight": [-3, 1], "Accommodate": [3, 2]},
                    },
                },
            },
        },
    },
}


def assert_subgame_perfect(game: ExtensiveGame, behaviour: Behaviour) -> None:
    """A Nash equilibrium of every subgame (the whole game included)."""
    for root in subgame_roots(game):
        sub = ExtensiveGame(game.players, root, game.title)
        form = strategic_form(sub)
        restricted: Behaviour = tuple(
            {name: behaviour[i][name] for name in sub.infosets(i)} for i in range(len(game.players))
        )
        regrets = form.regrets(behaviour_to_mixed(sub, restricted))
        assert regrets.max() <= 1e-6 * form.scale(), root.path


def test_entry_game() -> None:
    """The price-war subgame has two pure equilibria; the better one is kept, so the entrant
    enters and both accommodate: (3, 2)."""
    game = tree_from_mapping(ENTRY)
    assert [r.path for r in subgame_roots(game)] == [(), ("In",)]
    eq = subgame_perfect_behaviour(game)
    assert eq.payoffs.tolist() == [3.0, 2.0]
    assert eq.behaviour[1]["respond"] == {"Fight": 0.0, "Accommodate": 1.0}
    assert eq.subgames == 2
    assert_subgame_perfect(game, eq.behaviour)


def test_a_mixed_subgame() -> None:
    """Matching pennies after an outside option worth 0.5: the subgame is worth 0 in its
    unique (mixed) equilibrium, so the first player takes the outside option."""
    game = tree_from_mapping(
        {
            "players": ["A", "B"],
            "tree": {
                "player": "A",
                "moves": {
                    "Out": [0.5, 0],
                    "Play": {
                        "player": "A",
                        "moves": {
                            "H": {
                                "player": "B",
                                "infoset": "guess",
                                "moves": {"h": [1, -1], "t": [-1, 1]},
                            },
                            "T": {
                                "player": "B",
                                "infoset": "guess",
                                "moves": {"h": [-1, 1], "t": [1, -1]},
                            },
                        },
                    },
                },
            },
        }
    )
    eq = subgame_perfect_behaviour(game)
    assert np.allclose(eq.payoffs, [0.5, 0])
    assert eq.behaviour[1]["guess"] == pytest.approx({"h": 0.5, "t": 0.5})
    assert_subgame_perfect(game, eq.behaviour)


@settings(max_examples=25)
@given(trees())
def test_property_decomposition_agrees_with_backward_induction(data: dict[str, Any]) -> None:
    game = tree_from_mapping(data)
    eq = subgame_perfect_behaviour(game)
    assert_subgame_perfect(game, eq.behaviour)
    spe = subgame_perfect_equilibrium(game)
    if spe.unique:
        assert np.allclose(eq.payoffs, spe.payoffs)


@pytest.mark.parametrize("path", sorted(CATALOG.glob("**/*.efg")), ids=lambda p: p.stem)
def test_gambit_catalog_games(path: Path) -> None:
    """Every catalog game with perfect recall is solved (27 of them); those without
    (absent-minded drivers and the like) are refused, as Gambit agrees."""
    game = read_efg(path)
    if not pygambit.read_efg(str(path)).is_perfect_recall:
        with pytest.raises(ComputationError, match="perfect recall"):
            subgame_perfect_behaviour(game)
        return
    eq = subgame_perfect_behaviour(game)
    assert_subgame_perfect(game, eq.behaviour)


def test_subgame_perfect_command(capsys: pytest.CaptureFixture[str]) -> None:
    examples = Path(__file__).resolve().parents[2] / "src" / "volition" / "examples"
    assert run(["subgame-perfect", str(examples / "game_entry_price_war.yaml"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["payoffs"] == {"Entrant": 3.0, "Incumbent": 2.0}
    assert {
        "player": "Incumbent",
        "infoset": "respond",
        "actions": {"Fight": 0.0, "Accommodate": 1.0},
    } in out["behaviour"]
    assert out["subgames"] == 2
    assert run(["subgame-perfect", str(examples / "game_tragedy_of_power.efg")]) == 0
    assert "subgame-perfect play" in capsys.readouterr().out
