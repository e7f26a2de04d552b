"""The marginal-value oversight mechanism (docs/theory.md §4, scalable oversight).

Informers beta^1..beta^N (copies of the AI being trained) all know the full information K.
In turn, beta^n offers x^n: one offer of a menu (each reveals variables that K determines,
at a price) or the null offer. After x^1..x^n the buyer acts x^0_n = argmax E[U | x^1..x^n]
(on the contents revealed), and

    U^n(x^n) = U(x^0_n) - U(x^0_{n-1}) - p(x^n),    R^n = E[U^n(x^n) | x^1..x^N],

so beta^n is paid the marginal value of its offer judged with everything said after it. The
rewards telescope: sum_n R^n = E[U(x^0_N) - U(x^0_0) | all] - total price.

Each beta^n maximises R^n; since the informers know K and every offer is K-measurable, the
game is one of perfect information for each cell of K, solved exactly by backward induction
(vectorised over the states, memoised on histories). *(choice)* Tie rule: an informer
indifferent between offers makes the first in the order (null, then the menu's order), i.e.
it says nothing unless speaking strictly pays.

The theorem of docs/theory.md §4 (x^1_* inextensible, then null) presumes informers may offer any
variables K determines, so a menu closed under joining offers (:func:`join_closure`, prices
adding). On a menu that is not, two informers may split one argument between them (beta^1
offers Y, beta^2 adds X, both paid): the tests show such a case.

Extension and inextensibility are in :mod:`volition.mechanisms.extension`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from volition.core import Partition, Problem, grouped_sums
from volition.errors import ComputationError, InputError
from volition.mechanisms.market import Offer

__all__ = [
    "MAX_HISTORIES",
    "OversightResult",
    "join_closure",
    "marginal_value_equilibrium",
    "rewards",
]

MAX_HISTORIES = 200_000
"""Game-tree leaves (menu size + 1) ** informers the backward induction may visit."""

History = tuple[int, ...]  # offer indices into the menu; -1 is the null offer


@dataclass(frozen=True, eq=False)
class OversightResult:
    """The subgame-perfect equilibrium of the marginal-value mechanism, state by state.

    ``paths[s]`` is the equilibrium offer ids (``None`` for null), ``rewards[n, s]`` is R^{n+1}
    on the path, ``value[s]`` the buyer's gain U(s, x^0_N) - U(s, x^0_0) net of prices, and
    ``ideal[s]`` the best single offer's gain given K, E[U(x^0(y)) - U(x^0_0) | K] - p(y).
    """

    menu: tuple[Offer, ...]
    informers: int | None
    knows: Partition
    method: str
    paths: tuple[tuple[str | None, ...], ...]
    rewards: NDArray[np.float64]
    value: NDArray[np.float64]
    ideal: NDArray[np.float64]
    expected_value: float
    expected_ideal: float


class _Game:
    """Rewards of every history, memoised; all arrays are over the states."""

    def __init__(self, problem: Problem, menu: Sequence[Offer], knows: Partition) -> None:
        self.problem = problem
        self.menu = tuple(menu)
        self.knows = knows
        self.prior = problem.prior
        self.support = self.prior > 0
        self.states = np.arange(problem.space.size)
        for offer in self.menu:
            part = problem.world.partition(list(offer.reveals))
            if not knows.refines(part):
                raise InputError(
                    f"offer {offer.id!r} reveals {', '.join(offer.reveals)}, which K does not "
                    "determine; the informers can only offer what they know"
                )
        self._partition = lru_cache(maxsize=None)(self._partition_uncached)
        self.extends_memo: dict[tuple[frozenset[str], int], NDArray[np.bool_]] = {}
        self.inextensible_memo: dict[tuple[frozenset[str], int], NDArray[np.bool_]] = {}
        self.acted = lru_cache(maxsize=None)(self._acted_uncached)

    def names(self, history: History) -> frozenset[str]:
        return frozenset(x for i in history if i >= 0 for x in self.menu[i].reveals)

    def _partition_uncached(self, names: frozenset[str]) -> Partition:
        return self.problem.world.partition(sorted(names))

    def _acted_uncached(self, names: frozenset[str]) -> NDArray[np.float64]:
        """U(s, x^0(cell of s)) for the Bayes action on the contents ``names``."""
        part = self._partition(names)
        decision = self.problem.decision
        stats = grouped_sums(part.cells, self.prior, decision.features, part.n_cells)
        x0 = self.problem.no_info()[0]
        best = decision.best_actions(stats)
        best = np.where(part.masses(self.prior) > 0, best, x0).astype(np.asarray(best).dtype)
        with np.errstate(invalid="ignore", divide="ignore"):
            u = decision.utility(self.states, best[part.cells])
        return np.where(self.support, u, 0.0)

    def price(self, i: int) -> float:
        return 0.0 if i < 0 else self.menu[i].price

    def rewards(self, history: History) -> NDArray[np.float64]:
        """R^n for n = 1..len(history), at every state: shape (len(history), n_states)."""
        if not history:
            return np.zeros((0, self.states.size))
        final = self._partition(self.names(history))
        mass = final.masses(self.prior)
        acted = [self.acted(self.names(history[:n])) for n in range(len(history) + 1)]
        diffs = np.stack([acted[n + 1] - acted[n] for n in range(len(history))], axis=1)
        sums = grouped_sums(final.cells, self.prior, diffs, final.n_cells)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.where(mass[:, None] > 0, sums / np.where(mass > 0, mass, 1.0)[:, None], 0)
        prices = np.array([self.price(i) for i in history])
        return np.asarray(means[final.cells].T - prices[:, None], dtype=np.float64)


def join_closure(menu: Sequence[Offer]) -> tuple[Offer, ...]:
    """Every non-empty combination of the offers, as one offer each (prices add, ids joined
    with ``+``): the menu of informers who may offer any variables their offers determine."""
    closed = []
    for r in range(1, len(menu) + 1):
        for combo in itertools.combinations(menu, r):
            names = tuple(dict.fromkeys(x for o in combo for x in o.reveals))
            closed.append(
                Offer(
                    "+".join(o.id for o in combo),
                    combo[0].seller,
                    names,
                    sum(o.price for o in combo),
                )
            )
    return tuple(closed)


def rewards(problem: Problem, history: Sequence[Offer | None]) -> NDArray[np.float64]:
    """R^1..R^N of a history of offers (``None`` = null) at every state: shape (N, n_states)."""
    menu = [o for o in history if o is not None]
    game = _Game(problem, menu, problem.world.partition("state"))
    index: list[int] = []
    k = 0
    for offer in history:
        index.append(-1 if offer is None else k)
        k += offer is not None
    return game.rewards(tuple(index))


def marginal_value_equilibrium(
    problem: Problem,
    menu: Sequence[Offer],
    informers: int | None = None,
    knows: Sequence[str] = ("state",),
    max_histories: int = MAX_HISTORIES,
) -> OversightResult:
    """The subgame-perfect equilibrium by backward induction, and its value against the ideal.

    ``informers=None`` (the default) is the paper's unbounded sequence beta^1, beta^2, ...:
    *(choice)* the informers are identical copies, so once one passes (offers null) every
    later one faces the same history and passes too, and the game ends; an offer already
    made adds nothing, so each history offers distinct offers and the tree is finite.
    ``informers=N`` plays exactly N moves (null allowed anywhere); there the last informer
    cannot be answered, which docs/theory.md's theorem does not cover.
    """
    if informers is not None and informers < 1:
        raise InputError(f"the mechanism needs at least one informer, got {informers}")
    m = len(menu)
    if informers is None:
        size = sum(math.perm(m, k) for k in range(m + 1))
        what = f"{m} offers, informers until one passes"
    else:
        size = (m + 1) ** informers
        what = f"{m} offers + null, {informers} informers"
    if size > max_histories:
        raise ComputationError(
            f"backward induction may visit up to {size} histories ({what}), more than "
            f"{max_histories}; use fewer informers or offers"
        )
    game = _Game(problem, menu, problem.world.partition(list(knows)))
    moves = m if informers is None else informers
    path_idx, reward = (
        _solve_unbounded(game, (), m) if informers is None else _solve_fixed(game, (), informers)
    )
    n_states = problem.space.size
    base = game.acted(frozenset())
    value = np.zeros(n_states)
    distinct, inverse = np.unique(path_idx.T, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    for g, row in enumerate(distinct):
        hist = tuple(int(i) for i in row if i >= 0)
        sel = inverse == g
        gain = game.acted(game.names(hist))[sel] - base[sel]
        value[sel] = gain - sum(game.price(i) for i in hist)
    value = np.where(game.support, value, 0.0)
    paths = tuple(
        tuple(None if i < 0 else menu[i].id for i in path_idx[:, s]) for s in range(n_states)
    )
    return OversightResult(
        menu=tuple(menu),
        informers=informers,
        knows=game.knows,
        method=(
            f"backward induction over {size} histories ({what}), per cell of K; ties to "
            "null, then menu order; exact"
        ),
        paths=paths,
        rewards=reward[:moves],
        value=value,
        ideal=_ideal(game, base),
        expected_value=float(problem.prior @ value),
        expected_ideal=float(problem.prior @ _ideal(game, base)),
    )


Solution = tuple[NDArray[np.intp], NDArray[np.float64]]


def _choose(options: list[Solution], mover: int) -> Solution:
    """Each state's mover takes the option with its highest reward (ties: first option)."""
    mine = np.stack([r[mover] for _, r in options], axis=1)
    best = mine.max(axis=1, keepdims=True)
    scale = np.maximum(np.abs(mine).max(axis=1, keepdims=True), 1.0)
    choice = np.argmax(mine >= best - 1e-12 * scale, axis=1)
    rows = np.arange(mine.shape[0])
    paths = np.stack([p for p, _ in options], axis=0)[choice, :, rows].T
    chosen = np.stack([r for _, r in options], axis=0)[choice, :, rows].T
    return paths, chosen


