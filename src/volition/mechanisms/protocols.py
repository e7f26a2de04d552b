"""Purchase protocols behind one interface (docs/theory.md §4), each evaluated exactly on a market.

Every protocol is called the same way, ``protocol.evaluate(market) -> ProtocolResult``:

- :class:`NoInspection`: buy level-0 offers on their ex-ante (Lindley) value, seeing no
  contents; the action then uses what was bought (the naive market).
- :class:`Inspection` (IP): inspect the level-0 offers, buy at their ex-post value, decide
  with what was bought (the Information Bazaar: the inspector forgets what it does not buy).
- :class:`Successive` (depth N): decider n inspects levels 0..n-1 but sees only what the
  next deeper level bought for it: U^{n+1} is defined from U^n alone, so an offer that
  matters more than one level up is never bought for that reason. *(choice)* In docs/theory.md's
  U^{n+1}(<I,i,p>) = U^n(argmax E[U^n | I=i]) - U^n(argmax E[U^n]) - p the baseline does not
  depend on the purchase, so maximising E[U^{n+1}] is maximising the final utility net of
  prices with the level-n decision conditioned on I = i only: that is what is computed.
- :class:`Recursive` (RIP, depth N): decider n sees I^0..I^{n-1} and everything bought by
  x^{n+1}..x^N; x^0 sees only what was bought.

All of them are deepest-first backward induction (:mod:`volition.mechanisms.backward`);
they differ only in what each decider sees. Decisions condition on the *contents* of the
offers bought, never on the event that they were chosen. Depth 1 is the same for IP,
successive inspection and RIP.

What is proven and tested: RIP and successive inspection never lose value with depth, IP
beats buying blind, nothing falls below the no-information value, and the exhaustive best
admissible protocol (:mod:`volition.mechanisms.admissible`) is at least as good as every one
of them. docs/theory.md's "RIP optimality" holds with free offers; with prices, an admissible
protocol that reads meaning into *which* offers were bought can beat content-conditioned RIP
(see that module and its tests).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from volition.errors import InputError
from volition.mechanisms.backward import Plan, Visibility, solve_scenario
from volition.mechanisms.market import Market, Offer, Scenario

__all__ = [
    "Inspection",
    "NoInspection",
    "Protocol",
    "ProtocolResult",
    "Recursive",
    "ScenarioOutcome",
    "Successive",
    "evaluate_plans",
]


@dataclass(frozen=True, eq=False)
class ScenarioOutcome:
    """What a protocol does in one scenario, state by state.

    ``menus[k]`` is the level-k menu on sale; ``plan.masks[k][s]`` the subset of it bought
    in state s (x^{k+1}); ``plan.actions[s]`` the action; ``plan.paid[s]`` the total price.
    """

    scenario: Scenario
    menus: tuple[tuple[Offer, ...], ...]
    plan: Plan

    def bought(self, state: int) -> tuple[tuple[str, ...], ...]:
        """The offer ids bought at each level in a state."""
        return tuple(
            tuple(o.id for k, o in enumerate(menu) if int(masks[state]) >> k & 1)
            for menu, masks in zip(self.menus, self.plan.masks, strict=True)
        )

    def revenue(self, state: int) -> dict[str, float]:
        """Each seller's revenue in a state (the sellers of the offers bought)."""
        paid: dict[str, float] = {}
        for menu, masks in zip(self.menus, self.plan.masks, strict=True):
            for k, o in enumerate(menu):
                if int(masks[state]) >> k & 1:
                    paid[o.seller] = paid.get(o.seller, 0.0) + o.price
        return paid


@dataclass(frozen=True, eq=False)
class ProtocolResult:
    """A protocol evaluated on a market, and how.

    ``expected_utility`` is E[U(x^0) - total price] over the scenarios and the states;
    ``seller_revenue`` the expected revenue of every seller (they sum to
    ``expected_price_paid``).
    """

    protocol: str
    depth: int
    method: str
    expected_utility: float
    expected_price_paid: float
    no_info_expected_utility: float
    seller_revenue: Mapping[str, float]
    outcomes: tuple[ScenarioOutcome, ...]
    market: Market

    def expected_true_value(self) -> float:
        """The buyer's expected gain over acting without information, net of prices."""
        return self.expected_utility - self.no_info_expected_utility

    def rows(self) -> list[dict[str, Any]]:
        """Per scenario and state (of positive probability): bought ids per level, action,
        price paid, each paid seller's revenue and the realised utility net of prices."""
        problem = self.market.problem
        rows = []
        for out in self.outcomes:
            for s in np.flatnonzero(problem.prior > 0):
                rows.append(
                    {
                        "scenario": out.scenario.name,
                        "state": problem.space.states[s],
                        "probability": float(out.scenario.probability * problem.prior[s]),
                        "bought": [list(ids) for ids in out.bought(int(s))],
                        "action": problem.describe(out.plan.actions[s]),
                        "paid": float(out.plan.paid[s]),
                        "revenue": out.revenue(int(s)),
                        "utility": float(out.plan.value[s]),
                    }
                )
        return rows


