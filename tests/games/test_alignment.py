"""The alignment report and ``volition align`` on the shipped example games."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

from tests.games.textbook import PUBLIC_GOOD, games
from volition.cli import run
from volition.errors import ShapeError
from volition.games import NormalFormGame, alignment_report, load_game
from volition.games.alignment import MAX_GAMBIT_PROFILES

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "volition" / "examples"
TOP_KEYS = {"players", "equilibria", "pareto_profiles", "price_of_anarchy", "price_of_stability"}
EQ_KEYS = {
    "profile",
    "payoffs",
    "kind",
    "strongly_pareto",
    "weakly_pareto",
    "coordinated_pareto",
    "linear_weights",
    "geometric_weights",
    "distance_to_frontier",
    "principal_loss",
}


def align_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    assert run(["align", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_prisoners_dilemma_is_misaligned(capsys: pytest.CaptureFixture[str]) -> None:
    out = align_json(capsys, str(EXAMPLES / "game_prisoners_dilemma.yaml"), "--principal", "1,0")
    assert set(out) == TOP_KEYS
    assert out["players"] == ["Row", "Column"]
    (eq,) = out["equilibria"]
    assert set(eq) == EQ_KEYS
    assert eq["profile"] == {"Row": "Defect", "Column": "Defect"}
    assert eq["kind"] == "pure"
    assert eq["payoffs"] == {"Row": 1.0, "Column": 1.0}
    assert not (eq["strongly_pareto"] or eq["weakly_pareto"] or eq["coordinated_pareto"])
    assert eq["linear_weights"]["weights"] is None
    assert eq["geometric_weights"] is None
    assert eq["distance_to_frontier"] == pytest.approx(2.0)
    assert eq["principal_loss"] == pytest.approx(4.0)  # Row could get 5 instead of 1
    assert out["price_of_anarchy"] == pytest.approx(3.0)
    assert out["price_of_stability"] == pytest.approx(3.0)
    assert len(out["pareto_profiles"]) == 3


def test_coordination_game_has_an_aligned_equilibrium(capsys: pytest.CaptureFixture[str]) -> None:
    out = align_json(capsys, str(EXAMPLES / "game_coordination.yaml"))
    kinds = [e["kind"] for e in out["equilibria"]]
    assert kinds == ["pure", "pure", "mixed"]
    good, bad, mixed = out["equilibria"]
    assert good["coordinated_pareto"] and good["linear_weights"]["positive"]
    assert good["linear_weights"]["weights"] == {"Alice": 0.5, "Bob": 0.5}
    assert good["geometric_weights"]["weights"] == {"Alice": 0.5, "Bob": 0.5}
    assert not bad["weakly_pareto"] and bad["distance_to_frontier"] == pytest.approx(1.0)
    assert mixed["profile"]["Alice"] == {"A": pytest.approx(1 / 3), "B": pytest.approx(2 / 3)}
    assert mixed["principal_loss"] is None
    assert out["price_of_anarchy"] == pytest.approx(3.0)  # 4 / (4/3)
    assert out["price_of_stability"] == pytest.approx(1.0)


def test_tragedy_of_power(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/theory.md §2: without commitment humans don't build; (Build, Don't kill) is better."""
    out = align_json(capsys, str(EXAMPLES / "game_tragedy_of_power.yaml"), "--principal", "1,0")
    pure = [e for e in out["equilibria"] if e["kind"] == "pure"]
    assert [e["profile"] for e in pure] == [{"Humans": "Don't build", "AI": "Kill if built"}]
    for eq in out["equilibria"]:
        assert eq["payoffs"] == {"Humans": 0.0, "AI": 0.0}
        assert not eq["coordinated_pareto"]
        assert eq["principal_loss"] == pytest.approx(5.0)
    assert {
        "profile": {"Humans": "Build", "AI": "Don't kill"},
        "payoffs": {"Humans": 5.0, "AI": 2.0},
    } in out["pareto_profiles"]
    # welfare 0 at equilibrium: the ratios are undefined and reported as null
    assert out["price_of_anarchy"] is None


def test_battle_of_the_sexes_from_nfg(capsys: pytest.CaptureFixture[str]) -> None:
    out = align_json(capsys, str(EXAMPLES / "game_battle_of_the_sexes.nfg"))
    opera = out["equilibria"][0]
    assert opera["strongly_pareto"] and opera["coordinated_pareto"]
    geometric = opera["geometric_weights"]["weights"]
    assert geometric["Row"] == pytest.approx(2 / 3)


