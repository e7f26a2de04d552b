"""Fixtures for the web pages: a bazaar on a SQLite file, served by uvicorn on a free port."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from volition.bazaar.api import ApiSettings
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.domain import Bazaar, User
from volition.bazaar.platform import assemble
from volition.bazaar.security import Argon2Hasher
from volition.bazaar.server import build_app
from volition.bazaar.storage import SqlStore, make_engine, upgrade

CHEAP_HASHER = Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    match = _CSRF.search(html)
    assert match is not None, "the page has no form with a CSRF token"
    return match.group(1)


class WebClient(httpx.Client):
    """A browser-like client: keeps cookies and sends forms with the CSRF token of a page."""

    def submit(self, page: str, action: str, data: dict[str, str]) -> httpx.Response:
        """Load ``page``, then post ``data`` to ``action`` with that page's CSRF token."""
        token = csrf_of(self.get(page).text)
        return self.post(action, data={"csrf_token": token, **data})


@dataclass
class Site:
    """A served bazaar with its operator."""

    url: str
    bazaar: Bazaar
    operator: User

    def client(self) -> WebClient:
        return WebClient(base_url=self.url, timeout=10)

    def sign_up(self, name: str, *, buyer: bool = True, seller: bool = False) -> WebClient:
        """A new user, signed up through the page and signed in."""
        client = self.client()
        roles = {"buyer": "1"} if buyer else {}
        roles |= {"seller": "1"} if seller else {}
        r = client.submit("/signup", "/signup", {"name": name, "password": PASSWORD, **roles})
        assert r.status_code == 303, r.text
        return client

    def credit(self, name: str, cents: int) -> None:
        """The operator credits ``name`` (the domain call behind the operator API)."""
        self.bazaar.credit(self.operator.id, self.bazaar.find_user(name).id, cents)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test instead of migrating again."""
    path = tmp_path_factory.mktemp("web-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def site(sqlite_template: Path, tmp_path: Path) -> Iterator[Site]:
    path = tmp_path / "bazaar.db"
    shutil.copy(sqlite_template, path)
    store = SqlStore.open(f"sqlite:///{path}", migrate=False)
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    operator = bazaar.bootstrap_operator("root", PASSWORD)
    try:
        with serve_in_thread(
            # as `volition serve --no-inspections`: the bots' passes run when a test calls them
            build_app(assemble(bazaar), ApiSettings(expiry_sweep_seconds=0, run_inspections=False))
        ) as url:
            yield Site(url, bazaar, operator)
    finally:
        store.close()
