"""The tests' one pytest plugin (registered in tests/conftest.py): databases, served apps,
a browser and a scripted model server, as fixtures any folder may use.

- Databases: ``sqlite_template`` (a migrated SQLite file, copied per test), ``pg_url``,
  ``inspection_pg_url``, ``conformance_pg_url`` (a migrated PostgreSQL database of this run and
  xdist worker each, dropped after), ``store_factory``/``store`` (fresh stores of every kind).
- The bazaar's people: ``clock``, ``bazaar``, ``cast`` (domain), ``w`` (the HTTP API served by
  uvicorn with everyone signed in), ``site`` (the web pages served).
- Agents: ``server`` (a scripted OpenAI-protocol model server on loopback).
- Browser: ``browser`` (headless Chromium through Playwright), ``shots`` (screenshot folder).

A folder's conftest may override a fixture for its tests (tests/inspection runs ``store`` on the
memory and SQLite stores only). Heavy libraries are imported inside the fixtures that use them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.databases import STORE_KINDS, StoreFactory, migrated_sqlite, pg_database
from tests.support.people import CHEAP_HASHER, PASSWORD, FakeClock

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from tests.support.bazaar import ApiWorld, Cast
    from tests.support.demo import Demo
    from tests.support.two_servers import TwoServers
    from tests.support.web import Site
    from volition.agents.scripted_server import ScriptedOpenAIServer
    from volition.bazaar.domain import Bazaar, Store


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test instead of migrating again."""
    return migrated_sqlite(tmp_path_factory.mktemp("template") / "template.db")


@pytest.fixture(scope="session")
def pg_url(worker_id: str) -> Iterator[str]:
    """A migrated PostgreSQL database of this xdist worker's own, dropped afterwards."""
    yield from pg_database("volition_test", worker_id)


@pytest.fixture
def two_pg_servers(pg_url: str) -> Iterator[TwoServers]:
    """Two API servers on this worker's emptied PostgreSQL database (``two_servers``)."""
    from tests.support.two_servers import two_servers

    with two_servers(pg_url) as both:
        yield both


@pytest.fixture(scope="session")
def inspection_pg_url(worker_id: str) -> Iterator[str]:
    """The PostgreSQL database of this xdist worker's inspection tests."""
    yield from pg_database("volition_insp", worker_id)


@pytest.fixture(scope="session")
def conformance_pg_url(worker_id: str) -> Iterator[str]:
    """The PostgreSQL database of this xdist worker's conformance tests."""
    yield from pg_database("volition_conf", worker_id)


@pytest.fixture(params=STORE_KINDS)
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Fresh, empty, migrated stores of one kind (memory, SQLite, PostgreSQL in turn)."""
    factory = StoreFactory(request.param, request, tmp_path)
    yield factory
    factory.close()


@pytest.fixture
def store(store_factory: StoreFactory) -> Store:
    return store_factory()


@pytest.fixture
def bazaar(store: Store, clock: FakeClock) -> Bazaar:
    from volition.bazaar.domain import Bazaar, BazaarSettings

    return Bazaar(store, hasher=CHEAP_HASHER, settings=BazaarSettings(), clock=clock)


@pytest.fixture
def cast(bazaar: Bazaar) -> Cast:
    """An operator, two funded buyers, a seller and a funded buyer-seller."""
    from tests.support.bazaar import Cast

    operator = bazaar.bootstrap_operator("root", PASSWORD)
    buyer = bazaar.register("alice", PASSWORD, buyer=True)
    other_buyer = bazaar.register("bob", PASSWORD, buyer=True)
    seller = bazaar.register("carol", PASSWORD, buyer=False, seller=True)
    other_seller = bazaar.register("dave", PASSWORD, buyer=True, seller=True)
    for user in (buyer, other_buyer, other_seller):
        bazaar.credit(operator.id, user.id, 10_000)
    return Cast(operator, buyer, other_buyer, seller, other_seller)


@pytest.fixture(name="w")
def api_world(store_factory: StoreFactory) -> Iterator[ApiWorld]:
    """The HTTP API served by uvicorn on a SQL store, the cast of ``cast`` signed in."""
    from tests.support.api import Api
    from tests.support.bazaar import ApiWorld
    from volition.bazaar.api import ApiSettings
    from volition.bazaar.api.server import serve_in_thread
    from volition.bazaar.domain import Bazaar
    from volition.bazaar.platform import assemble
    from volition.bazaar.server import build_app

    if store_factory.kind == "memory":
        pytest.skip("the HTTP API is tested on the SQL stores")
    bazaar = Bazaar(store_factory(), hasher=CHEAP_HASHER)
    bazaar.bootstrap_operator("root", PASSWORD)
    # as `volition serve --no-inspections`: the bots' passes run when a test calls them
    quiet = ApiSettings(expiry_sweep_seconds=0, run_inspections=False)
    with serve_in_thread(build_app(assemble(bazaar), quiet)) as url:
        api = Api(url)
        operator = api.sign_in("root")
        world = ApiWorld(
            api=api,
            bazaar=bazaar,
            operator=operator,
            buyer=api.sign_up("alice"),
            other_buyer=api.sign_up("bob"),
            seller=api.sign_up("carol", ("seller",)),
            other_seller=api.sign_up("dave", ("buyer", "seller")),
        )
        for name in ("alice", "bob", "dave"):
            r = operator.post("/api/operator/credits", json={"user": name, "cents": 10_000})
            assert r.status_code == 201, r.text
        try:
            yield world
        finally:
            api.close()


@pytest.fixture
def site(sqlite_template: Path, tmp_path: Path) -> Iterator[Site]:
    """The web pages and API served by uvicorn on a SQLite copy, with its operator."""
    from tests.support.databases import sqlite_copy
    from tests.support.web import Site
    from volition.bazaar.api import ApiSettings
    from volition.bazaar.api.server import serve_in_thread
    from volition.bazaar.domain import Bazaar
    from volition.bazaar.platform import assemble
    from volition.bazaar.server import build_app

    store = sqlite_copy(sqlite_template, tmp_path / "bazaar.db")
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    operator = bazaar.bootstrap_operator("root", PASSWORD)
    try:
        # as `volition serve --no-inspections`: the bots' passes run when a test calls them
        quiet = ApiSettings(expiry_sweep_seconds=0, run_inspections=False)
        with serve_in_thread(build_app(assemble(bazaar), quiet)) as url:
            yield Site(url, bazaar, operator)
    finally:
        store.close()


@pytest.fixture
def server() -> Iterator[ScriptedOpenAIServer]:
    """A scripted OpenAI-protocol model server on loopback (push its replies)."""
    from volition.agents.scripted_server import ScriptedOpenAIServer

    with ScriptedOpenAIServer() as s:
        yield s


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium, a fresh temporary profile for each test."""
    from playwright.sync_api import sync_playwright

    from tests.support.browser import CHROMIUM_ARGS, chromium

    executable = chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: ``$VOLITION_SCREENSHOTS`` when set, else a tmp folder."""
    folder = Path(os.environ.get("VOLITION_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    """The demo served in a thread on its seeded database (``tests.support.demo``)."""
    from tests.support.demo import demo_in_thread

    with demo_in_thread(tmp_path) as served:
        yield served
