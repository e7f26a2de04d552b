"""Deepest-first backward induction over purchase decisions (docs/theory.md §4), exact and memoised.

Decisions x^N, x^{N-1}, ..., x^0 are taken deepest first; x^n (n >= 1) is a subset of the
level-(n-1) menu and x^0 an action. Decider n sees a :class:`Visibility`-given part of

- the *contents* of every offer on sale at levels 0..n-1 (inspection), and
- the *contents* of the offers bought by the deeper decisions x^{n+1}..x^N (recall),

and chooses to maximise the expected final utility U(x^0) minus the total price, simulating
the shallower deciders, who use their own information. This is the node value of RIP:
U(x^n..x^N) = U(argmax_x E[U(x, x^n..x^N) | I^0..I^{n-2}, x^n..x^N], x^n..x^N).

*(choice, as in docs/theory.md's formulas)* A decision conditions on the **contents** of the
offers it sees (the join of the partitions of their variables), never on the event that the
deeper deciders chose to buy them: a buyer's self that was not there when an offer was chosen
cannot infer the unbought offers behind that choice (sellers' property rights).

Ties go to the purchase with the lowest mask (offers numbered in menu order, bit k for the
k-th offer): buying nothing wins every tie. Actions tie to the lowest index (``argmax_lowest``).

A deeper subtree's value depends only on what the shallower deciders will see of the deeper
purchases, so it is memoised on (level, what each shallower decider sees): each distinct
information state is solved once, vectorised over the states with ``grouped_sums``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from volition.core import Partition, argmax_lowest, grouped_sums
from volition.mechanisms.market import Market, Offer, Scenario

__all__ = ["Plan", "Visibility", "solve_scenario"]


@dataclass(frozen=True)
class Visibility:
    """What decider n sees: all menus below it (``inspect``) and which deeper purchases.

    ``recall="all"``: the contents of x^{n+1}..x^N (RIP, no inspection); ``"next"``: only
    x^{n+1}, each level's utility defined from the level below (successive inspection).
    """

    inspect: bool
    recall: Literal["all", "next"]


@dataclass(frozen=True, eq=False)
class Plan:
    """What a scenario's deciders do in every state.

    ``masks[k][s]`` is the purchase x^{k+1} (a mask over the level-k menu) in state s,
    ``actions[s]`` the final action x^0, ``paid[s]`` the total price and ``value[s]`` the
    realised utility U(s, x^0) minus the total price (0 on states of prior zero).
    """

    masks: tuple[NDArray[np.intp], ...]
    actions: NDArray[Any]
    paid: NDArray[np.float64]
    value: NDArray[np.float64]


class _Subtree:
    """A solved subtree: the value and choices of the deciders below a fixed purchase tuple."""

    __slots__ = ("actions", "masks", "paid", "value")

    def __init__(
        self,
        value: NDArray[np.float64],
        paid: NDArray[np.float64],
        masks: tuple[NDArray[np.intp], ...],
        actions: NDArray[Any],
    ) -> None:
        self.value = value
        self.paid = paid
        self.masks = masks  # decisions x^1 .. x^{n-1}, shallowest first
        self.actions = actions


class _Solver:
    def __init__(self, market: Market, scenario: Scenario, depth: int, vis: Visibility) -> None:
        problem = market.problem
        self.market = market
        self.depth = depth
        self.vis = vis
        self.prior = problem.prior
        self.support = self.prior > 0
        self.decision = problem.decision
        self.menus: list[tuple[Offer, ...]] = [market.menu(scenario, k) for k in range(depth)]
        self.prices = [_mask_prices(menu) for menu in self.menus]
        self.x0 = problem.no_info()[0]
        self.memo: dict[tuple[Any, ...], _Subtree] = {}
        self.parts: dict[frozenset[str], Partition] = {}
        self.states = np.arange(self.prior.shape[0])

    def partition(self, names: frozenset[str]) -> Partition:
        part = self.parts.get(names)
        if part is None:
            part = self.market.problem.world.partition(sorted(names))
            self.parts[names] = part
        return part

    def bought_names(self, level: int, mask: int) -> frozenset[str]:
        menu = self.menus[level]
        return frozenset(n for k, o in enumerate(menu) if mask >> k & 1 for n in o.reveals)

    def inspected(self, decider: int) -> frozenset[str]:
        if not self.vis.inspect:
            return frozenset()
        return frozenset(n for menu in self.menus[:decider] for o in menu for n in o.reveals)

    def recalled(self, decider: int, upper: dict[int, frozenset[str]]) -> frozenset[str]:
        """What decider ``decider`` sees of deeper purchases; ``upper[k]`` = names of x^k."""
        if self.vis.recall == "next":
            return upper.get(decider + 1, frozenset())
        return frozenset().union(*(names for k, names in upper.items() if k > decider))

    def solve(self, n: int, upper: dict[int, frozenset[str]]) -> _Subtree:
        """Deciders n-1 .. 0 given the contents bought by x^n..x^N (``upper``)."""
        key = (n, tuple(self.recalled(j, upper) for j in range(n)))
        hit = self.memo.get(key)
        if hit is None:
            hit = self._action(upper) if n == 1 else self._purchase(n - 1, upper)
            self.memo[key] = hit
        return hit

    def _action(self, upper: dict[int, frozenset[str]]) -> _Subtree:
        part = self.partition(self.recalled(0, upper))
        stats = grouped_sums(part.cells, self.prior, self.decision.features, part.n_cells)
        masses = part.masses(self.prior)
        best = self.decision.best_actions(stats)
        best = np.where(masses > 0, best, self.x0).astype(np.asarray(best).dtype)
        actions = best[part.cells]
        with np.errstate(invalid="ignore", divide="ignore"):
            utility = self.decision.utility(self.states, actions)
        value = np.where(self.support, utility, 0.0)
        return _Subtree(value, np.zeros_like(value), (), actions)

    def _purchase(self, d: int, upper: dict[int, frozenset[str]]) -> _Subtree:
        prices = self.prices[d - 1]
        subs = [
            self.solve(d, {**upper, d: self.bought_names(d - 1, mask)})
            for mask in range(prices.size)
        ]
        cand = np.stack([sub.value for sub in subs], axis=1) - prices[None, :]
        part = self.partition(self.inspected(d) | self.recalled(d, upper))
        stats = grouped_sums(part.cells, self.prior, cand, part.n_cells)
        choice = np.where(part.masses(self.prior) > 0, argmax_lowest(stats), 0)
        chosen = choice[part.cells]
        rows = self.states

        def pick(arrays: Sequence[NDArray[Any]]) -> NDArray[Any]:
            return np.stack(arrays, axis=0)[chosen, rows]

        paid = prices[chosen] + pick([sub.paid for sub in subs])
        masks = tuple(pick([sub.masks[k] for sub in subs]) for k in range(d - 1))
        return _Subtree(
            cand[rows, chosen], paid, (*masks, chosen), pick([sub.actions for sub in subs])
        )


def solve_scenario(market: Market, scenario: Scenario, depth: int, vis: Visibility) -> Plan:
    """Every decision of a depth-``depth`` protocol in one scenario, in every state."""
    solver = _Solver(market, scenario, depth, vis)
    top = solver.solve(depth + 1, {})  # decider `depth`; depth 0 is the action alone
    value = np.where(solver.support, top.value, 0.0)
    return Plan(masks=top.masks, actions=top.actions, paid=top.paid, value=value)


def _mask_prices(menu: Sequence[Offer]) -> NDArray[np.float64]:
    """The total price of every subset of a menu, indexed by its mask."""
    prices = np.zeros(1 << len(menu))
    for k, offer in enumerate(menu):
        bit = 1 << k
        prices[bit : 2 * bit] = prices[:bit] + offer.price
    return prices
