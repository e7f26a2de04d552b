"""volition.mechanisms: information-market protocols computed exactly (docs/theory.md §3-4).

- :class:`Market`: offers <I, i, p> per level and a prior over which exist (``load_market``);
- protocols, all called ``protocol.evaluate(market)``: :class:`NoInspection`,
  :class:`Inspection`, :class:`Successive`, :class:`Recursive` (RIP) and
  :class:`BestAdmissible` (exhaustive, small instances);
- :func:`strategic_seller`: what a seller reveals under each regime, and the buyer's value;
- :func:`marginal_value_equilibrium`: the marginal-value oversight mechanism;
- :mod:`volition.mechanisms.examples`: legumes, fact-checking, cheap refutation.

Every decision conditions on the *contents* of the offers it sees, never on the event that
another decision chose to buy them (see :mod:`volition.mechanisms.backward`).
"""

from volition.mechanisms import examples
from volition.mechanisms.admissible import DEFAULT_MAX_POLICIES, BestAdmissible
from volition.mechanisms.backward import Plan, Visibility
from volition.mechanisms.extension import extends, inextensible
from volition.mechanisms.files import (
    OversightSetting,
    load_market,
    load_oversight,
    market_from_mapping,
)
from volition.mechanisms.market import Market, Offer, Scenario
from volition.mechanisms.oversight import (
    OversightResult,
    join_closure,
    marginal_value_equilibrium,
    rewards,
)
from volition.mechanisms.protocols import (
    Inspection,
    NoInspection,
    Protocol,
    ProtocolResult,
    Recursive,
    ScenarioOutcome,
    Successive,
)
from volition.mechanisms.sellers import Regime, SellerOutcome, StrategicSeller, strategic_seller

__all__ = [
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
]
