"""The tests' own layout: no test module imports another test module (or a conftest), and a
folder's helpers serve only that folder; what several folders share lives in tests/support,
which imports no test folder. Fixtures come from the plugin (tests/support/plugin.py)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def _imported(tree: ast.AST) -> list[str]:
    """Every ``tests.*`` module a source imports (``from tests.folder import y`` imports the
    module ``tests.folder.y``)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.count(".") > 1:
                found.append(node.module)
            else:
                found += [f"{node.module}.{a.name}" for a in node.names]
    return [m for m in found if m == "tests" or m.startswith("tests.")]


def offending_imports(path: Path, source: str) -> list[str]:
    """The imports of the test file ``path`` (relative to tests/) that break the layout."""
    folder = path.parent.parts
    support = folder[:1] == ("support",)
    bad = []
    for module in _imported(ast.parse(source)):
        parts = tuple(module.split(".")[1:])
        last = parts[-1] if parts else ""
        if last.startswith("test_") or last == "conftest":
            bad.append(f"{module}: a test module or conftest (share through tests/support)")
        elif support and parts[:1] not in (("support",), ()):
            bad.append(f"{module}: tests/support imports no test folder")
        elif not support and parts[:1] != ("support",) and len(parts) > 1 and parts[:-1] != folder:
            bad.append(f"{module}: a helper of another test folder (move it to tests/support)")
    return bad


def test_the_layout_check_catches_each_kind_of_import() -> None:
    source = (
        "from tests.inspection.test_rules import Script\n"
        "from tests.bazaar.conftest import PASSWORD\n"
        "from tests.inspection.helpers import World\n"
        "from tests.web import inspection_site\n"
        "import tests.games.test_game\n"
        "from tests.support.api import ok\n"
        "from tests.bazaar.helpers import fine\n"
    )
    bad = offending_imports(Path("bazaar/test_x.py"), source)
    assert [b.split(":")[0] for b in bad] == [
        "tests.inspection.test_rules",
        "tests.bazaar.conftest",
        "tests.inspection.helpers",
        "tests.web.inspection_site",
        "tests.games.test_game",
    ]
    assert offending_imports(Path("support/x.py"), "from tests.games.textbook import A\n")
    assert offending_imports(Path("test_x.py"), "from tests.games.textbook import A\n")


def test_no_test_imports_another_test_module_or_another_folders_helper() -> None:
    bad = {}
    for path in sorted(TESTS.rglob("*.py")):
        rel = path.relative_to(TESTS)
        if found := offending_imports(rel, path.read_text(encoding="utf-8")):
            bad[str(rel)] = found
    assert not bad, f"imports that break the tests' layout: {bad}"
