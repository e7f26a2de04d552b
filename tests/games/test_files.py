"""Game files: YAML/JSON and Gambit .nfg (both styles), read, written, cross-checked."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pygambit
import pytest
from hypothesis import given, settings

from tests.games.textbook import PUBLIC_GOOD, SHAPLEY, games
from volition.errors import FileFormatError, ShapeError
from volition.games import NormalFormGame, game_from_mapping, load_game, read_nfg, write_nfg
from volition.games.gambit import from_gambit, read_nfg_with_gambit, to_gambit

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "volition" / "examples"
CATALOG = Path(pygambit.__file__).parent / "catalog_data"

PD = {
    "players": ["Row", "Column"],
    "strategies": [["C", "D"], ["C", "D"]],
    "payoffs": [[[3, 3], [0, 5]], [[5, 0], [1, 1]]],
}


def test_cells_tables_and_named_strategies_agree() -> None:
    cells = game_from_mapping(PD)
    tables = game_from_mapping(
        {
            "players": ["Row", "Column"],
            "strategies": {"Row": ["C", "D"], "Column": ["C", "D"]},
            "tables": {"Row": [[3, 0], [5, 1]], "Column": [[3, 5], [0, 1]]},
        }
    )
    assert np.array_equal(cells.payoffs, tables.payoffs)
    assert cells.strategies == tables.strategies == (("C", "D"), ("C", "D"))
    counted = game_from_mapping({**PD, "strategies": [2, 2]})
    assert counted.strategies == (("1", "2"), ("1", "2"))


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"payoffs": [[[3, 3], [0, 5]], [[5, 0]]]}, r"payoffs\[1\]: has 1 entries but needs 2"),
        ({"payoffs": [[[3, 3], [0, 5]], [[5, 0], [1]]]}, r"payoffs\[1\]\[1\]: has 1 entries"),
        ({"payoffs": [[[3, 3], [0, "x"]], [[5, 0], [1, 1]]]}, "expected a number"),
        ({"players": ["Row", "Column", "Third"]}, "2 lists for 3 players"),
        ({"strategies": {"Row": ["C", "D"]}}, "missing"),
        ({"tables": {"Row": [[1]]}}, "exactly one of"),
        ({"extra": 1}, "extra"),
        ({"strategies": [["C", "C"], ["C", "D"]]}, "repeats"),
    ],
)
def test_bad_game_files_fail_with_one_clear_message(change: dict[str, object], words: str) -> None:
    with pytest.raises((FileFormatError, ShapeError), match=words) as info:
        game_from_mapping({**PD, **change}, source="pd.yaml")
    assert str(info.value).startswith("pd.yaml: ")
    assert "\n" not in str(info.value)


def test_json_and_yaml_files_load(tmp_path: Path) -> None:
    path = tmp_path / "pd.json"
    path.write_text(json.dumps(PD))
    assert np.array_equal(load_game(path).payoffs, game_from_mapping(PD).payoffs)
    broken = tmp_path / "broken.yaml"
    broken.write_text("players: [a\n")
    with pytest.raises(FileFormatError, match=r"broken\.yaml"):
        load_game(broken)
    with pytest.raises(FileFormatError, match="cannot read"):
        load_game(tmp_path / "missing.nfg")


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("game_*")))
def test_every_example_game_loads(name: str) -> None:
    game = load_game(EXAMPLES / name)
    assert game.n_profiles >= 4


@pytest.mark.parametrize("style", ["outcome", "payoff"])
def test_nfg_round_trip_keeps_labels_and_payoffs(style: str) -> None:
    for game in (PUBLIC_GOOD, SHAPLEY):
        back = read_nfg(write_nfg(game, style))  # type: ignore[arg-type]
        assert np.array_equal(back.payoffs, game.payoffs)
        assert back.players == game.players
        if style == "outcome":
            assert back.strategies == game.strategies


@pytest.mark.parametrize("style", ["outcome", "payoff"])
def test_gambit_reads_what_we_write(style: str) -> None:
    text = write_nfg(PUBLIC_GOOD, style)  # type: ignore[arg-type]
    theirs = from_gambit(pygambit.read_nfg(io.StringIO(text)))
    assert np.array_equal(theirs.payoffs, PUBLIC_GOOD.payoffs)
    assert theirs.players == PUBLIC_GOOD.players


@pytest.mark.parametrize("path", sorted(CATALOG.glob("**/*.nfg")), ids=lambda p: p.stem)
def test_we_read_gambits_catalog_as_gambit_does(path: Path) -> None:
    ours = load_game(path)
    theirs = read_nfg_with_gambit(path)
    assert np.array_equal(ours.payoffs, theirs.payoffs)
    assert ours.strategies == theirs.strategies
    assert ours.title == theirs.title


def test_we_read_what_gambit_writes() -> None:
    text = to_gambit(PUBLIC_GOOD).to_nfg()
    ours = read_nfg(text)
    assert np.array_equal(ours.payoffs, PUBLIC_GOOD.payoffs)
    assert ours.strategies == PUBLIC_GOOD.strategies


def test_names_with_quotes_spaces_and_braces_survive_the_round_trip() -> None:
    game = NormalFormGame.from_cells(
        [[[1, 2]], [[3, 4]]],
        players=['The "AI"', "Human kind"],
        strategies=[['say "yes"', "don't"], ["{wait}"]],
        title='A "quoted" title',
    )
    for style in ("outcome", "payoff"):
        back = read_nfg(write_nfg(game, style))  # type: ignore[arg-type]
        assert back.players == game.players and back.title == game.title
        if style == "outcome":
            assert back.strategies == game.strategies
    theirs = from_gambit(pygambit.read_nfg(io.StringIO(write_nfg(game))))
    assert theirs.strategies == game.strategies and theirs.players == game.players


@pytest.mark.parametrize(
    ("players", "title", "words"),
    [
        (["Humanité", "b"], "", "not ASCII"),
        (["a  b", "c"], "", "not a valid Gambit label"),
        ([" a", "c"], "", "not a valid Gambit label"),
        (["a", "b"], "Über", "not ASCII"),
    ],
)
def test_writing_refuses_labels_gambit_cannot_read(
    players: list[str], title: str, words: str
) -> None:
    game = NormalFormGame.from_cells([[[1, 2]]], players=players, title=title)
    with pytest.raises(FileFormatError, match=words):
        write_nfg(game)


def test_payoff_style_with_fractions_and_decimals() -> None:
    text = 'NFG 1 R "t" { "a" "b" } { 2 1 }\n\n1/2 0.25 -3 4e1\n'
    game = read_nfg(text)
    assert np.array_equal(game.payoffs[0][:, 0], [0.5, -3])
    assert np.array_equal(game.payoffs[1][:, 0], [0.25, 40])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("EFG 2 R", "not an .nfg"),
        ('NFG 1 R "t" { "a" } { 2 }\n1', "expected a payoff"),
        ('NFG 1 R "t" { "a" } { 2 }\n1 x', "not a number"),
        ('NFG 1 R "t" { "a" "b" } { 2 }\n1 2', "1 strategy lists for 2 players"),
        ('NFG 1 R "t" { "a" } { 1 }\n{ { "o" 1 } }\n2', "outcomes run 0..1"),
        ('NFG 1 R "t" { "a" } { 1 }\n5 6', "unexpected '6'"),
    ],
)
def test_bad_nfg_fails_with_one_clear_message(text: str, words: str) -> None:
    with pytest.raises(FileFormatError, match=words):
        read_nfg(text, source="bad.nfg")


@settings(max_examples=30)
@given(games(any_float=True))
def test_property_nfg_round_trip_is_exact(game: NormalFormGame) -> None:
    for style in ("outcome", "payoff"):
        back = read_nfg(write_nfg(game, style))  # type: ignore[arg-type]
        assert np.array_equal(back.payoffs, game.payoffs)
