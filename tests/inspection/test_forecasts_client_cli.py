"""The Python client's forecast methods and ``volition resolve`` / ``volition record``, against
a served bazaar with the offline buyer and the weather bots (issue 13)."""

from __future__ import annotations

import json
import math

import pytest

from tests.support.http_world import (
    BUDGET,
    CONFIRMATION,
    QUERY,
    served,
    weather_bots,
    weather_engine,
)
from tests.support.inspection import World
from tests.support.people import PASSWORD
from volition.bazaar.client import BazaarClient
from volition.bazaar.errors import Conflict, Forbidden
from volition.cli import COMMANDS, output, run
from volition.errors import InputError


def test_client_and_commands_post_inspect_resolve_and_show_records(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert {"resolve", "record"} <= set(COMMANDS)
    monkeypatch.setattr(output.console, "width", 200)
    bots = weather_bots(world, CONFIRMATION)
    seller = world.bazaar.user(bots.forecaster.user_id).name
    with served(world, weather_engine(world)) as api, BazaarClient(api.base_url) as alice:
        alice.sign_in("alice", PASSWORD)
        question = {"outcomes": ["rain", "dry"], "closes_in_seconds": 60, "rule": "spherical"}
        context = alice.post_context(QUERY, budget=BUDGET, forecast=question)
        assert context.forecast is not None and context.forecast.rule == "spherical"
        with pytest.raises(InputError, match="outcomes"):
            alice.post_context(QUERY, budget=BUDGET, forecast=question | {"outcomes": ["x"]})
        inspection = alice.start_inspection(context.id)
        alice.wait_for_inspection(inspection.id, timeout=30)
        path = alice.forecast(context.id).path
        assert path is not None and len(path) == 3  # prior, the check, the forecast
        with pytest.raises(Forbidden):
            alice.resolve(context.id, "rain")  # the operator resolves
        world.clock.advance(60)

        operator = BazaarClient(api.base_url)
        root = operator.sign_in("root", PASSWORD).access_token
        args = ["resolve", context.id, "rain", "--url", api.base_url, "--token", root]
        assert run([*args, "--json"]) == 0
        resolved = json.loads(capsys.readouterr().out)
        assert resolved["outcome"] == "rain" and resolved["resolved"]
        assert run(args) == 2
        assert "already resolved" in capsys.readouterr().err
        with pytest.raises(Conflict):
            operator.resolve(context.id, "dry")
        operator.close()

        mine = alice.forecast(context.id)
        p = 6 / 7  # the offline buyer's forecast after both steps (see test_forecasts_http)
        assert mine.final_score == pytest.approx(p / math.hypot(p, 1 - p))

        assert run(["record", seller, "--url", api.base_url]) == 0
        table = capsys.readouterr().out
        assert f"track record of {seller}" in table and "0.8571" in table  # rounded
        assert run(["record", seller, "--url", api.base_url, "--json"]) == 0
        record = json.loads(capsys.readouterr().out)
        assert record["offers"] == 1 and record["mean_confidence"] == pytest.approx(p)
        assert run(["record", "nobody", "--url", api.base_url]) == 2
        assert "nobody" in capsys.readouterr().err


def test_volition_ask_posts_a_forecast_question(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """``volition ask --outcome ... --closes-in`` posts a forecast question; a half-given or
    bad question is refused with one line and nothing reserved."""
    with served(world, None) as api:
        login = ["--url", api.base_url, "--user", "alice", "--password", PASSWORD]
        ask = ["ask", QUERY, "--budget", "100", *login]
        cash = world.bazaar.balances(world.bazaar.find_user("alice").id).cash
        question = ["--outcome", "rain", "--outcome", "dry", "--closes-in", "60"]
        assert run([*ask, *question, "--rule", "brier", "--json"]) == 0
        posted = json.loads(capsys.readouterr().out)["context"]
        assert posted["forecast"]["outcomes"] == ["rain", "dry"]
        assert posted["forecast"]["rule"] == "brier" and posted["forecast"]["resolver"] is None
        assert world.bazaar.balances(world.bazaar.find_user("alice").id).cash == cash - 100
        assert run([*ask, *question, "--resolver", "root"]) == 0
        assert "a forecast question: rain / dry" in capsys.readouterr().out
        assert run([*ask, *question, "--resolver", "alice", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["context"]["forecast"]["resolver"] == "alice"
        for bad, says in (
            (["--outcome", "rain", "--outcome", "dry"], "--closes-in"),
            (["--closes-in", "60"], "need --outcome"),
            (["--outcome", "rain", "--closes-in", "60"], "outcomes"),
            ([*question, "--rule", "made-up"], "rule"),
            ([*question, "--resolver", "nobody-here"], "no user 'nobody-here'"),
        ):
            assert run([*ask, *bad]) == 2, bad
            assert says in capsys.readouterr().err, bad
        assert world.bazaar.balances(world.bazaar.find_user("alice").id).cash == cash - 300