def test_three_player_report() -> None:
    report = alignment_report(PUBLIC_GOOD, principal=[1, 1, 0])
    assert report.mixed_method == "gambit-logit"
    (eq,) = report.equilibria  # the logit limit is the pure equilibrium, not repeated
    assert eq.equilibrium.pure_profile() == (1, 1, 1)
    assert eq.principal_loss == pytest.approx(1.0)
    assert not eq.pareto.coordinated_pareto
    assert np.isclose(eq.pareto.distance_to_frontier, 1.0)
    assert alignment_report(PUBLIC_GOOD, mixed="none").mixed_method is None
    with pytest.raises(ShapeError):
        alignment_report(PUBLIC_GOOD, principal=[1, 0])
    with pytest.raises(ShapeError, match="disagreement point needs 3"):
        alignment_report(PUBLIC_GOOD, disagreement=[0, 0])
    custom = alignment_report(PUBLIC_GOOD, disagreement=[-1, -1, -1], mixed="none")
    assert custom.disagreement.tolist() == [-1, -1, -1]


def test_every_example_game_reports(capsys: pytest.CaptureFixture[str]) -> None:
    for path in sorted(EXAMPLES.glob("game_*")):
        out = align_json(capsys, str(path))
        assert out["equilibria"], path
        game = load_game(path)
        for eq in out["equilibria"]:
            # the report's own promise: no player has a profitable deviation
            sigmas = []
            for i, player in enumerate(game.players):
                choice = eq["profile"][player]
                probs = choice if isinstance(choice, dict) else {choice: 1.0}
                sigma = np.zeros(game.shape[i])
                for label, prob in probs.items():
                    sigma[game.strategies[i].index(label)] = prob
                sigmas.append(sigma / sigma.sum())
            assert game.regrets(sigmas).max() <= 1e-6 * game.scale()
            assert np.allclose(game.expected_payoffs(sigmas), list(eq["payoffs"].values()))


def test_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["align", str(EXAMPLES / "game_coordination.yaml"), "--pure-only"]) == 0
    text = capsys.readouterr().out
    assert "price of anarchy" in text and "mixed" not in text


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["game_prisoners_dilemma.yaml", "--principal", "1,x"], "comma-separated"),
        (["game_prisoners_dilemma.yaml", "--principal", "1,-1"], "negative"),
        (["game_prisoners_dilemma.yaml", "--principal", "1,0,0"], "one number per player"),
        (["missing.yaml"], "cannot read"),
    ],
)
def test_bad_input_is_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    status = run(["align", str(EXAMPLES / args[0]), *args[1:], "--json"])
    err = capsys.readouterr().err
    assert status != 0
    assert err.startswith("error: ") and words in err
    assert err.count("\n") == 1


def test_ragged_game_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "ragged.yaml"
    bad.write_text("players: [a, b]\nstrategies: [2, 2]\npayoffs: [[[1, 1], [2, 2]], [[3, 3]]]\n")
    assert run(["align", str(bad)]) != 0
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "payoffs[1]" in err and err.count("\n") == 1


def test_large_two_player_games_fall_back_to_lemke_howson() -> None:
    report = alignment_report(load_game(EXAMPLES / "game_coordination.yaml"), max_bases=1)
    assert report.mixed_method == "gambit-lcp"
    assert all(e.equilibrium.max_regret <= 1e-9 for e in report.equilibria)


def test_negative_chance_probability_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "chance.yaml"
    bad.write_text(
        "players: [a, b]\ntree:\n  chance: {x: -0.5, y: 1.5}\n  moves: {x: [1, 1], y: [0, 0]}\n"
    )
    for command in ("align", "commitment", "equilibria"):
        assert run([command, str(bad)]) != 0
        err = capsys.readouterr().err
        assert err.startswith(f"error: {bad}: tree.chance") and err.count("\n") == 1


def test_large_games_report_pure_equilibria_quickly() -> None:
    """Beyond MAX_GAMBIT_PROFILES no path-following solver is started."""
    rng = np.random.default_rng(0)
    game = NormalFormGame.from_tables(list(rng.random((3, 47, 47, 47))))
    assert game.n_profiles > MAX_GAMBIT_PROFILES
    report = alignment_report(game)
    assert report.mixed_method is None
    assert all(e.kind == "pure" for e in report.equilibria)
    assert report.pareto_profiles


@settings(max_examples=30)
@given(games(strategies=(1, 3)))
def test_property_report_is_consistent(game: NormalFormGame) -> None:
    """docs/theory.md §1 across the report's separate LPs: strictly positive supporting weights
    imply strong Pareto optimality in C; weights of any kind exist exactly when no
    coordinated outcome is strictly better for everyone; PoA >= PoS >= 1."""
    report = alignment_report(game, principal=np.ones(game.n_players))
    for eq in report.equilibria:
        assert eq.equilibrium.max_regret <= 1e-6 * game.scale()
        if eq.linear.positive:
            assert eq.pareto.coordinated_pareto
        assert (eq.linear.weights is not None) == eq.pareto.coordinated_weakly_pareto
        if eq.pareto.coordinated_pareto:
            assert eq.pareto.strongly_pareto and eq.pareto.distance_to_frontier == 0.0
        assert eq.principal_loss is not None and eq.principal_loss >= -1e-9
    if report.price_of_anarchy is not None:
        assert report.price_of_stability is not None
        assert report.price_of_anarchy >= report.price_of_stability - 1e-12
        assert report.price_of_stability >= 1 - 1e-12
