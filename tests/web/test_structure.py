"""The pages are a thin layer: every write goes through the domain service, never SQL."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import volition.bazaar.web


def test_the_pages_import_no_sql_and_no_store() -> None:
    folder = Path(volition.bazaar.web.__file__).parent
    sources = sorted(folder.rglob("*.py"))
    assert len(sources) >= 5
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert name.split(".")[0] not in {"sqlalchemy", "alembic", "psycopg"}, path
                assert not name.startswith("volition.bazaar.storage"), (path.name, name)
                assert "store" not in name.split(".")[-1], (path.name, name)


def test_the_pages_import_on_their_own() -> None:
    # the pages use the API's dependencies and the API mounts the pages: no import cycle
    for first, then in (("web", "api"), ("api", "web")):
        code = f"import volition.bazaar.{first}; import volition.bazaar.{then}"
        subprocess.run([sys.executable, "-c", code], check=True)
