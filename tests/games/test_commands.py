"""``volition equilibria`` and ``volition convert``, run in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from volition.cli import run
from volition.games import load_game

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "volition" / "examples"


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert run([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_equilibria_of_the_battle_of_the_sexes(capsys: pytest.CaptureFixture[str]) -> None:
    out = _json(capsys, "equilibria", str(EXAMPLES / "game_battle_of_the_sexes.nfg"))
    assert [e["profile"] for e in out["pure"]] == [
        {"Row": "Opera", "Column": "Opera"},
        {"Row": "Football", "Column": "Football"},
    ]
    (mixed,) = out["mixed"]
    assert mixed["profile"]["Row"] == {
        "Opera": pytest.approx(2 / 3),
        "Football": pytest.approx(1 / 3),
    }
    assert mixed["max_regret"] <= 1e-9
    # the best correlated equilibrium (a public coin between the two pure ones) gets 3
    assert out["correlated"]["welfare"] == pytest.approx(3.0)
    assert out["correlated"]["max_incentive_gain"] <= 1e-7
    assert out["coarse_correlated"]["welfare"] >= out["correlated"]["welfare"] - 1e-7


@pytest.mark.parametrize("method", ["enummixed", "lcp", "none"])
def test_equilibria_methods_agree_on_the_coordination_game(
    capsys: pytest.CaptureFixture[str], method: str
) -> None:
    out = _json(capsys, "equilibria", str(EXAMPLES / "game_coordination.yaml"), "--method", method)
    assert len(out["pure"]) == 2
    assert len(out["mixed"]) == (0 if method == "none" else 1)


def test_equilibria_welfare_weights_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "game_battle_of_the_sexes.nfg")
    out = _json(capsys, "equilibria", path, "--welfare", "1,0")
    assert out["correlated"]["payoffs"]["Row"] == pytest.approx(2.0)
    assert run(["equilibria", path]) == 0
    assert "coarse correlated" in capsys.readouterr().out


def test_equilibria_default_method_suits_the_player_count(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = _json(capsys, "equilibria", str(EXAMPLES / "game_three_player.yaml"))
    assert [e["profile"] for e in out["pure"]] == [{"P1": "N", "P2": "N", "P3": "N"}]
    assert out["mixed"] == []  # the logit limit is the pure equilibrium
    assert run(["equilibria", str(EXAMPLES / "game_three_player.yaml"), "--method", "vertex"]) != 0
    assert "two players" in capsys.readouterr().err


def test_equilibria_bad_method(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "game_coordination.yaml")
    assert run(["equilibria", path, "--method", "magic"]) != 0
    err = capsys.readouterr().err
    assert err.startswith("error: unknown method") and err.count("\n") == 1


@pytest.mark.parametrize("suffix", [".nfg", ".json", ".yaml"])
def test_convert_round_trips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    source = EXAMPLES / "game_three_player.yaml"
    out = tmp_path / f"game{suffix}"
    assert run(["convert", str(source), str(out), "--style", "payoff"]) == 0
    back, original = load_game(out), load_game(source)
    assert np.array_equal(back.payoffs, original.payoffs)
    assert back.players == original.players


def test_convert_a_tree_to_its_strategic_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tragedy.nfg"
    report = _json(capsys, "convert", str(EXAMPLES / "game_tragedy_of_power_tree.yaml"), str(out))
    assert report == {"wrote": str(out), "players": ["Humans", "AI"], "shape": [2, 2]}
    assert load_game(out).strategies == (("Build", "Don't build"), ("Kill", "Don't kill"))


def test_convert_bad_style(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = str(EXAMPLES / "game_coordination.yaml")
    assert run(["convert", source, str(tmp_path / "x.nfg"), "--style", "odd"]) != 0
    assert capsys.readouterr().err.startswith("error: unknown .nfg style")
    assert run(["convert", source, str(tmp_path / "no" / "dir" / "x.nfg")]) != 0
    assert "cannot write" in capsys.readouterr().err
