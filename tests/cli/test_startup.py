"""The ``volition`` command starts light: it imports the platform's libraries only to use them.

Each check runs a fresh interpreter and reads its ``sys.modules`` (this test process has
imported everything already).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from volition.cli import COMMANDS, HELP, load_command

ROOT = Path(__file__).resolve().parents[2]

HEAVY = (
    "fastapi",
    "sqlalchemy",
    "alembic",
    "openai",
    "sklearn",
    "numba",
    "pandas",
    "uvicorn",
    "httpx",
    "pyarrow",
    "matplotlib",
    "ray",
    "scipy",
    "argon2",
    "cryptography",
    "starlette",
    "psycopg",
)
"""Libraries that only the commands that use them may import."""


def _imported_after(code: str, *, full: bool = False) -> set[str]:
    """The top-level packages (or, ``full``, all modules) a fresh interpreter has imported
    after running ``code``."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=True,
    )
    modules = json.loads(done.stdout.strip().splitlines()[-1])
    return set(modules) if full else {name.split(".")[0] for name in modules}


def test_importing_the_cli_imports_no_heavy_library() -> None:
    imported = _imported_after("import volition.cli")
    assert imported & set(HEAVY) == set()
    assert "volition" in imported and "typer" in imported  # the probe did run


def test_help_loads_every_command_module_and_still_no_heavy_library() -> None:
    code = (
        "import contextlib, io\n"
        "from volition.cli import run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert run(['--help']) == 0\n"
        "import volition.cli.bazaar, volition.cli.worker_commands\n"
    )
    imported = _imported_after(code, full=True)
    assert {name.split(".")[0] for name in imported} & set(HEAVY) == set()
    # nor volition's own layers: listing the commands needs their signatures only
    layers = ("core", "games", "mechanisms", "agents", "bazaar")
    assert {m for m in imported if m.split(".")[:2] in [["volition", x] for x in layers]} == set()
    assert "pydantic" not in imported


def test_voi_on_a_small_world_imports_no_heavy_library() -> None:
    code = (
        "import contextlib, io\n"
        "from volition.cli import run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert run(['voi', 'examples/fact_checking.yaml', '--info', 'I1', '--json']) == 0\n"
    )
    assert _imported_after(code) & set(HEAVY) == set()


def test_the_agents_package_loads_the_llm_client_only_for_an_llm_agent() -> None:
    assert "openai" not in _imported_after("from volition.agents import NodeView, OfflineBuyer")
    assert "openai" in _imported_after("from volition.agents import LLMBuyer")


def test_the_agents_package_exports_each_name_from_its_module() -> None:
    import importlib

    import volition.agents as agents

    assert sorted(agents._HOMES) == sorted(agents.__all__)
    for name in agents.__all__:
        home = importlib.import_module(f"volition.agents.{agents._HOMES[name]}")
        assert getattr(agents, name) is getattr(home, name), name
        assert name in dir(agents)
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        agents.Nothing  # noqa: B018


def test_help_lists_every_command_with_its_help_text() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from volition.cli import main; main()", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "300"},
        timeout=120,
        check=True,
    )
    rows = {  # a command's row starts with its name; its help may continue on more rows
        line[2:].split(" ", 1)[0]: line
        for line in done.stdout.splitlines()
        if line.startswith("│ ") and line[2] not in " -"
    }
    assert list(rows) == list(COMMANDS)
    for name in COMMANDS:
        command = load_command(name)
        text = HELP.get(name) or (command.help or "")
        assert text and text.split("\n")[0][:60] in rows[name], name


def test_an_unknown_command_is_refused_with_a_suggestion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from volition.cli import run

    assert run(["vio"]) == 2
    assert "No such command 'vio'. Did you mean 'voi'?" in capsys.readouterr().err


def test_the_serve_default_threads_are_the_api_defaults() -> None:
    from volition.bazaar.config import DEFAULT_THREADS
    from volition.cli import bazaar

    assert bazaar.DEFAULT_THREADS == DEFAULT_THREADS


def test_the_market_choices_are_the_mechanisms_protocols() -> None:
    from volition.cli import market
    from volition.mechanisms import DEFAULT_MAX_POLICIES
    from volition.mechanisms.reports import ProtocolName

    assert [p.value for p in market.Protocol] == [p.value for p in ProtocolName]
    assert market.DEFAULT_MAX_POLICIES == DEFAULT_MAX_POLICIES
