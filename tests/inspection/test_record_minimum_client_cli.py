"""A context's record minimum through the Python client and ``volition ask --min-record ...``
against a served bazaar (docs/theory.md §5, Track records and record minimums): posted, shown
back, and bad values refused with one line and nothing reserved."""

from __future__ import annotations

import json

import pytest

from tests.support.http_world import QUERY, served
from tests.support.inspection import World
from tests.support.people import PASSWORD
from volition.bazaar.client import BazaarClient
from volition.cli import run
from volition.errors import InputError


def _cash(world: World) -> int:
    return world.bazaar.balances(world.bazaar.find_user("alice").id).cash


def test_the_client_posts_a_record_minimum(world: World) -> None:
    with served(world, None) as api, BazaarClient(api.base_url) as client:
        client.sign_in("alice", PASSWORD)
        minimum = {"min_offers_bought": 3, "max_calibration_gap": 0.2, "admit_newcomers": False}
        posted = client.post_context(QUERY, 100, record_minimum=minimum)
        assert posted.record_minimum is not None
        assert posted.record_minimum.model_dump() == minimum | {"min_value_per_dollar": None}
        assert client.post_context(QUERY, 100).record_minimum is None
        cash = _cash(world)
        with pytest.raises(InputError, match="max_calibration_gap"):
            client.post_context(QUERY, 100, record_minimum={"max_calibration_gap": 2})
        assert _cash(world) == cash


def test_volition_ask_posts_a_record_minimum(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    with served(world, None) as api:
        login = ["--url", api.base_url, "--user", "alice", "--password", PASSWORD]
        ask = ["ask", QUERY, "--budget", "100", *login]
        strict = ["--min-record", "2", "--min-value-per-dollar", "0.25"]
        assert run([*ask, *strict, "--max-calibration-gap", "0.3", "--json"]) == 0
        posted = json.loads(capsys.readouterr().out)["context"]
        assert posted["record_minimum"] == {
            "min_offers_bought": 2,
            "min_value_per_dollar": 0.25,
            "max_calibration_gap": 0.3,
            "admit_newcomers": True,
        }
        assert run([*ask, "--no-admit-newcomers"]) == 0
        out = capsys.readouterr().out
        assert "at least 0 offers bought" in out and "newcomers refused" in out
        assert run([*ask, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["context"]["record_minimum"] is None
        cash = _cash(world)
        for bad, says in (
            (["--min-record", "-1"], "min_offers_bought"),
            (["--max-calibration-gap", "1.5"], "max_calibration_gap"),
            (["--min-value-per-dollar", "1e300"], "min_value_per_dollar"),
        ):
            assert run([*ask, *bad]) == 2, bad
            err = capsys.readouterr().err
            assert says in err and len(err.strip().splitlines()) == 1, err
        assert _cash(world) == cash