def _solve_fixed(game: _Game, history: History, informers: int) -> Solution:
    """Exactly ``informers`` moves; paths hold every move (-1 = null)."""
    n = game.states.size
    if len(history) == informers:
        path = np.repeat(np.array(history, dtype=np.intp)[:, None], n, axis=1)
        return path, game.rewards(history)
    options = [_solve_fixed(game, (*history, i), informers) for i in range(-1, len(game.menu))]
    return _choose(options, len(history))


def _new(game: _Game, history: History, y: int) -> bool:
    """Whether offer y reveals something the history has not: an offer that does not is
    worth -p <= 0 to its informer, no more than passing, and passing wins ties."""
    return not set(game.menu[y].reveals) <= game.names(history)


def _solve_unbounded(game: _Game, history: History, m: int) -> Solution:
    """Moves until one informer passes; paths and rewards padded to ``m`` rows."""
    n = game.states.size
    done = game.rewards(history)
    stop_path = np.full((m, n), -1, dtype=np.intp)
    stop_path[: len(history)] = np.array(history, dtype=np.intp)[:, None]
    stop = (stop_path, np.concatenate([done, np.zeros((m - len(history), n))], axis=0))
    options = [stop]
    options += [
        _solve_unbounded(game, (*history, y), m) for y in range(m) if _new(game, history, y)
    ]
    if len(options) == 1 or len(history) == m:
        return stop
    return _choose(options, len(history))


def _ideal(game: _Game, base: NDArray[np.float64]) -> NDArray[np.float64]:
    """max over single offers y (and null) of E[U(x^0(y)) - U(x^0_0) | K] - p(y), per state."""
    k = game.knows
    mass = k.masses(game.prior)
    gains = [np.zeros_like(base)]
    for i, offer in enumerate(game.menu):
        diff = game.acted(game.names((i,))) - base
        sums = np.bincount(k.cells, weights=game.prior * diff, minlength=k.n_cells)
        per_cell = np.where(mass > 0, sums / np.where(mass > 0, mass, 1.0), 0.0)
        gains.append(per_cell[k.cells] - offer.price)
    return np.asarray(np.max(np.stack(gains, axis=1), axis=1), dtype=np.float64)
