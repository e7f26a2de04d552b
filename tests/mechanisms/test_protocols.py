"""Protocols on worked examples (legumes, fact-checking) and as properties on random markets.

Only what docs/theory.md §4 states, or what follows from it, is asserted as a property:
- a deeper RIP (or successive inspection) can always buy nothing more, so its value never
  falls with depth; depth 1 is IP for both; inspection beats buying blind;
- every protocol can buy nothing, so none falls below the no-information value (the lemma
  E[U^{n+1}(x*)] >= 0);
- every protocol is admissible, so the exhaustive best admissible one is at least as good;
- with free offers RIP reaches the value of knowing every offer on sale, as does the best.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.mechanisms.helpers import markets

from volition.core import information_value
from volition.errors import InputError
from volition.mechanisms import (
    BestAdmissible,
    Inspection,
    Market,
    NoInspection,
    Offer,
    ProtocolResult,
    Recursive,
    Scenario,
    Successive,
)

TOL = 1e-9


def _at(result: ProtocolResult, state: str, scenario: int = 0) -> dict[str, object]:
    rows = [r for r in result.rows() if r["state"] == state]
    return rows[scenario]


def test_legumes_rip_boils_the_legume_successive_stops_at_rice(legumes: Market) -> None:
    rip = Recursive(2).evaluate(legumes)
    successive = Successive(2).evaluate(legumes)
    truth = _at(rip, "s111")
    assert truth["bought"] == [["toxic", "unhealthy"], ["boiling"]]
    assert truth["action"] == "boiled"
    assert truth["utility"] == pytest.approx(4.0)
    stuck = _at(successive, "s111")
    assert stuck["action"] == "rice"
    assert stuck["utility"] == pytest.approx(2.0)
    assert rip.expected_utility > successive.expected_utility + 1e-6


def test_legumes_one_level_inspection_switches_raw_to_rice(legumes: Market) -> None:
    ip = Inspection().evaluate(legumes)
    assert ip.no_info_expected_utility == pytest.approx(7.8)
    assert _at(ip, "s111")["action"] == "rice"
    assert _at(ip, "s000")["action"] == "raw"
    assert ip.expected_utility >= ip.no_info_expected_utility


def test_fact_checking_depth_two_buys_the_corrective_context(fact_checking: Market) -> None:
    ip = Inspection().evaluate(fact_checking)
    rip = Recursive(2).evaluate(fact_checking)
    for scenario in (0, 1):
        assert _at(ip, "i11_notE", scenario)["action"] == pytest.approx(0.4)
    without_context = _at(rip, "i11_notE", 0)
    with_context = _at(rip, "i11_notE", 1)
    assert without_context["bought"] == [["o1"], []]
    assert with_context["bought"] == [["o1"], ["o2"]]
    assert with_context["action"] == pytest.approx(0.2)
    assert with_context["paid"] == pytest.approx(0.01)
    assert rip.expected_utility > ip.expected_utility
    assert rip.seller_revenue["seller2"] == pytest.approx(rip.expected_price_paid)


def test_market_without_offers_has_the_no_information_value(legumes: Market) -> None:
    empty = Market.build(legumes.problem, [[]])
    for protocol in (NoInspection(), Inspection(), Successive(1), Recursive(1)):
        result = protocol.evaluate(empty)
        assert result.expected_utility == pytest.approx(legumes.problem.no_info()[1])
        assert result.expected_price_paid == 0.0


def test_one_free_offer_is_worth_its_lindley_value(legumes: Market) -> None:
    market = Market.build(legumes.problem, [[Offer("t", "s", ("toxic",), 0.0)]])
    core = legumes.problem.value(["toxic"])
    for protocol in (NoInspection(), Inspection()):
        gain = protocol.evaluate(market).expected_true_value()
        assert gain == pytest.approx(core.ex_ante)


def test_depth_is_validated() -> None:
    with pytest.raises(InputError, match="depth must be >= 0"):
        Recursive(-1)


def test_depth_zero_buys_nothing(legumes: Market) -> None:
    result = Recursive(0).evaluate(legumes)
    assert result.expected_utility == pytest.approx(result.no_info_expected_utility)
    assert result.rows()[0]["bought"] == []


def _check_accounts(result: ProtocolResult) -> None:
    assert math.fsum(result.seller_revenue.values()) == pytest.approx(
        result.expected_price_paid, abs=TOL
    )
    for out in result.outcomes:
        for s in range(out.plan.paid.shape[0]):
            assert math.fsum(out.revenue(s).values()) == pytest.approx(out.plan.paid[s], abs=TOL)


@settings(max_examples=60, deadline=None)
@given(markets(sizes=(2, 2)))
def test_property_protocol_order(market: Market) -> None:
    base = market.problem.no_info()[1]
    none = NoInspection().evaluate(market)
    ip = Inspection().evaluate(market)
    rip1, rip2 = Recursive(1).evaluate(market), Recursive(2).evaluate(market)
    suc1, suc2 = Successive(1).evaluate(market), Successive(2).evaluate(market)
    assert rip1.expected_utility == pytest.approx(ip.expected_utility, abs=TOL)
    assert suc1.expected_utility == pytest.approx(ip.expected_utility, abs=TOL)
    assert rip2.expected_utility >= rip1.expected_utility - TOL
    assert suc2.expected_utility >= suc1.expected_utility - TOL
    assert ip.expected_utility >= none.expected_utility - TOL
    for result in (none, ip, rip1, rip2, suc1, suc2):
        assert result.expected_utility >= base - TOL
        _check_accounts(result)


@settings(max_examples=40, deadline=None)
@given(markets(sizes=(2,), max_states=5))
def test_property_best_admissible_dominates_every_protocol_depth_one(market: Market) -> None:
    best = BestAdmissible(1).evaluate(market)
    for protocol in (NoInspection(), Inspection(), Recursive(1)):
        assert best.expected_utility >= protocol.evaluate(market).expected_utility - TOL
    _check_accounts(best)


@settings(max_examples=25, deadline=None)
@given(markets(sizes=(1, 1), max_states=4))
def test_property_best_admissible_dominates_every_protocol_depth_two(market: Market) -> None:
    best = BestAdmissible(2).evaluate(market)
    for protocol in (Recursive(2), Successive(2), Inspection()):
        assert best.expected_utility >= protocol.evaluate(market).expected_utility - TOL


def _full_information_value(market: Market, depth: int) -> float:
    problem = market.problem
    total = 0.0
    for scenario in market.scenarios:
        on_sale = [o for k in range(depth) for o in market.menu(scenario, k)]
        value = information_value(problem.decision, problem.prior, market.partition(on_sale))
        total += scenario.probability * (value.no_info_expected_utility + value.ex_ante)
    return total


@settings(max_examples=40, deadline=None)
@given(markets(sizes=(2, 1), free=True, max_states=5), st.sampled_from([1, 2]))
def test_property_free_offers_rip_reaches_full_information_and_the_best(
    market: Market, depth: int
) -> None:
    rip = Recursive(depth).evaluate(market)
    assert rip.expected_utility == pytest.approx(_full_information_value(market, depth), abs=TOL)
    if depth == 1 or len(market.levels[0]) == 1:
        best = BestAdmissible(depth).evaluate(market)
        assert best.expected_utility == pytest.approx(rip.expected_utility, abs=TOL)


def test_best_admissible_can_beat_rip_by_signalling_through_purchases() -> None:
    """A free offer bought exactly when a costly unbought one says so leaks it for free.

    RIP conditions on contents, so it never reads this signal (docs/theory.md's formulas); the
    plain expectation of an admissible protocol that reads it is higher.
    """
    from volition.core import MatrixDecision, ProbabilitySpace, Problem, World

    space = ProbabilitySpace(2, [0.5, 0.5])
    world = World.build(space, {"B": [0, 1], "A": [0, 0]})
    problem = Problem(world, MatrixDecision(["left", "right"], np.array([[1, 0], [0, 1]])))
    market = Market.build(problem, [[Offer("a", "s1", ("A",), 0.0), Offer("b", "s2", ("B",), 0.9)]])
    rip = Recursive(1).evaluate(market)
    best = BestAdmissible(1).evaluate(market)
    assert rip.expected_utility == pytest.approx(0.55)  # buys b (0.9) only when B = 1
    assert best.expected_utility == pytest.approx(1.0)  # buy a iff B = 1; read the purchase
    assert best.expected_price_paid == 0.0


def test_best_admissible_refuses_large_instances_naming_the_size(legumes: Market) -> None:
    from volition.errors import ComputationError

    with pytest.raises(ComputationError, match=r"more than 100 joint policies .* 3 offers"):
        BestAdmissible(2, max_policies=100).evaluate(legumes)


def test_scenario_weights_mix_the_per_scenario_values(fact_checking: Market) -> None:
    rip = Recursive(2).evaluate(fact_checking)
    parts = []
    for scenario in fact_checking.scenarios:
        alone = Market.build(
            fact_checking.problem, fact_checking.levels, [Scenario(1.0, scenario.absent)]
        )
        parts.append(scenario.probability * Recursive(2).evaluate(alone).expected_utility)
    assert rip.expected_utility == pytest.approx(sum(parts))


def test_non_theorem_rip_is_not_the_argmax_over_purchase_tuples() -> None:
    """docs/theory.md §4: RIP is not the best purchase tuple given every offer seen.

    Four equally likely states; ``risky`` pays 2 in s2 and -1 in s1, s3. X (free) says
    "not s3", Y (0.25) says "s2". Seeing everything, one would buy X alone in s2 and nothing
    elsewhere (value 0.5). RIP's deepest self, seeing Y = 0 in s0, s1, must pay for Y to stop
    its shallower self (who sees X only) from buying X and going risky: value 0.375.
    """
    from volition.core import MatrixDecision, ProbabilitySpace, Problem, World
    from volition.mechanisms.admissible import omniscient_tuple_value

    world = World.build(ProbabilitySpace(4, [0.25] * 4), {"X": [0, 0, 0, 1], "Y": [0, 0, 1, 0]})
    utility = np.array([[0, 0], [0, -1], [0, 2], [0, -1]])
    problem = Problem(world, MatrixDecision(["safe", "risky"], utility))
    market = Market.build(
        problem, [[Offer("x", "s1", ("X",), 0.0)], [Offer("y", "s2", ("Y",), 0.25)]]
    )
    rip = Recursive(2).evaluate(market)
    assert rip.expected_utility == pytest.approx(0.375)
    assert omniscient_tuple_value(market) == pytest.approx(0.5)
    assert _at(rip, "s0")["bought"] == [[], ["y"]]
    assert _at(rip, "s2")["bought"] == [["x"], []]


@settings(max_examples=30, deadline=None)
@given(markets(sizes=(2, 1), max_states=5))
def test_property_omniscient_tuple_bounds_every_protocol(market: Market) -> None:
    from volition.mechanisms.admissible import omniscient_tuple_value

    bound = omniscient_tuple_value(market, 2)
    for protocol in (Recursive(2), Successive(2), Inspection(), NoInspection()):
        assert protocol.evaluate(market).expected_utility <= bound + TOL


def _constant_on(keys: list[tuple[object, ...]], values: list[object]) -> bool:
    seen: dict[tuple[object, ...], object] = {}
    for key, value in zip(keys, values, strict=True):
        if seen.setdefault(key, value) != value:
            return False
    return True


@settings(max_examples=40, deadline=None)
@given(markets(sizes=(2, 2), max_states=6))
def test_property_rip_decisions_use_only_what_they_may(market: Market) -> None:
    """Admissibility: x^2 depends on I^0, I^1 only; x^1 on I^0 and x^2 (ids and contents);
    x^0 on what x^1, x^2 bought. Checked state by state on RIP's outcomes."""
    result = Recursive(2).evaluate(market)
    world = market.problem.world
    states = np.flatnonzero(market.problem.prior > 0)

    def contents(names: set[str], s: int) -> tuple[object, ...]:
        return tuple(world.variable(n).values[s].item() for n in sorted(names))

    for out in result.outcomes:
        menus = out.menus
        seen0 = {n for o in menus[0] for n in o.reveals}
        seen1 = seen0 | {n for o in menus[1] for n in o.reveals}
        bought = {int(s): out.bought(int(s)) for s in states}

        def names_of(ids: tuple[str, ...]) -> set[str]:
            return {n for i in ids for n in market.offer(i).reveals}

        x2 = [bought[s][1] for s in states]
        assert _constant_on([contents(seen1, s) for s in states], list(x2))
        keys1 = [(bought[s][1], contents(seen0 | names_of(bought[s][1]), s)) for s in states]
        assert _constant_on(keys1, [bought[s][0] for s in states])
        keys0 = [(bought[s], contents(names_of(bought[s][0] + bought[s][1]), s)) for s in states]
        assert _constant_on(keys0, [out.plan.actions[s].item() for s in states])
