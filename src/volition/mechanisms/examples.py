"""The papers' worked examples as named constructors (docs/theory.md §4), read from ``examples/``.

Each is a shipped file, so the command line and the library see the same instance:

- :func:`legumes`: why successive inspection fails (RIP boils the legume);
- :func:`fact_checking_market`: I1 on sale, the corrective context I2 one level deeper;
- :func:`cheap_refutation`: the marginal-value mechanism never offers the best information;
- :func:`fact_checking_seller`: the fact-checking world with a seller who knows (I1, I2) and
  a fact-checker's context offer, for :func:`~volition.mechanisms.strategic_seller`.
"""

from __future__ import annotations

from importlib.resources import as_file, files

from volition.core import Problem, load_problem
from volition.mechanisms.files import OversightSetting, load_market, load_oversight
from volition.mechanisms.market import Market, Offer
from volition.mechanisms.sellers import StrategicSeller

__all__ = ["cheap_refutation", "fact_checking_market", "fact_checking_seller", "legumes"]


def _path(name: str) -> str:
    with as_file(files("volition").joinpath("examples", name)) as path:
        return str(path)


def legumes() -> Market:
    """Raw legume, rice or boiled legume; two level-0 offers and one level-1 offer, all free."""
    return load_market(_path("legumes.yaml"))


def fact_checking_market() -> Market:
    """The fact-checking world: I1 at level 0, I2 (price 0.01) at level 1 half the time."""
    return load_market(_path("fact_checking_market.yaml"))


def cheap_refutation() -> OversightSetting:
    """Actions {0, 1}; I1, I2 free, I3 at 100; K is the state."""
    return load_oversight(_path("cheap_refutation.yaml"))


def fact_checking_seller() -> tuple[Problem, StrategicSeller, list[list[Offer]]]:
    """The fact-checking world, a seller who knows (I1, I2), and a context offer of I2."""
    problem = load_problem(_path("fact_checking.yaml"))
    context = [[Offer("context", "fact_checker", ("I2",), 0.01)]]
    return problem, StrategicSeller(("I1", "I2"), "informer"), context
