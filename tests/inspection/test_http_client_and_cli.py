"""The Python client's inspection methods and the ``volition inspect``/``inspection`` commands,
against a served bazaar with the offline buyer and the weather bots."""

from __future__ import annotations

import json

import pytest

from tests.support.http_world import (
    BUDGET,
    CHECK_PRICE,
    CONFIRMATION,
    FORECAST,
    QUERY,
    REFUTATION,
    served,
    weather_bots,
    weather_engine,
)
from tests.support.inspection import PASSWORD, World
from volition.bazaar.client import BazaarClient, InspectionTimeout
from volition.bazaar.domain.follow_ups import FORGOTTEN_QUERY
from volition.bazaar.errors import Conflict, Forbidden, NotFound
from volition.cli import output, run
from volition.errors import InputError


def test_the_client_starts_waits_for_and_reads_an_inspection(world: World) -> None:
    weather_bots(world, CONFIRMATION)
    with served(world, weather_engine(world)) as api, BazaarClient(api.base_url) as client:
        client.sign_in("alice", PASSWORD)
        context = client.post_context(QUERY, budget=BUDGET)
        started = client.start_inspection(context.id, policy="all", max_depth=1)
        assert started.status in {"running", "done"} and started.limits.policy == "all"
        polls: list[int] = []
        done = client.wait_for_inspection(
            started.id, timeout=30, interval=0.05, on_poll=lambda i: polls.append(len(i.nodes))
        )
        assert done.status == "done" and polls[-1] == 2
        assert [n.depth for n in done.nodes] == [0, 1]
        assert done.spent == FORECAST.price + CHECK_PRICE
        assert client.context_inspection(context.id).id == done.id
        assert client.inspection(done.id) == done
        with pytest.raises(Conflict, match="already being inspected"):
            client.start_inspection(context.id)
        with pytest.raises(InputError, match="policy"):
            client.start_inspection(client.post_context(QUERY, budget=10).id, policy="most")
        with pytest.raises(Forbidden):
            client.inspection_audit(done.id)
        client.sign_in("root", PASSWORD)
        assert [c.action for c in client.inspection_audit(done.id)] == ["follow_up", "buy", "buy"]
        with pytest.raises(NotFound):
            client.inspection("ins_nothing")


def test_waiting_gives_up_after_its_timeout(world: World) -> None:
    weather_bots(world, CONFIRMATION)
    engine = weather_engine(world, min_offers=10)  # waits for offers that never come
    with served(world, engine) as api, BazaarClient(api.base_url) as client:
        client.sign_in("alice", PASSWORD)
        started = client.start_inspection(client.post_context(QUERY, budget=BUDGET).id)
        with pytest.raises(InspectionTimeout, match=r"still running after 0\.3 s"):
            client.wait_for_inspection(started.id, timeout=0.3, interval=0.05)


def test_volition_inspect_prints_the_tree_and_the_purchases(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output.console, "width", 200)  # one line per node, as on a wide screen
    weather_bots(world, REFUTATION)
    with served(world, weather_engine(world)) as api, BazaarClient(api.base_url) as client:
        token = client.sign_in("alice", PASSWORD).access_token
        context = client.post_context(QUERY, budget=BUDGET)
        capsys.readouterr()
        args = ["inspect", context.id, "--server", api.base_url, "--token", token]
        assert run([*args, "--policy", "all", "--timeout", "30"]) == 0
        out = capsys.readouterr().out
        assert f"[depth 0] {QUERY}" in out
        # the inspector read the forecast and did not buy it (refuted): what it asked in its
        # follow-up is forgotten, even under "all" (domain.follow_ups)
        assert f"[depth 1] {FORGOTTEN_QUERY}" in out and "Is this accurate" not in out
        assert "done, bought" in out
        assert REFUTATION in out  # policy all: the follow-up's purchase is the buyer's to keep
        assert FORECAST.private_info not in out  # refuted, so not bought: forgotten

        inspection_id = client.context_inspection(context.id).id
        show = ["inspection", inspection_id, "--url", api.base_url, "--json"]
        assert run([*show, "--user", "alice", "--password", PASSWORD]) == 0
        shown = json.loads(capsys.readouterr().out)
        assert shown["inspection"]["id"] == inspection_id
        assert [p["offer"]["private_info"] for p in shown["purchases"]] == [REFUTATION]

        assert run([*show, "--user", "root", "--password", PASSWORD]) == 0
        as_operator = capsys.readouterr().out
        assert "purchases" not in json.loads(as_operator) and REFUTATION not in as_operator

        assert run(["inspect", context.id, "--url", api.base_url, "--token", token]) == 2
        assert "already being inspected" in capsys.readouterr().err
        assert run(["inspect", context.id, "--url", api.base_url]) == 2
        assert "--token" in capsys.readouterr().err
        other = client.post_context("Another question?", budget=BUDGET)
        assert (
            run(["inspect", other.id, "--url", api.base_url, "--token", token, "--agent", "gpt"])
            == 2
        )
        assert "this server inspects with 'offline', not 'gpt'" in capsys.readouterr().err
        command = ["inspect", other.id, "--url", api.base_url, "--token", token]
        assert run([*command, "--inspector", "mini"]) == 2  # this engine has no inspectors
        assert "no inspectors to choose from" in capsys.readouterr().err
        assert client.context(other.id).status == "open"  # refused: nothing started
