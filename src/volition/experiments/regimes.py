"""Each market regime on a world, tabulated as a :class:`TabularGame` (docs/theory.md §3-4).

One informer knows K (some variables of the world) and reveals a true subset of it (a
*message*, the values of those variables in the hidden state); the buyer runs a regime:

- ``naive``: it buys blind at a price fixed ex ante (the Lindley value of all of K, what it
  thinks it buys), then acts on whatever was delivered;
- ``inspection`` (IP): it inspects the message and pays its ex-post value (eq. 2);
- ``successive`` / ``rip`` of depth k: it inspects the message with a depth-k inspector that
  may buy the world's *context* offers (the market file's levels 1..k-1), and pays the value
  the message adds to the final decision given the context bought (contents only);
- ``rlhf``: a shallow judge approves (reward 1) any message of positive ex-post value; the
  buyer acts on the message;
- ``oversight``: the marginal-value mechanism, informers beta^1, beta^2, ... offering one of
  the menu's offers or null in turn, paid R^n; plain ``oversight`` plays until one passes
  (as many informers as offers; ``marginal_value_equilibrium``'s default), ``oversight:N``
  exactly N (null allowed anywhere; the last informer cannot be answered).

The buyer's decisions are ``volition.mechanisms``' exact ones: ``strategic_seller``'s
message evaluation (naive, IP, RIP), ``solve_scenario`` (successive) and
``marginal_value_rewards`` (oversight). Informers pay ``effort_cost`` per variable revealed:
the infinitesimal production cost with which ``mechanisms`` breaks a seller's ties.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from volition.core import Problem, grouped_sums
from volition.errors import InputError
from volition.experiments.game import CATEGORIES, TOL, TabularGame
from volition.mechanisms import Offer, Scenario, Visibility
from volition.mechanisms import rewards as marginal_value_rewards
from volition.mechanisms.backward import solve_scenario
from volition.mechanisms.market import Market
from volition.mechanisms.sellers import StrategicSeller

__all__ = ["REGIME_KINDS", "Regime", "World", "build_game", "engine_unsupported", "parse_regime"]

REGIME_KINDS = ("naive", "inspection", "successive", "rip", "rlhf", "oversight")


@dataclass(frozen=True)
class Regime:
    """A regime and its depth (``successive``/``rip``) or informer count (``oversight``)."""

    kind: str
    depth: int = 1

    @property
    def label(self) -> str:
        if self.kind in ("naive", "inspection", "rlhf") or self.depth == 0:
            return self.kind
        return f"{self.kind}:{self.depth}"


def parse_regime(text: str) -> Regime:
    """``naive``, ``inspection``, ``rlhf``, ``rip:2``, ``successive:2``, ``oversight:2``;
    plain ``oversight`` is the paper's unbounded sequence (informers until one passes)."""
    kind, _, rest = text.partition(":")
    if kind not in REGIME_KINDS:
        raise InputError(
            f"unknown regime {text!r}; use one of {', '.join(REGIME_KINDS)} (e.g. rip:2)"
        )
    if kind in ("naive", "inspection", "rlhf"):
        if rest:
            raise InputError(f"regime {text!r}: {kind} takes no depth; write {kind!r}")
        return Regime(kind)
    if kind == "oversight" and not rest:
        return Regime(kind, 0)
    try:
        depth = int(rest) if rest else 2
    except ValueError:
        raise InputError(f"regime {text!r}: the part after ':' must be an integer >= 1") from None
    if depth < 1:
        raise InputError(f"regime {text!r}: the depth must be >= 1")
    return Regime(kind, depth)


def engine_unsupported(regime: Regime) -> str | None:
    """Why ``regime`` has no engine path, or ``None`` when it has one."""
    if regime.kind in ("inspection", "rip"):
        return None
    return {
        "naive": "the inspection engine buys only after inspecting (the domain's blind "
        "purchase, Bazaar.buy_blind, is not the engine's)",
        "rlhf": "an RLHF judge's approval is a reward, not a purchase: no money moves on a ledger",
        "successive": "the engine's buyer keeps what it learns from deeper purchases (recall "
        "`all`); successive inspection forgets all but the next level, which the Bayesian "
        "buyer does not model",
        "oversight": "the marginal-value mechanism pays each informer R^n after all have "
        "offered; the engine pays posted prices at purchase",
    }[regime.kind]


