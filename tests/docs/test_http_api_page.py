"""docs/reference/http-api.md lists exactly the routes the application serves under /api."""

from __future__ import annotations

import re
from pathlib import Path

from volition.bazaar.domain import Bazaar
from volition.bazaar.domain.memory import MemoryStore
from volition.bazaar.platform import assemble
from volition.bazaar.security import Argon2Hasher
from volition.bazaar.server import build_app

PAGE = Path(__file__).resolve().parents[2] / "docs/reference/http-api.md"


def test_the_page_lists_every_route_and_no_other() -> None:
    # the routes of the whole app on an empty store
    app = build_app(assemble(Bazaar(MemoryStore(), hasher=Argon2Hasher())))
    served = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    listed = set(
        re.findall(
            r"^\| (GET|POST|PUT|PATCH|DELETE) \| `(/api[^`]*)` \|", PAGE.read_text(), flags=re.M
        )
    )
    assert listed == served, {"not listed": served - listed, "not served": listed - served}
