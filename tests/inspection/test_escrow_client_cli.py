"""Pay-on-resolution offers through the Python client and the command line, bought by the
offline buyer in a real inspection (issue 13): ``volition ask --max-escrow``, ``volition offer
--rate --cap``, ``BazaarClient.post_offer(pay_on_resolution=...)``; the escrow settles on the
value of the step that bought it, read from the forecast's path."""

from __future__ import annotations

import json
import math

import pytest

from tests.support.http_world import CONFIRMATION, QUERY, served, weather_bots, weather_engine
from tests.support.inspection import FUNDS, World
from tests.support.people import PASSWORD
from volition.bazaar.client import BazaarClient
from volition.bazaar.domain import audit
from volition.cli import run
from volition.errors import InputError

STAKE = 300
PREVIEW = "Paris rain forecast for tomorrow: rain"
PRIVATE = "Tomorrow in Paris: rain, rain all day says the morning model run"


def test_an_inspection_buys_a_pay_on_resolution_offer_and_the_escrow_settles(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    weather_bots(world, CONFIRMATION)
    world.bazaar.register("carol", PASSWORD, seller=True)
    with served(world, weather_engine(world)) as api, BazaarClient(api.base_url) as alice:
        login = ["--url", api.base_url, "--user", "alice", "--password", PASSWORD]
        question = ["--outcome", "rain", "--outcome", "dry", "--closes-in", "60"]
        ask = ["ask", QUERY, "--budget", "1000", *question, *login]
        assert run([*ask, "--max-escrow", str(STAKE), "--json"]) == 0
        context = json.loads(capsys.readouterr().out)["context"]
        assert context["forecast"]["max_escrow"] == STAKE
        assert run(["ask", QUERY, "--budget", "10", "--max-escrow", "5", *login]) == 2
        assert "--max-escrow need --outcome" in capsys.readouterr().err

        seller = ["--url", api.base_url, "--user", "carol", "--password", PASSWORD]
        offer = ["offer", context["id"], "--preview", PREVIEW, "--private-info", PRIVATE]
        assert run([*offer, "--price", "0", "--rate", "0.5", *seller]) == 2
        assert "both --rate" in capsys.readouterr().err
        assert run([*offer, "--price", "0", "--rate", "0.5", "--cap", "301", *seller]) == 2
        assert "accepts escrow caps up to 300" in capsys.readouterr().err
        assert run([*offer, "--price", "0", "--rate", "0.5", "--cap", "120", *seller]) == 0
        assert "pays 0.5 of its realised value at resolution, up to 120" in (
            capsys.readouterr().out
        )
        with BazaarClient(api.base_url) as carol:
            carol.sign_in("carol", PASSWORD)
            with pytest.raises(InputError, match="rate"):
                carol.post_offer(
                    context["id"], preview="p", private_info="s", price=1, pay_on_resolution=(2, 5)
                )
            shown = carol.offers(context["id"])
        (mine,) = [o for o in shown if o.pay_on_resolution is not None]
        assert (mine.pay_on_resolution.rate, mine.pay_on_resolution.cap) == (0.5, 120)

        alice.sign_in("alice", PASSWORD)
        inspection = alice.start_inspection(context["id"])
        alice.wait_for_inspection(inspection.id, timeout=30)
        seen = alice.forecast(context["id"])
        assert seen.path is not None and seen.escrows is not None
        (held,) = seen.escrows  # the offline buyer counted price + cap, and bought it
        assert held.offer_id == mine.id and not held.settled
        step = next(s for s in seen.path if mine.id in s.offer_ids)
        before, after = seen.path[step.seq - 1].forecast, step.forecast
        assert before is not None and after is not None
        value = math.log(after[0]) - math.log(before[0])  # it resolves to rain
        expected = math.floor(min(120, max(0, 0.5 * STAKE * value)))
        assert expected > 0
        world.clock.advance(60)

        root = BazaarClient(api.base_url)
        token = root.sign_in("root", PASSWORD).access_token
        root.close()
        assert run(["resolve", context["id"], "rain", "--url", api.base_url, "--token", token]) == 0
        capsys.readouterr()
        (settled,) = alice.forecast(context["id"]).escrows or []
        assert (settled.payment, settled.refund) == (expected, 120 - expected)
        assert settled.realised_value == pytest.approx(value)
        assert audit(world.bazaar.store) == [] and world.money() == FUNDS