@dataclass(frozen=True, eq=False)
class World:
    """A world for experiments: a problem, what the informer knows, the context offers
    (levels 1.. of a market file) and the oversight menu (its level 0)."""

    name: str
    problem: Problem
    knows: tuple[str, ...]
    context: tuple[tuple[Offer, ...], ...] = ()
    menu: tuple[Offer, ...] = ()
    effort_cost: float = 1e-3

    def messages(self) -> list[tuple[str, ...]]:
        """Every true subset of K, fewest variables first (``StrategicSeller``'s order)."""
        return StrategicSeller(self.knows).messages()


def build_game(world: World, regime: Regime) -> TabularGame:
    """The regime on the world as a tabulated game (one informer, or N for oversight)."""
    if regime.kind == "oversight":
        return _oversight(world, regime)
    if regime.kind in ("successive", "rip") and regime.depth > 1 + len(world.context):
        raise InputError(
            f"regime {regime.label} on world {world.name!r} needs {regime.depth - 1} context "
            f"level(s) but the world has {len(world.context)}; lower the depth or add levels"
        )
    return _seller(world, regime)


class _Values:
    """Per-state values of revealing some variables, cached (docs/theory.md §3)."""

    def __init__(self, problem: Problem, knows: Sequence[str]) -> None:
        self.problem = problem
        self.n = problem.space.size
        self.states = np.arange(self.n)
        self.x0 = problem.no_info()[0]
        self.knows = problem.world.partition(list(knows))
        self.acted = lru_cache(maxsize=None)(self._acted)
        self.ex_post = lru_cache(maxsize=None)(self._ex_post)
        self.reflective = lru_cache(maxsize=None)(self._reflective)

    def _acted(self, names: frozenset[str]) -> NDArray[np.float64]:
        """U(s, x_I(s)) - U(s, x0): the gross gain of acting on ``names`` (eq. 1, p = 0)."""
        value = self.problem.value(sorted(names))
        chosen = np.asarray(value.actions)[value.partition.cells]
        with np.errstate(invalid="ignore", divide="ignore"):
            gain = self.problem.decision.utility(
                self.states, chosen
            ) - self.problem.decision.utility(self.states, np.full(self.n, self.x0))
        return np.where(self.problem.prior > 0, gain, 0.0)

    def _ex_post(self, names: frozenset[str]) -> NDArray[np.float64]:
        """V(I | I = i) at every state (eq. 2, p = 0)."""
        value = self.problem.value(sorted(names))
        return np.nan_to_num(value.ex_post[value.partition.cells])

    def _reflective(self, names: frozenset[str]) -> NDArray[np.float64]:
        """E[eq. 1 | K] at every state: the value the buyer would see knowing all of K."""
        k = self.knows
        sums = grouped_sums(k.cells, self.problem.prior, self.acted(names)[:, None], k.n_cells)[
            :, 0
        ]
        mass = k.masses(self.problem.prior)
        return np.where(mass > 0, sums / np.where(mass > 0, mass, 1.0), 0.0)[k.cells]

    def categories(
        self, options: Sequence[tuple[str, ...]], paid: NDArray[np.float64]
    ) -> NDArray[np.intp]:
        """The :data:`CATEGORIES` index of each option (rows) in each state, given payments."""
        refl = np.stack([self.reflective(frozenset(m)) for m in options])
        post = np.stack([self.ex_post(frozenset(m)) for m in options])
        best = refl.max(axis=0)
        out = np.full(refl.shape, CATEGORIES.index("partial"), np.intp)
        for i, m in enumerate(options):
            truthful = refl[i] >= best - TOL
            subs = [frozenset(c) for r in range(1, len(m)) for c in itertools.combinations(m, r)]
            corrects = np.zeros(self.n, bool)
            for sub in subs:
                corrects |= self.ex_post(sub) > post[i] + TOL
            cherry = ~truthful & (post[i] > refl[i] + TOL)
            lemon = ~truthful & ~cherry & (refl[i] <= TOL)
            row = out[i]
            row[lemon] = CATEGORIES.index("lemon")
            row[cherry] = CATEGORIES.index("cherry_picked")
            row[truthful] = CATEGORIES.index("truthful")
            row[truthful & corrects] = CATEGORIES.index("corrective")
            if not m:
                row[:] = np.where(
                    paid[i] > TOL, CATEGORIES.index("lemon"), CATEGORIES.index("nothing")
                )
        return out

    def fixed(self, options: Sequence[tuple[str, ...]]) -> dict[str, NDArray[np.intp]]:
        """Fixed informers' action per cell of K: truthful (the best on reflection, fewest
        variables), cherry-picking (the highest ex-post value), lemon (nothing)."""
        k = self.knows
        first = np.array([int(k.members(c)[0]) for c in range(k.n_cells)], np.intp)
        refl = np.stack([self.reflective(frozenset(m)) for m in options])[:, first]
        post = np.stack([self.ex_post(frozenset(m)) for m in options])[:, first]
        return {
            "truthful": _argmax_first(refl),
            "cherry_pick": _argmax_first(post),
            "lemon": np.zeros(k.n_cells, np.intp),
        }


