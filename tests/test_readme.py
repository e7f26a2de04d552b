"""Every example in the README runs (nashpy runs its docs as doctests)."""

import re
import shlex
from pathlib import Path

import pytest

from volition.cli import run

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


@pytest.mark.parametrize("code", _blocks("python"))
def test_python_examples_run(code: str, capsys) -> None:
    exec(compile(code, "README.md", "exec"), {})


def _cli_commands() -> list[str]:
    text = "\n".join(_blocks("sh")).replace("\\\n", " ")
    return [line for line in text.splitlines() if line.startswith(".venv/bin/volition")]


@pytest.mark.parametrize("command", _cli_commands())
def test_cli_examples_run(command: str, monkeypatch, capsys) -> None:
    monkeypatch.chdir(ROOT)
    argv = shlex.split(command.split("#")[0])[1:]
    assert run(argv) == 0, command
