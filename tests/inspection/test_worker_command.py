"""``volition worker`` and the inspection wiring of ``volition serve`` (on SQLite)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.inspection import make_world
from tests.support.servers import free_port
from volition.bazaar.api import ApiSettings
from volition.bazaar.api.deps import services_of
from volition.bazaar.config import PlatformSettings
from volition.bazaar.inspection import (
    Inspection,
    InspectionEngine,
    InspectionLimits,
    InspectionStatus,
)
from volition.bazaar.inspectors import Inspectors
from volition.bazaar.platform import BuyerAgents, assemble
from volition.bazaar.server import app_from_env, build_app
from volition.bazaar.storage import SqlInspectionRepository, SqlStore
from volition.cli import run
from volition.errors import InputError


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "bazaar.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def test_a_worker_runs_the_inspections_it_finds_then_exits_with_once(sqlite_url: str) -> None:
    store = SqlStore.open(sqlite_url, migrate=False)
    world = make_world(store)
    seller = world.seller()
    engine = assemble(world.bazaar).engine
    limits = InspectionLimits(max_depth=0, min_offers=2)
    started = []
    for query in ("Will it rain in Oslo?", "Is the train on time?"):
        context = world.post(query, 1_000)
        for preview in ("rain forecast", "train timetable"):
            world.bazaar.post_offer(
                seller.id, context.id, preview=preview, private_info=query, price=100
            )
        started.append(engine.start(world.buyer.id, context.id, limits=limits))
    assert run(["worker", "--database", sqlite_url, "--once", "--log-level", "warning"]) == 0
    for inspection in started:
        assert engine.inspection(inspection.id).status is InspectionStatus.DONE
        assert engine.inspection(inspection.id).agent == "offline"
    assert world.bazaar.purchases(world.buyer.id)  # the offline buyer bought something
    store.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--interval", "0"], "must be positive"),
        (["--log-level", "loud"], "--log-level must be"),
    ],
)
def test_bad_worker_options_say_what_is_wrong(
    args: list[str], message: str, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["worker", "--database", sqlite_url, "--once", *args]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("[", "VOLITION_INSPECTORS is not JSON"),
        ('{"name": "x"}', "must be a JSON list of inspectors"),
        ('[{"name": "a", "base_url": "http://x/v1", "model": "m"}, {"name": "b"}]',
         "VOLITION_INSPECTORS[1].base_url: Field required"),
        ('[{"name": "a", "base_url": "ftp://x", "model": "m"}]',
         "VOLITION_INSPECTORS[0].base_url: Value error, must start with http"),
        ('[{"name": "offline", "base_url": "http://x", "model": "m"}]', "built-in offline"),
        ('[{"name": "a", "base_url": "http://x", "model": "m", "url": "y"}]',
         "VOLITION_INSPECTORS[0].url: Extra inputs are not permitted"),
        ('[{"name": "a", "base_url": "http://x", "model": "m", "prompt_cents_per_million": -1}]',
         "VOLITION_INSPECTORS[0].prompt_cents_per_million: Input should be greater than"),
        ('[{"name": "a", "base_url": "http://x", "model": "m", "api_key": "k", '
         '"api_key_file": "f"}]', "api_key or api_key_file, not both"),
        ('[{"name": "a", "base_url": "http://x", "model": "m", "api_key_file": "/nonexistent"}]',
         "inspector 'a': cannot read its api_key_file /nonexistent"),
        ('[{"name": "a", "base_url": "http://x", "model": "m"}, '
         '{"name": "a", "base_url": "http://y", "model": "m"}]', "VOLITION_INSPECTORS[1].name"),
    ],
)  # fmt: skip
def test_a_bad_inspectors_setting_stops_the_worker_saying_which_entry(
    setting: str,
    message: str,
    sqlite_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VOLITION_INSPECTORS", setting)
    assert run(["worker", "--database", sqlite_url, "--once"]) == 2
    assert message in " ".join(capsys.readouterr().err.split())
    assert run(["serve", "--database", sqlite_url, "--port", "1"]) == 2  # before it listens
    assert message in " ".join(capsys.readouterr().err.split())
    with pytest.raises(InputError, match=re.escape(message)):
        PlatformSettings.from_env()


def test_inspectors_read_their_key_from_a_file_and_never_show_it(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text("sk-test-123\n")
    inspectors = Inspectors.parse(
        json.dumps(
            [
                {"name": "a", "base_url": "http://127.0.0.1:9/v1", "model": "m",
                 "api_key_file": str(key)},
                {"name": "b", "base_url": "http://127.0.0.1:9/v1", "model": "m",
                 "api_key": "sk-inline-456"},
            ]
        )
    )  # fmt: skip
    assert inspectors.endpoint("a").api_key == "sk-test-123"
    assert inspectors.endpoint("b").api_key == "sk-inline-456"
    shown = repr(inspectors) + repr(inspectors.public()) + repr(inspectors.endpoint("a"))
    assert "sk-" not in shown and "127.0.0.1" not in repr(inspectors.public())

    def named(agent: str, inspector: str | None) -> Inspection:
        return Inspection(
            "ins", "ctx", "usr", agent, InspectionLimits(), "nod", InspectionStatus.RUNNING,
            datetime.now(UTC), inspector=inspector,
        )  # fmt: skip

    choose = BuyerAgents(inspectors)
    assert choose(named("offline", "offline")).name == "offline"
    assert choose(named("llm", "a")).name == "llm"
    assert choose.pricing(named("llm", "a")).free
    with pytest.raises(InputError, match="unknown buyer agent 'gpt'"):
        choose(named("gpt", None))
    with pytest.raises(InputError, match="no longer inspects"):  # from before inspectors
        choose(named("llm", None))
    with pytest.raises(InputError, match="there is no inspector 'gone'"):  # removed since
        choose(named("llm", "gone"))
    assert choose.choose(None, "a") == ("llm", "a")


def test_serve_builds_an_inspection_engine_on_its_database(sqlite_url: str) -> None:
    store = SqlStore.open(sqlite_url, migrate=False)
    platform = assemble(make_world(store).bazaar)
    services = services_of(build_app(platform))
    engine = services.platform.engine
    assert isinstance(engine.repository, SqlInspectionRepository)
    assert engine.default_agent == "offline" and services.runner is not None
    assert services.runner.extra_work == platform.work  # the bots' job pass, in its thread
    quiet = build_app(platform, ApiSettings(run_inspections=False))  # `volition worker`s step
    assert services_of(quiet).platform.engine is engine
    assert services_of(quiet).runner is None
    store.close()


def test_uvicorn_workers_never_step_inspections(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOLITION_DATABASE_URL", sqlite_url)
    services = services_of(app_from_env())
    assert isinstance(services.platform.engine, InspectionEngine)
    assert services.runner is None
    services.platform.close()


def test_the_server_runs_the_bots_pass_in_its_inspection_thread(sqlite_url: str) -> None:
    """The server's runner answers a posted context with a stored bot (the platform's work)."""
    import time

    from volition.bazaar.api.server import serve_in_thread

    store = SqlStore.open(sqlite_url, migrate=False)
    world = make_world(store)
    platform = assemble(world.bazaar)
    seller = world.seller()
    platform.bots.create_bot(
        seller.id, name="rain", kind="fixed", price=10, preview="radar",
        private_info="rain at 2", keywords=["rain"],
    )  # fmt: skip
    app = build_app(platform, ApiSettings(expiry_sweep_seconds=0))
    runner = services_of(app).runner
    assert runner is not None
    with serve_in_thread(app):
        context = world.post("Will it rain in Oslo?", 1_000)
        deadline = time.monotonic() + 20
        while not world.bazaar.offers(seller.id, context.id):
            assert time.monotonic() < deadline, "the runner never ran the bots' pass"
            time.sleep(0.05)
    assert runner._thread is None  # stopped with the server
    store.close()


def test_serve_with_several_workers_runs_inspections_in_its_supervisor(
    sqlite_url: str, tmp_path: Path
) -> None:
    """``volition serve --workers 2``: uvicorn's workers never step; the supervising process's
    runner does, finding by polling an inspection started by another process."""
    import subprocess
    import sys
    import time

    store = SqlStore.open(sqlite_url, migrate=False)
    world = make_world(store)
    seller = world.seller()
    context = world.post("Will it rain in Oslo?", 1_000)
    world.bazaar.post_offer(seller.id, context.id, preview="rain", private_info="rain", price=10)
    engine = assemble(world.bazaar).engine
    limits = InspectionLimits(max_depth=0, min_offers=1)
    inspection = engine.start(world.buyer.id, context.id, limits=limits)
    port = free_port()
    volition = str(Path(sys.executable).with_name("volition"))
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [volition, "serve", "--database", sqlite_url, "--port", str(port), "--workers", "2"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 240  # three processes import the package first
        while engine.inspection(inspection.id).status is not InspectionStatus.DONE:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "the server never ran the inspection"
            time.sleep(0.2)
    finally:
        server.terminate()
        # the supervisor waits for workers still importing the app (20-35 s on a loaded
        # 2-core machine) before it stops them: SIGTERM can land before they are up
        server.wait(120)
        log.close()
    assert [o.preview for _, o in world.bazaar.purchases(world.buyer.id)] == ["rain"]
    store.close()
