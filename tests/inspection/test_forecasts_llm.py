"""An LLM inspector on a forecast question, against a scripted OpenAI-protocol server: its
forecast must be a distribution over the question's outcomes; anything else is refused and
asked again with the reason, like any malformed or illegal answer (issue 13)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.support.inspection import FUNDS, World
from volition.agents import FixedSeller, LLMBuyer
from volition.agents.llm.endpoint import Endpoint
from volition.agents.scripted_server import ScriptedOpenAIServer
from volition.bazaar.domain import ContextSpec, audit
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.domain.forecasts import ForecastSpec
from volition.bazaar.inspection import Outcome, Verdict


@pytest.fixture
def server() -> Iterator[ScriptedOpenAIServer]:
    with ScriptedOpenAIServer() as s:
        yield s


def test_malformed_forecasts_are_refused_and_asked_again(
    mworld: World, server: ScriptedOpenAIServer
) -> None:
    mworld.bot(FixedSeller("Paris rain forecast", "80% chance of rain in Paris tomorrow", 300))
    forecasts = Forecasts(mworld.bazaar)
    closes = mworld.clock() + timedelta(hours=1)
    context, _ = forecasts.post(
        mworld.buyer.id,
        ContextSpec("Will it rain in Paris tomorrow?", 1_000),
        ForecastSpec(("rain", "dry", "snow"), closes),
    )
    offer_id: list[str] = []

    def buy(forecast: object) -> object:
        def reply(body: dict[str, object]) -> str:
            user = body["messages"][1]["content"]  # type: ignore[index]
            data = json.loads(user.split("\n", 1)[1].split("\n\nThis is a FORECAST")[0])
            offer_id[:] = [data["OFFERS"][0]["id"]]
            answer = {"action": "buy", "buy": offer_id}
            return json.dumps(answer | ({} if forecast is None else {"forecast": forecast}))

        return reply

    bad = [
        None,  # no forecast at all
        [0.5, 0.5],  # one short
        [0.7, 0.5, -0.2],  # a negative probability
        [0.5, 0.5, 0.5],  # sums to 1.5
        {"rain": 0.5, "hail": 0.5},  # an outcome the question does not have
        "most likely rain",  # not numbers
        [0.5, "NaN", 0.5],
        {"rain": 1e308, "dry": 1e308, "snow": 0},
    ]
    good = {"rain": 0.7, "dry": 0.2, "snow": 0.1}
    steps = [buy(f) for f in [*bad, good]]
    queue = iter(steps)
    server.responder = lambda body: next(queue)(body)  # type: ignore[arg-type,return-value]
    endpoint = Endpoint(server.base_url, "scripted", timeout=5)
    engine = mworld.engine(LLMBuyer(endpoint), max_depth=0, min_offers=1, max_retries=len(bad))
    inspection = engine.start(mworld.buyer.id, context.id)
    engine.run_until_idle()

    prompt = server.requests[0]["messages"][1]["content"]
    assert 'outcomes ["rain", "dry", "snow"]' in prompt
    calls = engine.audit_trail(mworld.operator.id, inspection.id)
    verdicts = [c.verdict for c in calls]
    assert verdicts[-1] is Verdict.ACCEPTED
    assert all(v is not Verdict.ACCEPTED for v in verdicts[:-1]) and len(verdicts) == 9
    fed_back = server.requests[-1]["messages"][1]["content"]
    for reason in ("needs a forecast", "needs 3 probabilities", ">= 0", "sum to 1.5", "hail"):
        assert reason in fed_back, reason
    (root,) = engine.nodes(mworld.buyer.id, inspection.id)
    assert root.outcome is Outcome.BOUGHT
    (step,) = forecasts.steps(context.id)
    assert step.distribution == (0.7, 0.2, 0.1) and step.offer_ids == tuple(offer_id)
    assert mworld.money() == FUNDS and audit(mworld.bazaar.store) == []


def test_an_inspector_that_never_forecasts_well_buys_nothing(
    mworld: World, server: ScriptedOpenAIServer
) -> None:
    mworld.bot(FixedSeller("Paris rain forecast", "80% chance of rain in Paris tomorrow", 300))
    forecasts = Forecasts(mworld.bazaar)
    context, _ = forecasts.post(
        mworld.buyer.id,
        ContextSpec("Will it rain in Paris tomorrow?", 1_000),
        ForecastSpec(("rain", "dry"), mworld.clock() + timedelta(hours=1)),
    )
    server.responder = lambda body: json.dumps({"action": "buy", "buy": [], "forecast": [2, -1]})
    engine = mworld.engine(LLMBuyer(Endpoint(server.base_url, "scripted", timeout=5)), min_offers=1)
    inspection = engine.start(mworld.buyer.id, context.id)
    engine.run_until_idle()
    (root,) = engine.nodes(mworld.buyer.id, inspection.id)
    assert root.outcome is Outcome.GAVE_UP
    assert forecasts.steps(context.id) == []
    assert mworld.bazaar.balances(mworld.buyer.id).cash == FUNDS
    assert audit(mworld.bazaar.store) == []
