"""Realised marginal values conform to the oversight mechanism (issue 13, docs/theory.md §4).

With Bayesian agents on the fact-checking market file (examples/fact_checking_market.yaml,
scenario ``context``, RIP of depth 2, policy ``all``), each question is one run of the real
platform in a state drawn from the world's prior (seeded): a forecast question on the
world's event, posted with the world's prior, inspected, then resolved to the event's value
in that state. Averaged over the questions, each market offer's realised marginal value
(0 where it was not bought) must match E[R^n + p], the expected reward plus price that
``volition.mechanisms.oversight.rewards`` computes exactly for RIP's purchase histories, the
follow-up's purchase first. The bound is a 99% confidence interval: 2.576 exact standard
deviations of one question's value (computed from the world, state by state) over sqrt(N).
"""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
from pytest import approx

from tests.support.bayesian import market_spec
from tests.support.inspection import make_world
from volition.agents.bayesian import BayesianBuyer, BayesianSeller, parse_revelation
from volition.bazaar.domain import ContextSpec, MemoryStore
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.domain.forecasts import ForecastSpec
from volition.bazaar.inspection import InspectionEngine, InspectionLimits, Policy
from volition.core.scoring import ForecastDecision
from volition.mechanisms import Market, Offer, Recursive, Scenario, market_from_mapping
from volition.mechanisms.backward import solve_scenario
from volition.mechanisms.oversight import rewards

CENTS = 100
QUESTIONS = 600
Z99 = 2.576
OUTCOMES = ("event", "no event")


def _history(market: Market, scenario: Scenario, state: int) -> list[Offer]:
    """RIP's purchases in ``state`` in the order the platform makes them: deepest first."""
    plan = solve_scenario(market, scenario, len(market.levels), Recursive.visibility)
    history = []
    for level in reversed(range(len(market.levels))):
        mask = int(plan.masks[level][state])
        history += [o for k, o in enumerate(market.menu(scenario, level)) if mask >> k & 1]
    return history


def _realised(market: Market, history: list[Offer], state: int) -> dict[str, float]:
    """Each offer's log-score gain in ``state``, from the world's posteriors (not the platform)."""
    problem = market.problem
    assert isinstance(problem.decision, ForecastDecision)
    event = problem.decision.event
    world, known = problem.world, {}

    def score() -> float:
        posterior = world.posterior(known)
        p = float(posterior[event].sum())
        return math.log(p if event[state] else 1.0 - p)

    gains, before = {}, score()
    for offer in history:
        known |= {name: world.variable(name).values[state].item() for name in offer.reveals}
        after = score()
        gains[offer.id], before = after - before, after
    return gains


def _platform(market: Market, scenario: Scenario, state: int) -> dict[str, float]:
    """One question on the platform in ``state``: each market offer's realised value."""
    world = make_world(MemoryStore())
    depth = len(market.levels)
    for level in range(depth):
        for offer in market.menu(scenario, level):
            world.bot(BayesianSeller(offer, level, market.problem, state, CENTS))
    problem = market.problem
    assert isinstance(problem.decision, ForecastDecision)
    p_event = float(problem.prior[problem.decision.event].sum())
    forecasts = Forecasts(world.bazaar)
    closes = world.clock() + timedelta(hours=1)
    context, _ = forecasts.post(
        world.buyer.id,
        ContextSpec("forecast the event", 500),
        ForecastSpec(OUTCOMES, closes, prior=(p_event, 1.0 - p_event)),
    )
    engine = InspectionEngine(
        world.bazaar,
        BayesianBuyer(market, depth, scenario, CENTS),
        bots=tuple(world.bots),
        repository=world.repository(),
        limits=InspectionLimits(
            gather_timeout=timedelta(0),
            max_depth=depth - 1,
            max_follow_ups=1,
            min_offers=0,
            policy=Policy.ALL,
        ),
    )
    engine.start(world.buyer.id, context.id)
    engine.run_until_idle()
    world.clock.advance(3600)
    outcome = OUTCOMES[0] if problem.decision.event[state] else OUTCOMES[1]
    forecasts.resolve(world.operator.id, context.id, outcome)
    assert world.bazaar.audit(world.operator.id) == []
    values: dict[str, float] = {}
    with world.bazaar.store.begin(write=False) as uow:
        for s in forecasts.repository.scores(context.id):
            offer = uow.offers.get(s.offer_id)
            assert offer is not None
            revelation = parse_revelation(offer.private_info)
            assert revelation is not None
            values[revelation.offer_id] = s.value
    return values


def test_realised_marginal_values_average_to_the_oversight_rewards() -> None:
    market = market_from_mapping(market_spec("fact_checking_market.yaml"))
    scenario = next(s for s in market.scenarios if s.name == "context")
    problem = market.problem
    prior = problem.prior / problem.prior.sum()
    support = np.flatnonzero(prior > 0)
    ids = [o.id for level in market.levels for o in level]

    expected = dict.fromkeys(ids, 0.0)  # E[R^n + p], from the mechanism
    first = dict.fromkeys(ids, 0.0)  # E[realised value], from the world's posteriors
    second = dict.fromkeys(ids, 0.0)
    exact: dict[int, dict[str, float]] = {}
    for state in support:
        history = _history(market, scenario, int(state))
        r = rewards(problem, history)
        exact[int(state)] = _realised(market, history, int(state))
        for n, offer in enumerate(history):
            expected[offer.id] += prior[state] * (r[n, state] + offer.price)
            first[offer.id] += prior[state] * exact[int(state)][offer.id]
            second[offer.id] += prior[state] * exact[int(state)][offer.id] ** 2
    # RIP's histories are known from what is revealed, so the two expectations agree exactly
    assert first == {k: approx(v, abs=1e-12) for k, v in expected.items()}

    rng = np.random.default_rng(13)
    draws = rng.choice(prior.size, size=QUESTIONS, p=prior)
    totals = dict.fromkeys(ids, 0.0)
    for state in draws:
        values = _platform(market, scenario, int(state))
        # each question's values are the world's, state by state (one run, no noise)
        assert values == {k: approx(v, abs=1e-9) for k, v in exact[int(state)].items()}
        for offer_id, value in values.items():
            totals[offer_id] += value
    for offer_id in ids:
        mean = totals[offer_id] / QUESTIONS
        sd = math.sqrt(max(second[offer_id] - expected[offer_id] ** 2, 0.0))
        half = Z99 * sd / math.sqrt(QUESTIONS)
        assert sd > 0 and abs(mean - expected[offer_id]) <= half, (
            f"{offer_id}: platform {mean:.5f}, oversight {expected[offer_id]:.5f} +- {half:.5f}"
        )
