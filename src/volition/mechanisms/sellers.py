"""Strategic sellers under each market regime (docs/theory.md §3, "Market regimes").

A seller knows the state omega and the values of its variables K; it may reveal any true
subset R of K (the values of R at omega) as a level-0 offer. It reveals what maximises its
payment under the regime:

- ``naive`` (no inspection): the buyer pays a price fixed ex ante (by default the Lindley
  value of all of K, what the buyer thinks it buys), whatever is delivered;
- ``inspection`` (the Information Bazaar): the buyer pays the ex-post value (eq. 2) of the
  message, V(R | R = r);
- ``rip`` of depth k: the buyer inspects the message with a depth-k recursive inspector that
  may buy *context* offers at levels 1..k-1 (from other sellers), and pays the value the
  message adds to the final decision given the context it bought,
  E[U(x^0 | R, D) - U(x^0 | D) | R, D] (contents only, as in RIP). Depth 1 is inspection.

*(choice)* A seller indifferent between messages reveals the fewest variables (producing
information has an infinitesimal cost), so a naive market gets a lemon: nothing.
The buyer's realised true value is eq. (1): U(omega, x^0) - U(omega, x0), reported gross and
net of what it paid (the seller and the context).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from volition.core import Partition, Problem, argmax_lowest, grouped_sums
from volition.errors import InputError
from volition.mechanisms.backward import Visibility, solve_scenario
from volition.mechanisms.market import Market, Offer, Scenario

__all__ = ["Regime", "SellerOutcome", "StrategicSeller", "strategic_seller"]

Regime = Literal["naive", "inspection", "rip"]

_RIP = Visibility(inspect=True, recall="all")


@dataclass(frozen=True, eq=False)
class SellerOutcome:
    """The seller's best message in every state and what it does to the buyer.

    Per state s: ``revealed[s]`` the variables revealed, ``payment[s]`` what the seller is
    paid, ``context_paid[s]`` what the buyer paid for context, ``actions[s]`` the buyer's
    action, ``gain[s]`` U(s, x^0) - U(s, x0) and ``net[s]`` the gain net of both payments.
    """

    regime: Regime
    depth: int
    method: str
    revealed: tuple[tuple[str, ...], ...]
    context_bought: tuple[tuple[str, ...], ...]
    payment: NDArray[np.float64]
    context_paid: NDArray[np.float64]
    actions: NDArray[Any]
    gain: NDArray[np.float64]
    net: NDArray[np.float64]
    expected_payment: float
    expected_gain: float
    expected_net: float


@dataclass(frozen=True)
class StrategicSeller:
    """A seller who knows ``knows`` and picks a true subset to reveal."""

    knows: tuple[str, ...]
    name: str = "seller"

    def messages(self) -> list[tuple[str, ...]]:
        """Every true subset it may reveal, fewest variables first (the tie order)."""
        return [
            c for r in range(len(self.knows) + 1) for c in itertools.combinations(self.knows, r)
        ]


def strategic_seller(
    problem: Problem,
    seller: StrategicSeller,
    regime: Regime,
    depth: int = 1,
    context: Sequence[Sequence[Offer]] = (),
    naive_price: float | None = None,
) -> SellerOutcome:
    """The seller's payment-maximising message per state under ``regime``, and its effect."""
    problem.world.partition(list(seller.knows))  # unknown names raise UnknownNameError
    if regime not in ("naive", "inspection", "rip"):
        raise InputError(f"unknown regime {regime!r}; use naive, inspection or rip")
    if depth < 1:
        raise InputError(f"a seller's buyer needs depth >= 1, got {depth}")
    k = 1 if regime != "rip" else depth
    messages = seller.messages()
    per_message = [_evaluate(problem, seller, m, k, context) for m in messages]
    if regime == "naive":
        price = problem.value(list(seller.knows)).ex_ante if naive_price is None else naive_price
        pay = np.full((problem.space.size, len(messages)), float(price))
    else:
        pay = np.stack([r.wtp for r in per_message], axis=1)
    choice = argmax_lowest(pay)
    rows = np.arange(problem.space.size)

    def pick(name: str) -> NDArray[Any]:
        return np.stack([getattr(r, name) for r in per_message], axis=1)[rows, choice]

    payment = pay[rows, choice]
    if regime != "naive":  # a message is paid only if the buyer buys it
        payment = np.where(pick("bought"), payment, 0.0)
    gain, context_paid = pick("gain"), pick("context_paid")
    net = gain - payment - context_paid
    prior = problem.prior
    method = {
        "naive": "seller paid a fixed ex-ante price; exact over all states",
        "inspection": "seller paid the ex-post value (eq. 2) of its message; exact",
        "rip": f"seller paid the value added to a depth-{k} recursive buyer; exact",
    }[regime]
    return SellerOutcome(
        regime=regime,
        depth=k,
        method=method,
        revealed=tuple(messages[int(c)] for c in choice),
        context_bought=tuple(per_message[int(c)].context[s] for s, c in enumerate(choice)),
        payment=payment,
        context_paid=context_paid,
        actions=pick("actions"),
        gain=gain,
        net=net,
        expected_payment=float(prior @ payment),
        expected_gain=float(prior @ gain),
        expected_net=float(prior @ net),
    )


