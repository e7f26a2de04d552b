"""The public API of volition.games, pinned; the optional pygambit extra's boundary."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import volition.games
from tests.games.textbook import PRISONERS, PUBLIC_GOOD
from volition.cli import run
from volition.errors import ComputationError, FileFormatError
from volition.games import gambit

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "volition" / "examples"


def test_games_exports_exactly_its_public_names() -> None:
    exported = {name for name in dir(volition.games) if not name.startswith("_")}
    modules = {
        "alignment",
        "assurance",
        "backward",
        "commitment",
        "extensive",
        "correlated",
        "files",
        "gambit",
        "game",
        "mixed",
        "nfg",
        "pareto",
        "pure",
        "skyline",
        "subgames",
        "vertices",
        "welfare",
        "economies",  # subpackages of another part, present once something imports them
        "failures",
        "reports",
    }
    assert exported - modules == set(volition.games.__all__)
    for name in set(volition.games.__all__) - {"MixedProfile", "Behaviour"}:
        assert getattr(volition.games, name).__module__.startswith("volition.games."), name


def test_only_the_adapter_imports_pygambit() -> None:
    package = Path(volition.games.__file__).parent
    imports = re.compile(r"^\s*(import|from)\s+pygambit", re.MULTILINE)
    assert imports.search((package / "gambit.py").read_text())
    for path in package.rglob("*.py"):
        if path.name != "gambit.py":
            assert not imports.search(path.read_text()), path.name


def test_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pygambit", None)  # makes `import pygambit` fail
    assert not gambit.gambit_available()
    with pytest.raises(ComputationError, match=r"volition\[gambit\]"):
        gambit.gambit_mixed_equilibria(PRISONERS)
    # everything else works without the extra, mixed equilibria of two players included
    report = volition.games.alignment_report(PRISONERS)
    assert report.mixed_method == "vertex-enumeration"
    assert volition.games.alignment_report(PUBLIC_GOOD).mixed_method is None
    tree = volition.games.load_tree(EXAMPLES / "game_tragedy_of_power_tree.yaml")
    assert volition.games.subgame_perfect_behaviour(tree).payoffs.tolist() == [0.0, 0.0]
    with pytest.raises(ComputationError, match=r"volition\[gambit\]"):
        volition.games.load_game(EXAMPLES / "game_tragedy_of_power.efg")


def test_missing_extra_is_one_line_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pygambit", None)
    assert run(["align", str(EXAMPLES / "game_tragedy_of_power.efg")]) != 0
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "volition[gambit]" in err and err.count("\n") == 1
    assert run(["align", str(EXAMPLES / "game_prisoners_dilemma.yaml"), "--json"]) == 0


def test_gambit_errors_are_translated(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nfg"
    bad.write_text("NFG 1 R nonsense")
    with pytest.raises(FileFormatError, match="Gambit cannot read it"):
        gambit.read_nfg_with_gambit(bad)


def test_gambit_writes_a_game_we_read_back() -> None:
    text = gambit.write_nfg_with_gambit(PRISONERS)
    assert volition.games.read_nfg(text).payoffs.tolist() == PRISONERS.payoffs.tolist()
