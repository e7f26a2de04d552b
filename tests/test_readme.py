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


def test_cli_examples_run(monkeypatch, capsys) -> None:
    monkeypatch.chdir(ROOT)
    commands = [
        line.replace("\\\n", " ")
        for line in re.split(r"(?<!\\)\n", _blocks("sh")[1])
        if line.startswith(".venv/bin/volition")
    ]
    assert len(commands) == 4
    for command in commands:
        argv = shlex.split(command.split("#")[0].replace("\\", " "))[1:]
        assert run(argv) == 0, command
