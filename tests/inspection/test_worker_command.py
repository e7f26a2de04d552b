"""``volition worker`` and the inspection wiring of ``volition serve`` (on SQLite)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.inspection.helpers import make_world
from volition.agents import Endpoint
from volition.bazaar.api.factory import app_from_env, inspection_engine
from volition.bazaar.domain.bot_service import BotService
from volition.bazaar.errors import Conflict
from volition.bazaar.inspection import (
    Inspection,
    InspectionEngine,
    InspectionLimits,
    InspectionStatus,
)
from volition.bazaar.platform import BuyerAgents
from volition.bazaar.storage import SqlInspectionRepository, SqlStore
from volition.cli import run
from volition.cli.bazaar import build_app
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
    engine = inspection_engine(world.bazaar, store)
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
        (["--agent", "gpt"], "--agent must be one of offline, llm"),
        (["--llm-key-file", "k"], "--llm-key-file needs --llm-base-url"),
        (["--llm-base-url", "ftp://x"], "must start with http"),
        (["--llm-base-url", "http://x", "--llm-key-file", "/nonexistent"], "cannot read"),
        (["--interval", "0"], "must be positive"),
        (["--log-level", "loud"], "--log-level must be"),
    ],
)
def test_bad_worker_options_say_what_is_wrong(
    args: list[str], message: str, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["worker", "--database", sqlite_url, "--once", *args]) == 2
    assert message in capsys.readouterr().err


def test_the_worker_reads_the_key_from_a_file_and_picks_agents_by_name(
    tmp_path: Path, sqlite_url: str
) -> None:
    key = tmp_path / "key"
    key.write_text("sk-test-123\n")
    from volition.cli.worker_commands import _endpoint

    endpoint = _endpoint("http://127.0.0.1:9/v1", "m", key, 5)
    assert endpoint is not None and endpoint.api_key == "sk-test-123"
    assert "sk-test" not in repr(endpoint)

    def named(agent: str) -> Inspection:
        return Inspection("ins", "ctx", "usr", agent, InspectionLimits(), "nod", None, None)  # type: ignore[arg-type]

    service = BotService(make_world(SqlStore.open(sqlite_url)).bazaar)
    choose = BuyerAgents(service, endpoint=Endpoint("http://127.0.0.1:9/v1", "m"))
    assert choose(named("offline")).name == "offline"
    assert choose(named("llm")).name == "llm"
    with pytest.raises(InputError, match="unknown buyer agent 'gpt'"):
        choose(named("gpt"))
    with pytest.raises(Conflict, match="no LLM endpoint"):  # no worker endpoint, none stored
        BuyerAgents(service)(named("llm"))
    assert BuyerAgents(service, forced="offline")(named("llm")).name == "offline"


def test_serve_builds_an_inspection_engine_on_its_database(sqlite_url: str) -> None:
    store = SqlStore.open(sqlite_url, migrate=False)
    bazaar = make_world(store).bazaar
    app = build_app(bazaar, store)
    engine = app.state.inspections
    assert isinstance(engine, InspectionEngine)
    assert isinstance(engine.repository, SqlInspectionRepository)
    assert engine.default_agent == "offline" and app.state.inspection_runner is not None
    quiet = build_app(bazaar, store, run_inspections=False)  # `volition worker`s step them
    assert isinstance(quiet.state.inspections, InspectionEngine)
    assert quiet.state.inspection_runner is None
    store.close()


def test_uvicorn_workers_never_step_inspections(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOLITION_DATABASE_URL", sqlite_url)
    app = app_from_env()
    assert isinstance(app.state.inspections, InspectionEngine)
    assert app.state.inspection_runner is None
    app.state.bazaar.store.close()


def test_the_server_runs_extra_work_in_its_inspection_thread(sqlite_url: str) -> None:
    """``create_app(inspection_work=...)``: the bot jobs' seam, run on each pass of the runner."""
    import time

    from volition.bazaar.api import ApiSettings, create_app
    from volition.bazaar.api.server import serve_in_thread

    store = SqlStore.open(sqlite_url, migrate=False)
    bazaar = make_world(store).bazaar
    passes: list[int] = []

    def job() -> int:
        passes.append(1)
        return 0

    settings = ApiSettings(expiry_sweep_seconds=0)
    app = create_app(
        bazaar, settings, inspections=inspection_engine(bazaar, store), inspection_work=[job]
    )
    assert app.state.inspection_runner.extra_work == (job,)
    with serve_in_thread(app):
        deadline = time.monotonic() + 20
        while not passes:
            assert time.monotonic() < deadline, "the runner never ran the extra work"
            time.sleep(0.05)
    assert app.state.inspection_runner._thread is None  # stopped with the server
    store.close()


def test_serve_with_several_workers_runs_inspections_in_its_supervisor(
    sqlite_url: str, tmp_path: Path
) -> None:
    """``volition serve --workers 2``: uvicorn's workers never step; the supervising process's
    runner does, finding by polling an inspection started by another process."""
    import socket
    import subprocess
    import sys
    import time

    store = SqlStore.open(sqlite_url, migrate=False)
    world = make_world(store)
    seller = world.seller()
    context = world.post("Will it rain in Oslo?", 1_000)
    world.bazaar.post_offer(seller.id, context.id, preview="rain", private_info="rain", price=10)
    engine = inspection_engine(world.bazaar, store)
    limits = InspectionLimits(max_depth=0, min_offers=1)
    inspection = engine.start(world.buyer.id, context.id, limits=limits)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
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