def _argmax_first(values: NDArray[np.float64]) -> NDArray[np.intp]:
    top = values.max(axis=0)
    return np.asarray(np.argmax(values >= top - TOL, axis=0), np.intp)


def _seller(world: World, regime: Regime) -> TabularGame:
    problem = world.problem
    vals = _Values(problem, world.knows)
    messages = world.messages()
    rows = []
    for m in messages:
        rows.append(_message(world, vals, m, regime))
    pay = np.stack([r[0] for r in rows])
    gain = np.stack([r[1] for r in rows])
    context_paid = np.stack([r[2] for r in rows])
    bought_names = [r[3] for r in rows]
    effort = np.array([world.effort_cost * len(m) for m in messages])[:, None]
    # an RLHF judge's approval is the informer's reward, not money the buyer pays
    charged = np.zeros_like(pay) if regime.kind == "rlhf" else pay
    ex_post = (
        np.stack([_bought_ex_post(vals, names) for names in bought_names]) - charged - context_paid
    )
    support = problem.prior > 0
    return TabularGame(
        world=world.name,
        regime=regime.label,
        agents=("informer_0",),
        n_actions=len(messages),
        action_labels=tuple("+".join(m) or "nothing" for m in messages),
        prior=problem.prior,
        cells=vals.knows.cells[None, :].astype(np.intp),
        n_cells=vals.knows.n_cells,
        reward=((pay - effort) * support)[:, None, :],
        true_value=(gain - charged - context_paid) * support,
        gain=gain * support,
        ex_post=ex_post * support,
        revenue=pay * support,
        surplus=(gain - effort) * support,
        category=vals.categories(messages, pay),
        fixed=vals.fixed(messages),
    )


def _bought_ex_post(vals: _Values, names: NDArray[np.object_]) -> NDArray[np.float64]:
    out = np.zeros(vals.n)
    for key in set(names.tolist()):
        sel = names == key
        out[sel] = vals.ex_post(key)[sel]
    return out


def _message(
    world: World, vals: _Values, m: tuple[str, ...], regime: Regime
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.object_]]:
    """(payment, gross gain eq. 1, context paid, names the buyer acted on) per state."""
    n = vals.n
    none = np.zeros(n)
    if regime.kind in ("naive", "rlhf") or not m:
        acted = np.empty(n, object)
        acted[:] = [frozenset(m)] * n
        if regime.kind == "naive":
            pay = np.full(n, float(world.problem.value(list(world.knows)).ex_ante))
        elif regime.kind == "rlhf":
            pay = (vals.ex_post(frozenset(m)) > TOL).astype(float)
        else:
            pay = none
        return pay, vals.acted(frozenset(m)), none, acted
    depth = 1 if regime.kind == "inspection" else regime.depth
    vis = Visibility(inspect=True, recall="next" if regime.kind == "successive" else "all")
    market = Market.build(
        world.problem, [[Offer("message", "informer", m, 0.0)], *world.context][:depth]
    )
    plan = solve_scenario(market, Scenario(1.0), depth, vis)
    names = np.empty(n, object)
    wtp = np.zeros(n)
    masks = [np.asarray(mask) for mask in plan.masks]
    keys = np.stack(masks[1:], axis=1) if depth > 1 else np.zeros((n, 0), np.intp)
    groups, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    for g, row in enumerate(groups):
        context = {
            x
            for menu, mask in zip(market.levels[1:depth], row, strict=True)
            for j, o in enumerate(menu)
            if int(mask) >> j & 1
            for x in o.reveals
        }
        sel = inverse == g
        # the value the message adds given the context bought (strategic_seller's wtp)
        added = _conditional(vals, frozenset(context | set(m)), frozenset(context))
        wtp[sel] = np.maximum(added[sel], 0.0)
        bought = masks[0][sel] == 1
        names[np.flatnonzero(sel)[bought]] = frozenset(context | set(m))
        names[np.flatnonzero(sel)[~bought]] = frozenset(context)
    bought_msg = masks[0] == 1
    with np.errstate(invalid="ignore", divide="ignore"):
        u = world.problem.decision.utility(
            vals.states, plan.actions
        ) - world.problem.decision.utility(vals.states, np.full(n, vals.x0))
    gain = np.where(world.problem.prior > 0, u, 0.0)
    return np.where(bought_msg, wtp, 0.0), gain, plan.paid.copy(), names


