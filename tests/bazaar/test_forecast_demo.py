"""The demo's forecast question: the rail bot answers it, the offline inspector forecasts,
and after its close time the operator resolves it; the bot's track record shows it."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import httpx
import pytest

from tests.support.people import CHEAP_HASHER, FakeClock
from volition.agents import OfflineBuyer
from volition.bazaar.api import ApiSettings
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.bot_dispatch import BotDispatcher
from volition.bazaar.demo import DEMO_QUESTION, DEMO_QUESTION_CLOSES, seed_demo
from volition.bazaar.domain import Bazaar, BotService, MemoryStore, audit
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.inspection import InspectionEngine, InspectionLimits
from volition.bazaar.platform import assemble
from volition.bazaar.server import build_app


def test_the_demo_question_is_inspected_and_resolves() -> None:
    clock = FakeClock()
    bazaar = Bazaar(MemoryStore(), hasher=CHEAP_HASHER, clock=clock)
    seed_demo(bazaar)
    alice, operator = bazaar.find_user("alice"), bazaar.find_user("operator")
    carol = bazaar.find_user("carol")
    [question] = [c for c in bazaar.contexts(alice.id, mine=True) if c.query == DEMO_QUESTION]
    forecasts = Forecasts(bazaar)
    shown = forecasts.view(alice.id, question.id).question
    assert shown.outcomes == ("on time", "late") and shown.resolver_id is None
    engine = InspectionEngine(
        bazaar,
        OfflineBuyer(),
        bots=BotDispatcher(bazaar),
        limits=InspectionLimits(max_depth=1, min_offers=1),
    )
    engine.start(alice.id, question.id)
    engine.run_until_idle()
    [step] = forecasts.steps(question.id)
    [offer] = bazaar.offers(alice.id, question.id)
    assert step.offer_ids == (offer.id,) and "87%" in (offer.private_info or "")
    # the punctuality bot's offer says "on time" once, "late" never: weights 0.5 * 2, 0.5 * 1
    assert step.distribution == (2 / 3, 1 / 3)
    clock.advance(DEMO_QUESTION_CLOSES.total_seconds())
    assert clock() >= datetime(2026, 1, 1, 12, 10, tzinfo=UTC)
    resolved = forecasts.resolve(operator.id, question.id, "on time")
    assert resolved.resolution is not None
    assert resolved.resolution.final_score == math.log(2 / 3)
    record = forecasts.record("carol")
    assert record.offers == 1 and record.mean_value == math.log(2 / 3) - math.log(1 / 2)
    assert record.value_per_dollar == record.mean_value / 0.6  # 60 cents

    # the record of the bot that posted it, over HTTP; carol's other bots have none
    bots = {b.name: b for b in BotService(bazaar).bots(carol.id)}
    app = build_app(assemble(bazaar), ApiSettings(expiry_sweep_seconds=0))
    with serve_in_thread(app) as url, httpx.Client(base_url=url) as client:
        rail = client.get(f"/api/bots/{bots['rail punctuality'].id}/record").json()
        assert rail["seller"] == "rail punctuality" and rail["offers"] == 1
        assert rail["mean_value"] == pytest.approx(record.mean_value)
        others = [b for name, b in bots.items() if name != "rail punctuality"]
        assert others and all(
            client.get(f"/api/bots/{b.id}/record").json()["offers"] == 0 for b in others
        )
        assert client.get("/api/bots/bot_nope/record").status_code == 404
        assert client.get("/api/sellers/carol/record").json()["offers"] == 1
    assert audit(bazaar.store) == []
