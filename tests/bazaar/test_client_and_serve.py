"""The Python client against a live server, and ``volition serve --demo`` end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.bazaar import ApiWorld
from tests.support.databases import SQL_KINDS
from tests.support.servers import free_port, wait_until_ready
from volition.bazaar.client import BazaarClient
from volition.bazaar.demo import DEMO_LOGINS
from volition.bazaar.errors import Conflict, Forbidden, InsufficientFunds, NotFound, Unauthorized


@pytest.mark.parametrize("store_factory", SQL_KINDS[:1], indirect=True)
def test_the_client_covers_a_market_round(w: ApiWorld) -> None:
    url = w.api.base_url
    with BazaarClient(url) as alice, BazaarClient(url) as carol, BazaarClient(url) as root:
        alice.sign_in("alice", "correct horse battery")
        carol.sign_up("erin", "long password", roles=("seller",))
        carol.sign_in("erin", "long password")
        root.sign_in("root", "correct horse battery")
        carol.add_matcher(["oslo"], min_budget=100, min_purchase_rate=0.5)
        [matcher] = carol.matchers()
        ctx = alice.post_context("Rain in Oslo?", 500, idempotency_key="c1")
        assert alice.post_context("Rain in Oslo?", 500, idempotency_key="c1").id == ctx.id
        assert [c.id for c in carol.inbox()] == [ctx.id]
        offer = carol.post_offer(ctx.id, preview="radar", private_info="rain at 2", price=200)
        assert offer.private_info == "rain at 2"
        assert alice.offer(offer.id).private_info is None
        assert [o.id for o in alice.offers(ctx.id)] == [offer.id]
        bought = alice.buy(offer.id)
        assert bought.mechanism == "naive" and bought.offer and bought.offer.private_info
        with pytest.raises(Conflict):
            alice.buy(offer.id)
        with pytest.raises(InsufficientFunds):
            alice.post_context("too much", 10**9)
        with pytest.raises(NotFound):
            alice.context("ctx_nope")
        with pytest.raises(Forbidden):
            alice.credit("alice", 5)
        assert carol.me().balances.earnings == 200
        carol.cash_out(50, idempotency_key="out")
        carol.cash_out(50, idempotency_key="out")
        with pytest.raises(InsufficientFunds):
            carol.cash_out(151)
        assert carol.me().balances.earnings == 150
        carol.cash_out(150)
        assert [p.offer_id for p in alice.purchases()] == [offer.id]
        assert alice.decide(ctx.id).status == "decided"
        assert alice.me().balances.cash == 10_000 - 200
        assert alice.ledger()[0].kind == "release"
        assert ctx.id in [c.id for c in alice.contexts(mine=True)]
        root.credit("erin", 300, idempotency_key="k")
        assert carol.me().balances.cash == 500
        carol.remove_matcher(matcher.id)
        assert carol.matchers() == []
        other = alice.post_context("second", 10)
        assert alice.cancel(other.id).status == "cancelled"
        assert root.audit().sound
        with pytest.raises(Forbidden):
            alice.audit()
        assert root.grant_operator("erin").is_operator
        alice.sign_out()
        with pytest.raises(Unauthorized):
            alice.me()


def test_volition_serve_demo_runs_the_platform(tmp_path: Path) -> None:
    port = free_port()
    database = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {k: v for k, v in os.environ.items() if k != "VOLITION_DATABASE_URL"}
    launcher = "from volition.cli import main; main()"
    command = [sys.executable, "-c", launcher, "serve", "--demo", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--database", database],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(server, base, timeout=60)
        login = next(x for x in DEMO_LOGINS if x.name == "alice")
        with BazaarClient(base) as alice:
            alice.sign_in(login.name, login.password)
            mine = alice.contexts(mine=True)  # rain, laptops, and the forecast question
            assert len(mine) == 3 and sum(c.forecast is not None for c in mine) == 0
            assert alice.me().balances.reserved == 13_00
            [question] = [c for c in mine if c.query.startswith("Forecast:")]
            assert alice.context(question.id).forecast is not None  # shown one by one
            # the demo's bots and the offline buyer run in the server: an inspection recurses
            rain = next(c for c in alice.contexts(mine=True) if "rain" in c.query)
            started = alice.start_inspection(rain.id, gather_seconds=1)
            done = alice.wait_for_inspection(started.id, timeout=60, interval=0.2)
            assert [n.depth for n in done.nodes] == [0, 1] and done.bought
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}" in output
    assert "alice / alice-demo-password" in output
    assert "Authorization" not in output and "Bearer" not in output


def test_volition_operator_creates_the_first_operator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from volition.bazaar.storage import SqlStore
    from volition.cli import run

    database = f"sqlite:///{tmp_path / 'op.db'}"
    monkeypatch.setenv("VOLITION_OPERATOR_PASSWORD", "a long operator password")
    assert run(["operator", "root", "--database", database]) == 0
    assert run(["operator", "root", "--database", database]) == 2  # the name is taken
    store = SqlStore.open(database)
    with store.begin(write=False) as uow:
        user = uow.users.get_by_name("root")
    store.close()
    assert user is not None and user.is_operator
    assert "a long operator password" not in user.password_hash


def test_worker_processes_build_their_app_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from volition.bazaar.api import ApiSettings
    from volition.bazaar.api.deps import services_of
    from volition.bazaar.config import PlatformSettings
    from volition.bazaar.server import app_from_env
    from volition.bazaar.storage import SqlStore
    from volition.errors import InputError

    url = f"sqlite:///{tmp_path / 'workers.db'}"
    SqlStore.open(url).close()  # the parent migrates once
    monkeypatch.setenv("VOLITION_DATABASE_URL", url)
    monkeypatch.setenv("VOLITION_STARTING_GRANT", "250")
    monkeypatch.setenv("VOLITION_CORS_ORIGINS", "https://a.example,https://b.example")
    settings = PlatformSettings.from_env()
    assert settings.starting_grant == 250
    assert ApiSettings.of(settings).cors_origins == ("https://a.example", "https://b.example")
    platform = services_of(app_from_env()).platform
    assert platform.bazaar.settings.starting_grant == 250
    platform.close()
    monkeypatch.setenv("VOLITION_STARTING_GRANT", "-5")
    with pytest.raises(InputError, match="STARTING_GRANT"):
        app_from_env()


@pytest.mark.parametrize("store_factory", SQL_KINDS[:1], indirect=True)
def test_volition_contexts_reads_a_running_server(
    w: ApiWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from volition.cli import run

    r = w.buyer.post("/api/contexts", json={"query": "Rain in Oslo?", "budget": 100})
    assert r.status_code == 201
    assert run(["contexts", "--url", w.api.base_url, "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)["contexts"]
    assert listed["query"] == "Rain in Oslo?" and listed["remaining"] is None
    assert run(["contexts", "--url", w.api.base_url]) == 0
    assert "Rain in Oslo?" in capsys.readouterr().out
    assert run(["contexts", "--url", "http://127.0.0.1:9"]) == 2
