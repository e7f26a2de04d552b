"""Akerlof's lemons, and the ``economy`` and ``failures`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from volition.cli import run
from volition.errors import InputError, ProbabilityError
from volition.games.failures import LemonsMarket, lemons_equilibrium

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "volition" / "examples"


def test_uniform_qualities_unravel_to_the_worst_car() -> None:
    out = lemons_equilibrium(LemonsMarket.build(range(1, 11), seller_value=1.0, buyer_value=1.2))
    assert out.price_path == pytest.approx((6.6, 4.2, 3.0, 2.4, 1.8, 1.2))
    assert out.traded.tolist() == [True] + [False] * 9
    assert out.welfare == pytest.approx(0.2 * 1 * 0.1)
    assert out.first_best_welfare == pytest.approx(0.2 * 5.5)


def test_enough_gains_from_trade_keep_the_market_whole() -> None:
    out = lemons_equilibrium(LemonsMarket.build(range(1, 11), seller_value=1.0, buyer_value=2.0))
    assert out.traded.all() and out.welfare_lost == pytest.approx(0.0)


@given(
    st.lists(st.floats(0.5, 20), min_size=1, max_size=8, unique=True),
    st.floats(1.01, 3.0),
    st.floats(0, 1),
)
def test_the_equilibrium_is_consistent_and_inspection_recovers_welfare(q, b, cost) -> None:
    market = LemonsMarket.build(q, seller_value=1.0, buyer_value=b, inspection_cost=cost)
    out = lemons_equilibrium(market)
    qs, ps = market.qualities, market.probabilities
    assert out.price == pytest.approx(b * (ps[out.traded] @ qs[out.traded]) / ps[out.traded].sum())
    assert np.all(qs[out.traded] <= out.price * (1 + 1e-9))
    assert np.all(qs[~out.traded] > out.price)
    assert all(a >= c - 1e-12 for a, c in zip(out.price_path, out.price_path[1:], strict=False))
    assert out.welfare <= out.first_best_welfare + 1e-12
    assert out.inspected_welfare >= out.welfare - 1e-12
    free = lemons_equilibrium(LemonsMarket.build(q, seller_value=1.0, buyer_value=b))
    assert free.inspected_welfare == pytest.approx(free.first_best_welfare)


def test_bad_markets_are_refused() -> None:
    with pytest.raises(InputError, match="seller_value < buyer_value"):
        LemonsMarket.build([1, 2], seller_value=2.0, buyer_value=1.0)
    with pytest.raises(ProbabilityError):
        LemonsMarket.build([1, 2], [0.5, 0.6])


def _json(capsys, argv: list[str]) -> dict:
    assert run(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_failures_command(capsys) -> None:
    lemons = _json(capsys, ["failures", "lemons", "--json"])
    assert lemons["qualities_traded"] == [1.0]
    assert lemons["welfare_lost"] == pytest.approx(1.08)
    assert len(lemons["with_inspection"]["qualities_traded"]) == 10
    ext = _json(capsys, ["failures", "externality", "--json"])
    assert ext["untaxed"]["first_welfare_theorem"]["pareto_optimal"] is False
    assert ext["taxed"]["first_welfare_theorem"]["pareto_optimal"] is True
    assert ext["tax_rate"] > 0
    power = _json(capsys, ["failures", "tragedy-of-power", "--json"])
    assert power["subgame_perfect"]["path"] == ["Don't build"]
    assert power["commitment"]["pure"]["response"] == "Build"
    assert power["pareto_improvement"] is True
    hitch = _json(capsys, ["failures", "hitchhiker", "--json"])
    assert hitch["failure"] == "hitchhiker" and hitch["value_of_commitment"]
    assert run(["failures", "lemons"]) == 0
    assert "welfare_lost" in capsys.readouterr().out


def test_economy_command(capsys) -> None:
    out = _json(
        capsys, ["economy", str(EXAMPLES / "economy_exchange.yaml"), "--shares", "1,1,1", "--json"]
    )
    assert out["equilibrium"]["converged"] is True
    assert out["first_welfare_theorem"]["pareto_optimal"] is True
    second = out["second_welfare_theorem"]
    assert second["reproduces"] is True
    assert sum(second["transfers"].values()) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ({"goods": ["x"], "agents": [{"name": "a", "utility": {"cubic": [1]}, "endowment": [1]}]},
         [], "agents.0.utility.cubic: Extra inputs are not permitted"),
        ({"goods": ["x", "y"], "agents": [
            {"name": "a", "utility": {"linear": [1, 1]}, "endowment": [1]}]},
         [], "endowments must be 1 rows"),
        ({"goods": ["x"], "agents": [{"name": "a", "utility": {"linear": [1]}, "endowment": [1]},
                                     {"name": "b", "utility": {"linear": [1]}, "endowment": [1]}],
          "externality": {"source": "a", "good": "x", "harmed": "zed", "damage": 1}},
         [], "unknown agent 'zed'"),
        ({"goods": ["x"], "agents": [{"name": "a", "utility": {"linear": [1]}, "endowment": [1]}]},
         ["--shares", "1,2"], "give 1 positive shares"),
        ({"goods": ["x"], "agents": [{"name": "a", "utility": {"linear": [1]}, "endowment": [1]}]},
         ["--shares", "one"], "--shares takes numbers"),
    ],
)  # fmt: skip
def test_bad_economy_files_are_one_line(capsys, tmp_path, content, args, message) -> None:
    path = tmp_path / "economy.yaml"
    path.write_text(yaml.safe_dump(content))
    assert run(["economy", str(path), *args, "--json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0]


def test_unknown_failure_and_bad_lemons_file(capsys, tmp_path) -> None:
    assert run(["failures", "tragedy"]) == 2
    assert "unknown failure 'tragedy'; choose one of lemons, externality, tragedy-of-power" in (
        capsys.readouterr().err
    )
    bad = tmp_path / "lemons.yaml"
    bad.write_text(yaml.safe_dump({"qualities": [1, 2], "buyer_value": 0.5}))
    assert run(["failures", "lemons", "--file", str(bad)]) == 2
    assert "seller_value < buyer_value" in capsys.readouterr().err
