"""Tables are for people: 4 significant digits, no float noise, "-" for nothing, ids whole;
the commands' own lines say what they show; every command that signs in takes --password."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from volition.cli import output, run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SIGNING_IN = [
    "bots", "bot-add", "bot-add-bayesian", "bot-pause", "bot-resume", "bot-delete", "llm-set",
    "inspect", "inspection", "matcher-add", "matchers",
]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (6.6000000000000005, "6.6"),
        (2.9999999999999996, "3"),
        (6.42895e-121, "0"),
        (-4.5e-13, "0"),
        (0.3112389, "0.3112"),
        (-0.0571132, "-0.05711"),
        (12345.678, "1.235e+04"),
        (np.float64(0.1 + 0.2), "0.3"),
        (None, "-"),
        ([6.6000000000000005, None, "I1"], "[6.6, -, I1]"),
        ({"food": 6.42895e-121, "clothing": 1.13734}, "food=0, clothing=1.137"),
        (np.array([0.5, 1e-15]), "[0.5, 0]"),
        (True, "True"),
        (3, "3"),
    ],
)
def test_fmt_rounds_for_people(value: object, shown: str) -> None:
    assert output.fmt(value) == shown


def test_ids_are_printed_whole_in_a_narrow_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    narrow = Console(width=60, file=io.StringIO(), highlight=False)
    monkeypatch.setattr(output, "console", narrow)
    bot_id = "bot_4f3c2a1b9e8d7c6b5a4f3e2d1c0b9a88"
    output.print_table(
        "bots",
        ["id", "name", "keywords"],
        [[bot_id, "a rather long bot name", "rain, weather, radar, forecast, Oslo"]],
    )
    text = narrow.file.getvalue()  # type: ignore[attr-defined]
    assert bot_id in text and "…" not in text


def test_the_oversight_table_shows_nothing_offered_as_a_dash(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["oversight", str(EXAMPLES / "cheap_refutation.yaml")]) == 0
    out = capsys.readouterr().out
    assert "null" not in out and "- - -" in out and "path (- = none)" in out


def test_the_lemons_price_path_has_no_float_noise(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["failures", "lemons"]) == 0
    out = capsys.readouterr().out
    assert "[6.6, 4.2, 3, 2.4, 1.8, 1.2]" in out and "0000000" not in out
    assert run(["failures", "lemons", "--json"]) == 0
    assert "6.6000000000000005" in capsys.readouterr().out  # JSON keeps every digit


def test_the_no_information_lines_say_what_they_are(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["voi", str(EXAMPLES / "fact_checking.yaml"), "--info", "I1"]) == 0
    assert "Without information: action x0 = 0.1, expected utility -0.3251" in (
        capsys.readouterr().out
    )
    assert run(["market", str(EXAMPLES / "legumes.yaml"), "--compare"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Without information (no offer bought" in out
    assert "Protocol 'none' is not this line" in out


def test_the_readme_price_example_prints_what_the_readme_says(
    capsys: pytest.CaptureFixture[str],
) -> None:
    fact = str(EXAMPLES / "fact_checking.yaml")
    argv = ["voi", fact, "--info", "I1", "--knowing", "I1", "--knowing", "I2"]
    assert run([*argv, "--state", "i11_E", "--price", "0.01"]) == 0
    out = capsys.readouterr().out
    assert "0.3012" in out and "-0.05711" in out
    readme = (EXAMPLES.parent / "README.md").read_text()
    assert "0.3012 and -0.05711" in readme


@pytest.mark.parametrize("command", SIGNING_IN)
def test_every_command_that_signs_in_takes_a_password(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert run([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "--user" in text and "--password" in text and "VOLITION_PASSWORD" in text
