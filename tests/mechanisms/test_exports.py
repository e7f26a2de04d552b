"""The public API of volition.mechanisms is curated and pinned; the named examples load."""

from __future__ import annotations

import volition.mechanisms as mechanisms
from volition.mechanisms import Recursive, Successive, examples, strategic_seller

EXPORTED = {
    "DEFAULT_MAX_POLICIES",
    "BestAdmissible",
    "Inspection",
    "Market",
    "NoInspection",
    "Offer",
    "OversightResult",
    "OversightSetting",
    "Plan",
    "Protocol",
    "ProtocolResult",
    "Recursive",
    "Regime",
    "Scenario",
    "ScenarioOutcome",
    "SellerOutcome",
    "StrategicSeller",
    "Successive",
    "Visibility",
    "examples",
    "extends",
    "inextensible",
    "join_closure",
    "load_market",
    "load_oversight",
    "marginal_value_equilibrium",
    "market_from_mapping",
    "rewards",
    "strategic_seller",
}


def test_exported_members_are_pinned() -> None:
    assert set(mechanisms.__all__) == EXPORTED
    for name in mechanisms.__all__:
        assert getattr(mechanisms, name) is not None


def test_named_examples_show_what_they_claim() -> None:
    legumes = examples.legumes()
    assert Recursive(2).evaluate(legumes).expected_utility > (
        Successive(2).evaluate(legumes).expected_utility
    )
    facts = examples.fact_checking_market()
    assert [s.name for s in facts.scenarios] == ["no_context", "context"]
    cheap = examples.cheap_refutation()
    assert cheap.informers is None
    assert [o.price for o in cheap.market.levels[0]] == [0.0, 0.0, 100.0]
    problem, seller, context = examples.fact_checking_seller()
    deep = strategic_seller(problem, seller, "rip", depth=2, context=context)
    assert (
        deep.expected_gain == problem.value(["I1", "I2"]).ex_ante
        or abs(deep.expected_gain - problem.value(["I1", "I2"]).ex_ante) < 1e-12
    )
