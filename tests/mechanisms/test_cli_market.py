"""``volition market``: every protocol on the examples, --compare, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.mechanisms.helpers import EXAMPLES

from volition.cli import run

LEGUMES = str(EXAMPLES / "legumes.yaml")
FACTS = str(EXAMPLES / "fact_checking_market.yaml")


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, object]:
    assert run(argv) == 0
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    return data


def test_market_rip_json_on_legumes(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, ["market", LEGUMES, "--protocol", "rip", "--depth", "2", "--json"])
    assert data["protocol"] == "rip"
    assert data["no_info_expected_utility"] == pytest.approx(7.8)
    assert data["expected_price_paid"] == 0.0
    outcomes = data["outcomes"]
    assert isinstance(outcomes, list)
    truth = next(o for o in outcomes if o["state"] == "s111")
    assert truth["bought"] == [["toxic", "unhealthy"], ["boiling"]]
    assert truth["action"] == "boiled"
    assert truth["paid"] == 0.0


@pytest.mark.parametrize("protocol", ["none", "ip", "successive", "rip", "best"])
def test_market_every_protocol_on_fact_checking(
    capsys: pytest.CaptureFixture[str], protocol: str
) -> None:
    data = _json(capsys, ["market", FACTS, "--protocol", protocol, "--json"])
    assert data["protocol"] == protocol
    assert isinstance(data["expected_utility"], float)
    assert data["expected_utility"] >= data["no_info_expected_utility"] - 1e-12  # type: ignore[operator]
    revenue = data["seller_revenue"]
    assert isinstance(revenue, dict)
    assert sum(revenue.values()) == pytest.approx(data["expected_price_paid"])
    outcomes = data["outcomes"]
    assert isinstance(outcomes, list)
    assert len(outcomes) == 16
    for row in outcomes:
        assert sum(row["revenue"].values()) == pytest.approx(row["paid"])


def test_market_compare_json_refuses_best_when_too_big(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, ["market", LEGUMES, "--compare", "--json"])
    protocols = data["protocols"]
    assert isinstance(protocols, dict)
    assert set(protocols) == {"none", "ip", "successive", "rip", "best"}
    assert protocols["rip"]["expected_utility"] > protocols["successive"]["expected_utility"]
    assert "needs more than 20000 joint policies" in protocols["best"]["refused"]


def test_market_compare_includes_best_when_small(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, ["market", FACTS, "--compare", "--json"])
    protocols = data["protocols"]
    assert isinstance(protocols, dict)
    assert protocols["best"]["expected_utility"] >= protocols["rip"]["expected_utility"] - 1e-12


def test_market_tables_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["market", LEGUMES, "--protocol", "successive"]) == 0
    out = capsys.readouterr().out
    assert "successive (depth 2)" in out
    assert "rice" in out
    assert run(["market", FACTS, "--compare"]) == 0
    assert "rip" in capsys.readouterr().out


def _bad(tmp_path: Path, body: str) -> str:
    path = tmp_path / "bad.yaml"
    path.write_text(f"world: {EXAMPLES / 'fact_checking.yaml'}\n" + body)
    return str(path)


OFFER = "levels:\n  - offers:\n      - {id: a, seller: s, reveals: [I1], price: 0}\n"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("levels:\n  - offers:\n      - {id: a, seller: s, reveals: [I7]}\n", "unknown variable"),
        ("levels:\n  - offers:\n      - {id: a, seller: s, reveals: [I1], price: -2}\n", "price"),
        (OFFER + "scenarios:\n  - {p: 0.3}\n  - {p: 0.3}\n", "sum to 0.6"),
        (OFFER + "scenarios:\n  - {p: 1.0, absent: [b]}\n", "unknown offer id 'b'"),
        ("world: missing.yaml\n" + OFFER, "not found"),
    ],
)
def test_market_bad_input_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, words: str
) -> None:
    path = _bad(tmp_path, body)
    if body.startswith("world:"):
        Path(path).write_text(body)
    assert run(["market", path, "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ")
    assert words in err
    assert "\n" not in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--protocol", "ip", "--depth", "2"], "looks one level deep"),
        (["--depth", "7"], "outside 0..2"),
    ],
)
def test_market_bad_options(
    capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    assert run(["market", FACTS, *argv]) == 2
    assert words in capsys.readouterr().err


def test_market_best_refuses_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["market", LEGUMES, "--protocol", "best", "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: the exhaustive best admissible protocol needs more than")
    assert "\n" not in err


def test_market_compare_max_policies_is_honoured(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, ["market", FACTS, "--compare", "--max-policies", "10", "--json"])
    protocols = data["protocols"]
    assert isinstance(protocols, dict)
    assert "more than 10 joint policies" in protocols["best"]["refused"]
    assert "expected_utility" in protocols["rip"]
