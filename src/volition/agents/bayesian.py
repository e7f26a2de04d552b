"""Bayesian agents for exact worlds: a ``volition.mechanisms`` market run through the platform.

docs/design.md, "One mechanism, two worlds": the recursive inspection mechanism exists once. Here
its offers become platform offers whose private info *encodes* a variable revelation (which
market offer, and the values of its variables at the true state), so that a Bayesian buyer
inside the platform's inspection engine can be checked against what ``mechanisms`` computes.

- :class:`BayesianSeller` sells one market offer: on a context at the offer's level it posts
  the offer, its private info the revealed values in the true state. The level of a context
  is read from the public previews of the parent offers it is about (root contexts: level 0).
- :class:`BayesianBuyer` decides as RIP does. A node at depth n chooses x^{n+1}, a subset of
  the level-n menu. It first follows up (once) about all of the node's offers while deeper
  levels exist, so that the level-(n+1) offers arrive in a child context; then it chooses.
  RIP's decision is a function of what that decider sees (the contents of the offers on sale
  at levels 0..n and of the deeper purchases), so the buyer reads it off RIP's exact plan at
  any state consistent with everything it has seen; no second copy of the backward
  induction is written here.

Prices: a market price p (utility units) is ``round(p * cents_per_unit)`` cents.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from volition.agents.base import BuyerReply, SellerReply
from volition.agents.views import Buy, ContextView, FollowUp, NodeView, OfferDraft, Usage
from volition.core import Problem
from volition.core.scoring import ForecastDecision
from volition.errors import InputError
from volition.mechanisms import Market, Offer, Recursive, Scenario
from volition.mechanisms.backward import Plan, solve_scenario

__all__ = [
    "BayesianBuyer",
    "BayesianSeller",
    "Revelation",
    "encode_revelation",
    "parse_revelation",
]

_PREVIEW = re.compile(r"market offer (\S+) at level (\d+)")


@dataclass(frozen=True)
class Revelation:
    """What an offer's private info says: which market offer, and its variables' values."""

    offer_id: str
    values: Mapping[str, Any]


def encode_revelation(offer: Offer, problem: Problem, state: int) -> str:
    """The private info of ``offer`` in ``state``: JSON naming the offer and the values."""
    values = {name: problem.world.variable(name).values[state].item() for name in offer.reveals}
    return json.dumps({"offer": offer.id, "reveals": values}, sort_keys=True)


def parse_revelation(private_info: str) -> Revelation | None:
    """The revelation encoded in a private info, or ``None`` for any other text."""
    try:
        data = json.loads(private_info)
        return Revelation(str(data["offer"]), dict(data["reveals"]))
    except (ValueError, TypeError, KeyError):
        return None


def preview_of(offer: Offer, level: int) -> str:
    """The public preview of a market offer: its id, level and the variables it reveals."""
    return f"market offer {offer.id} at level {level}: reveals {', '.join(offer.reveals)}"


def _level_of(view: ContextView) -> int:
    levels = [int(m.group(2)) for p in view.about_previews if (m := _PREVIEW.search(p))]
    return 1 + max(levels) if levels else 0


@dataclass(frozen=True)
class BayesianSeller:
    """Sells ``offer`` (of market level ``level``) truthfully in the true ``state``."""

    offer: Offer
    level: int
    problem: Problem
    state: int
    cents_per_unit: int = 100
    name: str = "bayesian-seller"

    def respond(self, view: ContextView) -> SellerReply:
        if _level_of(view) != self.level:
            return SellerReply(None, Usage())
        return SellerReply(
            OfferDraft(
                preview_of(self.offer, self.level),
                encode_revelation(self.offer, self.problem, self.state),
                round(self.offer.price * self.cents_per_unit),
            ),
            Usage(),
        )


@dataclass
class BayesianBuyer:
    """Decides at every node as RIP of depth ``depth`` does in ``scenario`` of ``market``."""

    market: Market
    depth: int
    scenario: Scenario | None = None
    cents_per_unit: int = 100
    name: str = "bayesian"
    plan: Plan = field(init=False)
    menus: tuple[tuple[Offer, ...], ...] = field(init=False)

    def __post_init__(self) -> None:
        scenario = self.scenario or self.market.scenarios[0]
        if not 1 <= self.depth <= len(self.market.levels):
            raise InputError(f"depth must be 1..{len(self.market.levels)}, not {self.depth}")
        self.plan = solve_scenario(self.market, scenario, self.depth, Recursive.visibility)
        self.menus = tuple(self.market.menu(scenario, k) for k in range(self.depth))

    def decide(self, view: NodeView) -> BuyerReply:
        level = view.depth
        if level >= self.depth:
            return BuyerReply(Buy((), "no RIP decision this deep"), Usage())
        if level + 1 < self.depth and view.can_follow_up and view.offers:
            own = sum(o.price for o in view.offers)
            budget = view.remaining_budget - own
            if budget > 0:
                return BuyerReply(
                    FollowUp(
                        f"level {level + 1} offers about the level {level} offers",
                        budget,
                        tuple(o.id for o in view.offers),
                        "RIP: the deeper decision comes first",
                    ),
                    Usage(),
                )
        seen = [*view.ancestor_offers, *view.offers]
        state = self.consistent_state(
            [o.private_info for o in seen] + [k.private_info for k in view.known],
            deeper=self._deeper_masks(level, [k.private_info for k in view.known]),
        )
        mask = int(self.plan.masks[level][state])
        wanted = {o.id for k, o in enumerate(self.menus[level]) if mask >> k & 1}
        ids = tuple(
            o.id
            for o in view.offers
            if (r := parse_revelation(o.private_info)) is not None and r.offer_id in wanted
        )
        reason = f"RIP's choice at level {level}: {sorted(wanted)}"
        forecast = None
        if view.outcomes:
            bought = [k.private_info for k in view.known]
            bought += [o.private_info for o in view.offers if o.id in ids]
            forecast = self.forecast(bought, len(view.outcomes))
        return BuyerReply(Buy(ids, reason, forecast), Usage())

    def forecast(
        self, purchased_private_infos: Iterable[str], n_outcomes: int = 2
    ) -> tuple[float, ...] | None:
        """On a forecast world (``ForecastDecision``) and a binary question whose first outcome
        is the event: (P(E | what is bought), 1 - that); None for any other world."""
        problem = self.market.problem
        if not isinstance(problem.decision, ForecastDecision) or n_outcomes != 2:
            return None
        posterior = self._posterior(purchased_private_infos)
        p = float(np.clip(posterior[problem.decision.event].sum(), 0.0, 1.0))
        return (p, 1.0 - p)

    def _deeper_masks(self, level: int, known: Iterable[str]) -> dict[int, int]:
        """The purchase masks of the deeper decisions x^{level+2}.., from what came back."""
        ids = {r.offer_id for text in known if (r := parse_revelation(text)) is not None}
        return {
            k: sum(1 << i for i, o in enumerate(self.menus[k]) if o.id in ids)
            for k in range(level + 1, self.depth)
        }

    def consistent_state(
        self, private_infos: Iterable[str], deeper: Mapping[int, int] | None = None
    ) -> int:
        """A state of positive probability agreeing with every revelation seen and in which
        RIP's deeper decisions bought what they did (``deeper[k]``: the level-k mask).

        RIP's decision depends on what the deeper decisions bought (which subtree it is in)
        and on the contents it sees; on the states agreeing with both it is constant, and the
        true state is one of them.
        """
        world = self.market.problem.world
        ok = self.market.problem.prior > 0
        for k, mask in (deeper or {}).items():
            ok &= self.plan.masks[k] == mask
        for text in private_infos:
            revelation = parse_revelation(text)
            if revelation is None:
                continue
            for name, value in revelation.values.items():
                ok &= world.variable(name).values == value
        if not ok.any():
            raise InputError("the revelations seen contradict each other or the prior")
        return int(np.flatnonzero(ok)[0])

    def final_action(self, purchased_private_infos: Iterable[str]) -> Any:
        """x^0: the best action given the contents of everything bought."""
        problem = self.market.problem
        posterior = self._posterior(purchased_private_infos)
        return problem.describe(problem.decision.best_action(posterior))

    def _posterior(self, purchased_private_infos: Iterable[str]) -> NDArray[np.float64]:
        """P(state | the values every revelation bought shows)."""
        values: dict[str, Any] = {}
        for text in purchased_private_infos:
            revelation = parse_revelation(text)
            if revelation is not None:
                values.update(revelation.values)
        return self.market.problem.world.posterior(values)
