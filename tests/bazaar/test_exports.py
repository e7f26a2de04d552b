"""The bazaar's public names are where they say they are; its errors have volition's roots."""

from __future__ import annotations

import volition.bazaar.api
import volition.bazaar.domain
import volition.bazaar.errors
import volition.bazaar.storage
from volition.errors import InputError, VolitionError


def test_domain_exports_its_own_names() -> None:
    for module in (volition.bazaar.domain, volition.bazaar.storage, volition.bazaar.api):
        exported = set(module.__all__)
        assert exported, module
        for name in exported:
            value = getattr(module, name)
            origin = getattr(value, "__module__", module.__name__)
            assert origin.startswith(module.__name__), (module.__name__, name)


def test_platform_errors_derive_from_the_roots() -> None:
    for name in volition.bazaar.errors.__all__:
        cls = getattr(volition.bazaar.errors, name)
        assert issubclass(cls, VolitionError), name
    caller_mistakes = {"NotFound", "Unauthorized", "Forbidden", "Conflict", "InsufficientFunds"}
    for name in caller_mistakes:
        assert issubclass(getattr(volition.bazaar.errors, name), InputError), name
    assert not issubclass(volition.bazaar.errors.StorageError, InputError)


def test_the_domain_imports_no_http_or_sql() -> None:
    import ast
    from pathlib import Path

    folder = Path(volition.bazaar.domain.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                root = name.split(".")[0]
                assert root not in {"sqlalchemy", "alembic", "fastapi", "httpx", "psycopg"}, (
                    path.name,
                    name,
                )
                assert not name.startswith(("volition.bazaar.api", "volition.bazaar.storage"))