def _conditional(
    vals: _Values, with_names: frozenset[str], without: frozenset[str]
) -> NDArray[np.float64]:
    """E[U(x(with)) - U(x(without)) | with] per state."""
    part = vals.problem.world.partition(sorted(with_names))
    diff = vals.acted(with_names) - vals.acted(without)
    sums = grouped_sums(part.cells, vals.problem.prior, diff[:, None], part.n_cells)[:, 0]
    mass = part.masses(vals.problem.prior)
    return np.where(mass > 0, sums / np.where(mass > 0, mass, 1.0), 0.0)[part.cells]


def _oversight(world: World, regime: Regime) -> TabularGame:
    """The marginal-value mechanism with ``regime.depth`` informers (null allowed anywhere),
    or, with depth 0, informers until one passes: moves after the first null are void."""
    problem = world.problem
    menu = world.menu or tuple(
        Offer("+".join(m), "informer", m, 0.0) for m in world.messages() if m
    )
    vals = _Values(problem, world.knows)
    unbounded = regime.depth == 0
    n_agents, a_count = (len(menu) if unbounded else regime.depth), len(menu) + 1
    options: list[Offer | None] = [None, *menu]
    n = vals.n
    histories = list(itertools.product(range(a_count), repeat=n_agents))
    reward = np.zeros((len(histories), n_agents, n))
    true_value = np.zeros((len(histories), n))
    ex_post = np.zeros_like(true_value)
    surplus = np.zeros_like(true_value)
    gains = np.zeros_like(true_value)
    efforts = np.zeros(len(histories))
    for h, hist in enumerate(histories):
        if unbounded and 0 in hist:  # informers after the first pass are never asked
            hist = hist[: hist.index(0)] + (0,) * (n_agents - hist.index(0))
        offers = [options[a] for a in hist]
        names = frozenset(x for o in offers if o is not None for x in o.reveals)
        price = sum(o.price for o in offers if o is not None)
        effort = world.effort_cost * np.array([0 if o is None else len(o.reveals) for o in offers])
        reward[h] = marginal_value_rewards(problem, offers) - effort[:, None]
        true_value[h] = vals.acted(names) - price
        gains[h] = vals.acted(names)
        ex_post[h] = vals.ex_post(names) - price
        surplus[h] = vals.acted(names) - price - effort.sum()
        efforts[h] = effort.sum()
    support = problem.prior > 0
    labels = ("null", *(o.id for o in menu))
    cat_first = vals.categories([(), *(o.reveals for o in menu)], np.zeros((a_count, n)))
    category = np.stack([cat_first[hist[0]] for hist in histories])
    fixed = vals.fixed([(), *(o.reveals for o in menu)])
    return TabularGame(
        world=world.name,
        regime=regime.label,
        agents=tuple(f"informer_{k}" for k in range(n_agents)),
        n_actions=a_count,
        action_labels=labels,
        prior=problem.prior,
        cells=np.repeat(vals.knows.cells[None, :], n_agents, axis=0).astype(np.intp),
        n_cells=vals.knows.n_cells,
        reward=reward * support,
        true_value=true_value * support,
        gain=gains * support,
        ex_post=ex_post * support,
        revenue=(reward.sum(axis=1) + efforts[:, None]) * support,
        surplus=surplus * support,
        category=category,
        fixed=fixed,
    )
