"""The best admissible purchase protocol, by exhaustive search (docs/theory.md §4).

An *admissible* protocol is any tuple of functions x^N = xi^N(I^0..I^{N-1}),
x^n = xi^n(I^0..I^{n-1}, x^{n+1}..x^N), x^0 = xi^0(x^1..x^N): decider n may use the menus and
contents of levels 0..n-1 and the offers bought by the deeper decisions (which ones, and their
contents), never an offer merely seen. Its value is the plain expectation E[U(xi(I))] over the
scenarios and states. Every protocol of :mod:`volition.mechanisms.protocols` is admissible.

The search enumerates every joint choice of xi^N..xi^1 on the information states that can
occur (depth first, deepest decider first) and answers each with the best xi^0 in closed form
(the Bayes action on each (purchase, content) cell). It is exact and exponential: it refuses,
naming the size, past ``max_policies`` joint policies.

What it shows: the best admissible protocol may beat content-conditioned RIP, because a
deeper decider can *signal* through which offers it buys (buy a free offer exactly when an
unbought one says so) and a plain expectation rewards a shallower decider for reading the
signal. RIP by construction never reads it (docs/theory.md's formulas condition on contents). With
free offers nothing is worth hiding and the two coincide at the full-information value.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from volition.core import Partition, grouped_sums
from volition.errors import ComputationError, InputError
from volition.mechanisms.backward import Plan
from volition.mechanisms.market import Market, Offer
from volition.mechanisms.protocols import Protocol, ProtocolResult, evaluate_plans

__all__ = ["DEFAULT_MAX_POLICIES", "BestAdmissible", "omniscient_tuple_value"]

DEFAULT_MAX_POLICIES = 20_000
"""Joint purchase policies the exhaustive search may enumerate before it refuses."""

Tuple = tuple[frozenset[str], ...]  # offer ids bought at the deeper levels, deepest last


@dataclass
class _Best:
    value: float
    masks: list[NDArray[np.intp]]  # per decider, shallowest first; masks over sigma's menu
    actions: NDArray[Any]


class BestAdmissible(Protocol):
    """The exhaustive best admissible protocol of depth N (small instances only)."""

    name = "best"

    def __init__(self, depth: int | None = None, max_policies: int = DEFAULT_MAX_POLICIES):
        if depth is not None and depth < 0:
            raise InputError(f"depth must be >= 0, got {depth}")
        self.depth = depth
        self.max_policies = max_policies

    def __repr__(self) -> str:
        return f"BestAdmissible(depth={self.depth})"

    def evaluate(self, market: Market) -> ProtocolResult:
        depth = market.n_levels if self.depth is None else self.depth
        search = _Search(market, depth, self.max_policies)
        best = search.run()
        plans = search.plans(best)
        method = (
            f"exhaustive search over {search.leaves} joint admissible policies, "
            "Bayes-optimal final action on every (purchase, content) cell; exact"
        )
        return evaluate_plans(market, self.name, depth, method, plans)


class _Search:
    def __init__(self, market: Market, depth: int, limit: int) -> None:
        problem = market.problem
        self.market = market
        self.depth = depth
        self.limit = limit
        self.leaves = 0
        self.estimate = 1
        prior = problem.prior
        support = np.flatnonzero(prior > 0)
        n_sc = len(market.scenarios)
        self.sigma = np.repeat(np.arange(n_sc), support.size)
        self.states = np.tile(support, n_sc)
        probs = np.array([s.probability for s in market.scenarios])
        self.weights = probs[self.sigma] * prior[self.states]
        self.features = problem.decision.features[self.states]
        self.decision = problem.decision
        self.menus = [[market.menu(s, k) for k in range(depth)] for s in market.scenarios]
        self.parts: dict[frozenset[str], Partition] = {}
        self.tuples: list[Tuple] = [()]
        self.codes: dict[Tuple, int] = {(): 0}
        self.tuple_prices: list[float] = [0.0]
        self.signatures: dict[tuple[tuple[str, ...], ...], int] = {}

    def run(self) -> _Best:
        return self._decide(self.depth, np.zeros(self.sigma.size, dtype=np.intp))

    def _code(self, tup: Tuple) -> int:
        code = self.codes.get(tup)
        if code is None:
            code = len(self.tuples)
            self.tuples.append(tup)
            self.codes[tup] = code
            self.tuple_prices.append(
                math.fsum(self.market.offer(i).price for ids in tup for i in ids)
            )
        return code

    def _cells(self, names_of: dict[tuple[int, int], frozenset[str]], group: NDArray[Any]) -> Any:
        """A content cell per entry, for entries grouped by (scenario, tuple code)."""
        cells = np.zeros(self.sigma.size, dtype=np.intp)
        for g, names in names_of.items():
            sel = group == g[1] if g[0] < 0 else (self.sigma == g[0]) & (group == g[1])
            part = self.parts.get(names)
            if part is None:
                part = self.market.problem.world.partition(sorted(names))
                self.parts[names] = part
            cells[sel] = part.cells[self.states[sel]]
        return cells

    def _decide(self, n: int, upper: NDArray[np.intp]) -> _Best:
        if n == 0:
            return self._final(upper)
        d = n  # decider n chooses x^n, a subset of the level-(n-1) menu
        names_of: dict[tuple[int, int], frozenset[str]] = {}
        for sc, code in set(zip(self.sigma.tolist(), upper.tolist(), strict=True)):
            seen = frozenset(x for menu in self.menus[sc][:d] for o in menu for x in o.reveals)
            names_of[(sc, code)] = seen | self._revealed(code)
        cells = self._cells(names_of, upper)
        signature = np.array(
            [self._signature(sc, d) for sc in range(len(self.menus))], dtype=np.intp
        )[self.sigma]
        key_rows = np.stack([signature, upper, cells], axis=1)
        keys, key_of = np.unique(key_rows, axis=0, return_inverse=True)
        key_of = key_of.ravel()
        first = np.array([np.flatnonzero(key_of == k)[0] for k in range(keys.shape[0])])
        menus = [self.menus[int(self.sigma[e])][d - 1] for e in first]
        counts = [1 << len(menu) for menu in menus]
        if self.leaves == 0:  # on the first path: estimate the size before enumerating
            self.estimate *= math.prod(counts)
            if self.estimate > self.limit:
                self._refuse(self.estimate)
        best: _Best | None = None
        for assignment in itertools.product(*(range(c) for c in counts)):
            new_codes = np.array(
                [
                    self._code((*self.tuples[int(upper[e])], _ids(menu, mask)))
                    for e, menu, mask in zip(first, menus, assignment, strict=True)
                ],
                dtype=np.intp,
            )
            result = self._decide(n - 1, new_codes[key_of])
            if best is None or result.value > best.value + 1e-12 * max(1.0, abs(best.value)):
                chosen = np.array(assignment, dtype=np.intp)[key_of]
                best = _Best(result.value, [*result.masks, chosen], result.actions)
        assert best is not None
        return best

    def _signature(self, sc: int, d: int) -> int:
        """Which menus decider d has seen (levels 0..d-1), as a small integer."""
        menus = tuple(tuple(o.id for o in m) for m in self.menus[sc][:d])
        return self.signatures.setdefault(menus, len(self.signatures))

    def _revealed(self, code: int) -> frozenset[str]:
        return frozenset(
            x for ids in self.tuples[code] for i in ids for x in self.market.offer(i).reveals
        )

    def _final(self, upper: NDArray[np.intp]) -> _Best:
        self.leaves += 1
        if self.leaves > self.limit:
            self._refuse(self.leaves)
        names_of: dict[tuple[int, int], frozenset[str]] = {}
        for code in set(upper.tolist()):
            names_of[(-1, code)] = self._revealed(code)
        cells = self._cells(names_of, upper)
        keys, key_of = np.unique(np.stack([upper, cells], axis=1), axis=0, return_inverse=True)
        key_of = key_of.ravel()
        stats = grouped_sums(key_of, self.weights, self.features, keys.shape[0])
        actions = self.decision.best_actions(stats)
        utility = float(self.decision.expected_utility(stats, actions).sum())
        price = np.asarray(self.tuple_prices)
        value = utility - float(self.weights @ price[upper])
        return _Best(value, [], np.asarray(actions)[key_of])

    def _refuse(self, size: int) -> None:
        n_offers = len(self.market.offers)
        raise ComputationError(
            f"the exhaustive best admissible protocol needs more than {self.limit} joint "
            f"policies here (about {size}; depth {self.depth}, {n_offers} offers, "
            f"{self.market.problem.space.size} states); use rip, a smaller market, or a "
            "larger max_policies"
        )

    def plans(self, best: _Best) -> list[Plan]:
        """Per-scenario plans over all states (states of prior zero: nothing bought, x0)."""
        problem = self.market.problem
        n = problem.space.size
        x0 = problem.no_info()[0]
        plans = []
        prior = problem.prior
        for sc in range(len(self.market.scenarios)):
            sel = self.sigma == sc
            idx = self.states[sel]
            masks = []
            for level_masks in best.masks:
                full = np.zeros(n, dtype=np.intp)
                full[idx] = level_masks[sel]
                masks.append(full)
            actions = np.full(n, x0, dtype=np.asarray(best.actions).dtype)
            actions[idx] = best.actions[sel]
            paid = np.zeros(n)
            for k, full in enumerate(masks):
                menu = self.menus[sc][k]
                for j, offer in enumerate(menu):
                    paid += offer.price * (full >> j & 1)
            with np.errstate(invalid="ignore", divide="ignore"):
                utility = problem.decision.utility(np.arange(n), actions)
            value = np.where(prior > 0, utility - paid, 0.0)
            plans.append(Plan(tuple(masks), actions, paid, value))
        return plans


def _ids(menu: tuple[Offer, ...], mask: int) -> frozenset[str]:
    return frozenset(o.id for k, o in enumerate(menu) if mask >> k & 1)


def omniscient_tuple_value(market: Market, depth: int | None = None) -> float:
    """E[max over purchase tuples of E[U(x^0) - price | every offer on sale]]: not admissible.

    The purchase tuple (x^1..x^N) is chosen seeing the contents of every offer on sale, and
    x^0 is the Bayes action on the contents bought. docs/theory.md §4's non-theorem: RIP is not
    this argmax (a shallower decider cannot use what a deeper one saw and did not buy).
    """
    problem = market.problem
    n = market.n_levels if depth is None else depth
    total = 0.0
    for scenario in market.scenarios:
        menus = [market.menu(scenario, k) for k in range(n)]
        seen = market.partition([o for menu in menus for o in menu])
        columns = []
        for masks in itertools.product(*(range(1 << len(menu)) for menu in menus)):
            bought = [o for menu, m in zip(menus, masks, strict=True) for o in _chosen(menu, m)]
            part = market.partition(bought)
            stats = grouped_sums(part.cells, problem.prior, problem.decision.features, part.n_cells)
            actions = np.asarray(problem.decision.best_actions(stats))[part.cells]
            with np.errstate(invalid="ignore", divide="ignore"):
                utility = problem.decision.utility(np.arange(part.n_states), actions)
            price = math.fsum(o.price for o in bought)
            columns.append(np.where(problem.prior > 0, utility, 0.0) - price)
        values = np.stack(columns, axis=1)
        per_cell = grouped_sums(seen.cells, problem.prior, values, seen.n_cells)
        total += scenario.probability * float(per_cell.max(axis=1).sum())
    return total


def _chosen(menu: tuple[Offer, ...], mask: int) -> list[Offer]:
    return [o for k, o in enumerate(menu) if mask >> k & 1]