class Protocol(ABC):
    """A purchase protocol: ``evaluate(market)`` gives its exact :class:`ProtocolResult`."""

    name: str = "protocol"

    @abstractmethod
    def evaluate(self, market: Market) -> ProtocolResult:
        """The protocol's decisions and values on every scenario and state of ``market``."""


class _DeepestFirst(Protocol):
    """A protocol defined by its depth and what each decider sees."""

    visibility: Visibility
    description: str

    def __init__(self, depth: int | None = None) -> None:
        if depth is not None and depth < 0:
            raise InputError(f"depth must be >= 0, got {depth}")
        self.depth = depth

    def __repr__(self) -> str:
        return f"{type(self).__name__}(depth={self.depth})"

    def resolve_depth(self, market: Market) -> int:
        """The depth used on a market: as given, or every level of the market."""
        return market.n_levels if self.depth is None else self.depth

    def evaluate(self, market: Market) -> ProtocolResult:
        depth = self.resolve_depth(market)
        plans = [solve_scenario(market, s, depth, self.visibility) for s in market.scenarios]
        return evaluate_plans(market, self.name, depth, self.description, plans)


class NoInspection(_DeepestFirst):
    """The naive market: buy level-0 offers on ex-ante value, without seeing contents."""

    name = "none"
    visibility = Visibility(inspect=False, recall="all")
    description = "ex-ante purchase of level-0 offers; exact expectation over all states"

    def __init__(self) -> None:
        super().__init__(1)


class Inspection(_DeepestFirst):
    """IP: inspect the level-0 offers, buy at ex-post value, decide with what was bought."""

    name = "ip"
    visibility = Visibility(inspect=True, recall="all")
    description = "one-level inspection (x^1 sees I^0, x^0 sees x^1); exact"

    def __init__(self) -> None:
        super().__init__(1)


class Successive(_DeepestFirst):
    """Successive inspection of depth N: each level's utility defined from the level below."""

    name = "successive"
    visibility = Visibility(inspect=True, recall="next")
    description = "deepest-first backward induction; x^n sees I^0..I^{n-1} and x^{n+1} only; exact"


class Recursive(_DeepestFirst):
    """RIP of depth N: x^n sees I^0..I^{n-1} and x^{n+1}..x^N; x^0 sees x^1..x^N."""

    name = "rip"
    visibility = Visibility(inspect=True, recall="all")
    description = (
        "deepest-first backward induction, memoised on information states; x^n sees "
        "I^0..I^{n-1} and x^{n+1}..x^N (contents only); exact"
    )


def evaluate_plans(
    market: Market, name: str, depth: int, method: str, plans: list[Plan]
) -> ProtocolResult:
    """Aggregate per-scenario plans into a :class:`ProtocolResult`."""
    prior = market.problem.prior
    outcomes = []
    utility = paid = 0.0
    revenue = dict.fromkeys(market.sellers, 0.0)
    for scenario, plan in zip(market.scenarios, plans, strict=True):
        menus = tuple(market.menu(scenario, k) for k in range(depth))
        w = scenario.probability
        utility += w * float(prior @ plan.value)
        paid += w * float(prior @ plan.paid)
        for menu, masks in zip(menus, plan.masks, strict=True):
            for k, offer in enumerate(menu):
                bought: NDArray[np.bool_] = (masks >> k & 1).astype(bool)
                revenue[offer.seller] += w * offer.price * float(prior[bought].sum())
        outcomes.append(ScenarioOutcome(scenario, menus, plan))
    return ProtocolResult(
        protocol=name,
        depth=depth,
        method=method,
        expected_utility=utility,
        expected_price_paid=paid,
        no_info_expected_utility=market.problem.no_info()[1],
        seller_revenue=revenue,
        outcomes=tuple(outcomes),
        market=market,
    )
