"""Buyers' rates in sellers' matchers from the command line, over HTTP: ``volition
matcher-add`` and ``volition bot-add`` take ``--min-inspection-rate`` and
``--min-purchase-rate`` (kept, listed by ``matchers``; a rate above 1 refused with one line
and nothing added), and the inbox lets through only buyers whose rates are high enough."""

from __future__ import annotations

import json

import pytest

from tests.support.bazaar import ApiWorld
from tests.support.databases import SQL_KINDS
from tests.support.people import PASSWORD
from volition.bazaar.domain import BotService, ContextSpec
from volition.cli import run


@pytest.mark.parametrize("store_factory", SQL_KINDS[:1], indirect=True)
def test_matchers_and_bots_take_buyers_rates(
    w: ApiWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VOLITION_PASSWORD", PASSWORD)
    args = ["--user", "carol", "--url", w.api.base_url]
    carol = w.bazaar.find_user("carol")
    for bad in (["--min-inspection-rate", "1.5"], ["--min-purchase-rate", "-0.1"]):
        assert run(["matcher-add", *args, *bad]) == 2, bad
        err = capsys.readouterr().err
        assert "rate" in err and len(err.strip().splitlines()) == 1, err
    assert w.bazaar.matchers(carol.id) == []

    rates = ["--min-inspection-rate", "0.6", "--min-purchase-rate", "0.4"]
    assert run(["matcher-add", *args, "--keyword", "rain", *rates, "--json"]) == 0
    added = json.loads(capsys.readouterr().out)["matcher"]
    assert (added["min_inspection_rate"], added["min_purchase_rate"]) == (0.6, 0.4)
    assert run(["matchers", *args]) == 0
    listed = capsys.readouterr().out
    assert added["id"] in listed and "0.6" in listed and "0.4" in listed

    # alice has bought nothing of her offers so far: smoothed purchase rate 1/3 < 0.4
    alice = w.bazaar.find_user("alice")
    ctx = w.bazaar.post_context(alice.id, ContextSpec("Will it rain?", 100))
    offer = w.bazaar.post_offer(carol.id, ctx.id, preview="p", private_info="s", price=10)
    w.bazaar.mark_inspected(alice.id, offer.id)
    assert w.bazaar.inbox(carol.id) == []
    w.bazaar.buy_inspected(alice.id, offer.id)  # now 2/3 inspected and bought
    assert [c.id for c in w.bazaar.inbox(carol.id)] == [ctx.id]

    bot = ["bot-add", "checker", *args, "--preview", "p", "--private-info", "s", "--price", "5"]
    assert run([*bot, "--min-purchase-rate", "2"]) == 2
    assert "rate" in capsys.readouterr().err
    assert BotService(w.bazaar).bots(carol.id) == []
    assert run([*bot, *rates]) == 0
    [made] = BotService(w.bazaar).bots(carol.id)
    assert (made.min_inspection_rate, made.min_purchase_rate) == (0.6, 0.4)
