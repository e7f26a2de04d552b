"""``volition voi`` and ``volition demo`` on the examples and on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from volition.cli import run

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "volition" / "examples"
FACT = str(EXAMPLES / "fact_checking.yaml")


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    assert run(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_voi_json_on_fact_checking(capsys) -> None:
    out = _json(
        capsys,
        [
            "voi",
            FACT,
            "--info",
            "I1",
            "--price",
            "0.01",
            "--state",
            "i11_E",
            "--knowing",
            "I1",
            "--knowing",
            "I2",
            "--json",
        ],
    )
    assert set(out) == {
        "no_info_action",
        "no_info_expected_utility",
        "info",
        "price",
        "ex_ante",
        "cells",
        "state",
        "true_value",
        "knowing",
    }
    assert out["info"] == ["I1"] and out["price"] == 0.01
    assert out["no_info_action"] == pytest.approx(0.1)
    assert out["ex_ante"] == pytest.approx(0.021673 - 0.01, abs=5e-7)
    cell = next(c for c in out["cells"] if c["values"] == {"I1": 1})
    assert cell["probability"] == pytest.approx(1 / 16)
    assert cell["action"] == pytest.approx(0.4)
    assert cell["ex_post"] == pytest.approx(0.311239 - 0.01, abs=5e-7)
    assert out["true_value"] == pytest.approx(1.386294 - 0.01, abs=5e-7)
    k11 = next(k for k in out["knowing"] if k["values"] == {"I1": 1, "I2": 1})
    assert k11["value"] == pytest.approx(-0.047113 - 0.01, abs=5e-7)
    assert len(out["knowing"]) == 4


def test_voi_lists_only_cells_of_positive_probability(capsys, tmp_path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "states": 3,
                "prior": [0.5, 0.5, 0.0],
                "variables": {"V": [0, 1, 2]},
                "actions": ["a", "b"],
                "utility": [[1, 0], [0, 1], [5, 5]],
            }
        )
    )
    out = _json(capsys, ["voi", str(path), "-i", "V", "--json"])
    assert [c["values"] for c in out["cells"]] == [{"V": 0}, {"V": 1}]
    assert out["ex_ante"] == pytest.approx(0.5)


def test_voi_on_the_matrix_examples(capsys) -> None:
    out = _json(
        capsys,
        ["voi", str(EXAMPLES / "oil_wildcatter.yaml"), "-i", "seismic", "--price", "10", "--json"],
    )
    assert out["no_info_action"] == "drill"
    assert out["no_info_expected_utility"] == pytest.approx(20.0)
    assert out["ex_ante"] == pytest.approx(2.5)
    ns = next(c for c in out["cells"] if c["values"] == {"seismic": "NS"})
    assert ns["action"] == "dont_drill" and ns["probability"] == pytest.approx(0.41)
    med = _json(capsys, ["voi", str(EXAMPLES / "medical_test.yaml"), "-i", "disease", "--json"])
    assert med["ex_ante"] == pytest.approx(4.5)  # perfect information: 0.9 * (100 - 95)


def test_voi_prints_a_readable_table(capsys) -> None:
    assert run(["voi", FACT, "-i", "I1", "--knowing", "I2"]) == 0
    out = capsys.readouterr().out
    assert "Ex-ante value of I1" in out and "0.02167" in out and "I1=1" in out


def test_demo_prints_the_headlines_computed_from_the_examples(capsys) -> None:
    out = _json(capsys, ["demo", "--json"])
    by_file = {e["file"]: e["headlines"] for e in out["examples"]}
    fact = by_file["examples/fact_checking.yaml"]
    assert fact["ex-post value of I1 at I1=1"] == pytest.approx(0.311239, abs=5e-7)
    assert fact["value of I1 alone when (I1, I2) = (1, 1)"] == pytest.approx(-0.047113, abs=5e-7)
    assert by_file["examples/oil_wildcatter.yaml"]["value of perfect information"] == (
        pytest.approx(35.0)
    )
    legumes = by_file["examples/legumes.yaml"]
    assert legumes["expected utility, rip (depth 2)"] > legumes["expected utility, ip (depth 1)"]
    power = by_file["examples/game_tragedy_of_power_tree.yaml"]
    assert power["subgame-perfect play"] == "Don't build"
    assert all(
        power["payoffs with commitment"][p] > power["payoffs without commitment"][p]
        for p in ("Humans", "AI")
    )
    refutation = by_file["examples/cheap_refutation.yaml"]
    assert refutation["equilibrium value"] < refutation["ideal value (best offer given K)"]
    assert by_file["examples/failure_lemons.yaml"]["welfare lost to unravelling"] > 1
    assert run(["demo"]) == 0
    assert "Oil wildcatter" in capsys.readouterr().out


GOOD = {
    "states": ["s0", "s1"],
    "prior": [0.5, 0.5],
    "variables": {"I": [0, 1]},
    "actions": ["a", "b"],
    "utility": [[1, 0], [0, 1]],
}


def _with(**changes) -> dict:
    data = {**GOOD, **changes}
    return {k: v for k, v in data.items() if v is not None}


BAD_FILES = [
    (_with(prior=[0.5, 0.4]), ["-i", "I"], "prior sums to 0.9"),
    (_with(prior=[1.5, -0.5]), ["-i", "I"], "prior[1] = -0.5 is negative"),
    (_with(utility=[[1, 0], [0]]), ["-i", "I"], "utility[1] has 1 entries but there are 2 actions"),
    (_with(utility=[[1, 0]]), ["-i", "I"], "utility has 1 rows but there are 2 states"),
    (_with(prior=None), ["-i", "I"], "exactly one of `prior`"),
    (_with(variables={"I": [0, 1, 1]}), ["-i", "I"], "has 3 values but there are 2 states"),
    (
        _with(actions=None, utility=None, forecast={"event": [0, 2]}),
        ["-i", "I"],
        "forecast.event[1] = 2; the event must be 0 or 1",
    ),
    (
        _with(actions=None, utility=None, forecast={"event": [0, 1], "rule": "hinge"}),
        ["-i", "I"],
        "forecast.rule",
    ),
    (_with(actions=None, forecast={"event": [0, 1]}), ["-i", "I"], "not both"),
    (GOOD, ["-i", "J"], "unknown variable 'J'; the variables are I"),
    (GOOD, ["-i", "I", "--state", "s9"], "unknown state 's9'"),
    (GOOD, ["-i", "I", "--price", "-1"], "price must be a finite number >= 0"),
    (GOOD, ["-i", "I", "--knowing", "K"], "unknown variable 'K'"),
    (_with(colour="red"), ["-i", "I"], "colour: Extra inputs are not permitted"),
]


@pytest.mark.parametrize(("content", "args", "message"), BAD_FILES)
def test_bad_input_is_one_line_naming_file_and_place(capsys, tmp_path, content, args, message):
    path = tmp_path / "problem.yaml"
    path.write_text(yaml.safe_dump(content))
    assert run(["voi", str(path), *args, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ")
    assert message in lines[0]
    if "price" not in message and "unknown" not in message:
        assert str(path) in lines[0]


def test_unreadable_and_malformed_files(capsys, tmp_path) -> None:
    assert run(["voi", str(tmp_path / "missing.yaml"), "-i", "I"]) == 2
    assert "cannot read the file" in capsys.readouterr().err
    broken = tmp_path / "broken.yaml"
    broken.write_text("states: [a, b\nprior: [1]\n")
    assert run(["voi", str(broken), "-i", "I"]) == 2
    assert "not valid YAML at line" in capsys.readouterr().err
    bad_json = tmp_path / "p.json"
    bad_json.write_text('{"states": 2,')
    assert run(["voi", str(bad_json), "-i", "I"]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    listing = tmp_path / "list.yaml"
    listing.write_text("- 1\n- 2\n")
    assert run(["voi", str(listing), "-i", "I"]) == 2
    assert "expected a mapping" in capsys.readouterr().err


def test_json_and_yaml_files_are_the_same_problem(capsys, tmp_path) -> None:
    (tmp_path / "p.json").write_text(json.dumps(_with(weights=[1, 3], prior=None)))
    out = _json(capsys, ["voi", str(tmp_path / "p.json"), "-i", "I", "--json"])
    assert out["ex_ante"] == pytest.approx(0.25)


def test_the_installed_command_exits_2_without_a_traceback(tmp_path) -> None:
    path = tmp_path / "problem.yaml"
    path.write_text(yaml.safe_dump(_with(prior=[0.7, 0.7])))
    script = Path(sys.executable).parent / "volition"
    done = subprocess.run(
        [str(script), "voi", str(path), "--info", "I"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip() == f"error: {path}: prior sums to 1.4, not 1 (tolerance 1e-09); "
        "fix the probabilities, or give them as weights to be normalised"
    )
    assert "Traceback" not in done.stderr
