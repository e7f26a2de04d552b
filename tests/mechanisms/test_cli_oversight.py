"""``volition oversight``: the marginal-value mechanism from a market file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.mechanisms.helpers import EXAMPLES

from volition.cli import run

CHEAP = str(EXAMPLES / "cheap_refutation.yaml")


def test_oversight_json_on_cheap_refutation(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["oversight", CHEAP, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["informers"] == "until one passes"
    assert data["knows"] == ["state"]
    truth = next(row for row in data["states"] if row["state"] == "truth")
    assert truth["path"] == [None, None, None]
    assert truth["equilibrium_value"] == pytest.approx(0.0)
    assert truth["ideal_value"] == pytest.approx(1.0)
    assert all("I1" not in row["path"] for row in data["states"] if row["state"] != "supported")
    assert data["expected_equilibrium_value"] <= data["expected_ideal_value"]


def test_oversight_fixed_informers_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["oversight", CHEAP, "--informers", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    truth = next(row for row in data["states"] if row["state"] == "truth")
    assert truth["path"] == [None, None, "I1"]
    assert truth["rewards"] == pytest.approx([0.0, 0.0, 1.0])
    assert run(["oversight", CHEAP]) == 0
    out = capsys.readouterr().out
    assert "Marginal-value mechanism" in out
    assert "truth" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--informers", "0"], "--informers must be >= 1"),
        (["--informers", "20"], "histories"),
    ],
)
def test_oversight_bad_options(
    capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    assert run(["oversight", CHEAP, *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ")
    assert words in err


def test_oversight_bad_knows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = Path(CHEAP).read_text().replace("knows: [state]", "knows: [nothing]")
    path = tmp_path / "m.yaml"
    path.write_text(text)
    assert run(["oversight", str(path)]) == 2
    err = capsys.readouterr().err
    assert "oversight.knows" in err
    assert "unknown variable 'nothing'" in err


def test_oversight_offer_not_determined_by_k(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = Path(CHEAP).read_text().replace("knows: [state]", "knows: [I1]")
    path = tmp_path / "m.yaml"
    path.write_text(text)
    assert run(["oversight", str(path)]) == 2
    assert "which K does not determine" in capsys.readouterr().err