@dataclass(frozen=True)
class _Message:
    wtp: NDArray[np.float64]
    bought: NDArray[np.bool_]
    gain: NDArray[np.float64]
    context_paid: NDArray[np.float64]
    actions: NDArray[Any]
    context: tuple[tuple[str, ...], ...]


def _evaluate(
    problem: Problem,
    seller: StrategicSeller,
    message: tuple[str, ...],
    depth: int,
    context: Sequence[Sequence[Offer]],
) -> _Message:
    """What a depth-``depth`` buyer does with one message, in every state."""
    n = problem.space.size
    x0 = problem.no_info()[0]
    states = np.arange(n)
    base = problem.decision.utility(states, np.full(n, x0))
    if not message:
        zeros = np.zeros(n)
        return _Message(zeros, np.zeros(n, bool), zeros, zeros, np.full(n, x0), ((),) * n)
    offer = Offer("message", seller.name, message, 0.0)
    market = Market.build(problem, [[offer], *context][:depth])
    plan = solve_scenario(market, Scenario(1.0), depth, _RIP)
    deeper = [market.levels[k] for k in range(1, depth)]
    masks = np.stack(plan.masks[1:], axis=1) if depth > 1 else np.zeros((n, 0), dtype=np.intp)
    groups, inverse = np.unique(masks, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    group_ids: list[tuple[str, ...]] = []
    wtp = np.zeros(n)
    for g, row in enumerate(groups):
        ids = tuple(
            o.id
            for menu, mask in zip(deeper, row, strict=True)
            for j, o in enumerate(menu)
            if int(mask) >> j & 1
        )
        group_ids.append(ids)
        names = {x for i in ids for x in market.offer(i).reveals}
        sel = inverse == g
        with_part = problem.world.partition(sorted(names | set(message)))
        without_part = problem.world.partition(sorted(names))
        diff = _acted(problem, with_part) - _acted(problem, without_part)
        sums = grouped_sums(with_part.cells, problem.prior, diff[:, None], with_part.n_cells)[:, 0]
        mass = with_part.masses(problem.prior)
        per_cell = np.where(mass > 0, sums / np.where(mass > 0, mass, 1.0), 0.0)
        wtp[sel] = np.maximum(per_cell[with_part.cells[sel]], 0.0)
    context_ids = tuple(group_ids[g] for g in inverse.tolist())
    context_paid = plan.paid.copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        utility = problem.decision.utility(states, plan.actions)
    support = problem.prior > 0
    gain = np.where(support, utility - base, 0.0)
    return _Message(wtp, plan.masks[0] == 1, gain, context_paid, plan.actions, context_ids)


def _acted(problem: Problem, part: Partition) -> NDArray[np.float64]:
    """U(s, x(cell of s)) for the Bayes action on every cell (0 off the support)."""
    stats = grouped_sums(part.cells, problem.prior, problem.decision.features, part.n_cells)
    x0 = problem.no_info()[0]
    best = problem.decision.best_actions(stats)
    best = np.where(part.masses(problem.prior) > 0, best, x0).astype(np.asarray(best).dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = problem.decision.utility(np.arange(part.n_states), best[part.cells])
    return np.where(problem.prior > 0, u, 0.0)
