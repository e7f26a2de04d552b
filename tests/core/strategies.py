"""Hypothesis strategies for random finite worlds, and an exact reference implementation.

The reference computes every VOI quantity with a plain loop over states in exact rational
arithmetic (``fractions.Fraction``), so the vectorised kernel is checked against the
definitions of docs/theory.md §3 and not against itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from volition.core import MatrixDecision, ProbabilitySpace, Problem, World


@dataclass(frozen=True)
class RandomWorld:
    weights: list[int]
    variables: dict[str, list[int]]
    utility: list[list[int]]

    @property
    def n_states(self) -> int:
        return len(self.weights)

    @property
    def prior(self) -> list[Fraction]:
        total = sum(self.weights)
        return [Fraction(w, total) for w in self.weights]

    def problem(self) -> Problem:
        space = ProbabilitySpace.from_weights(self.n_states, self.weights)
        world = World.build(space, self.variables)
        return Problem(world, MatrixDecision(len(self.utility[0]), self.utility))


@st.composite
def random_worlds(draw: st.DrawFn, max_states: int = 8, max_actions: int = 4) -> RandomWorld:
    n = draw(st.integers(1, max_states))
    k = draw(st.integers(1, max_actions))
    weights = draw(st.lists(st.integers(0, 10), min_size=n, max_size=n))
    if sum(weights) == 0:
        weights[draw(st.integers(0, n - 1))] = 1
    n_vars = draw(st.integers(1, 3))
    variables = {
        f"V{j}": draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)) for j in range(n_vars)
    }
    utility = draw(
        st.lists(st.lists(st.integers(-5, 5), min_size=k, max_size=k), min_size=n, max_size=n)
    )
    return RandomWorld(weights, variables, utility)


def _best(weights: list[Fraction], utility: list[list[int]]) -> int:
    """argmax_x sum_s w_s U[s][x], ties to the lowest index (exact)."""
    k = len(utility[0])
    eus = [sum(w * utility[s][a] for s, w in enumerate(weights)) for a in range(k)]
    return eus.index(max(eus))


def reference_values(world: RandomWorld, names: list[str]) -> dict[str, object]:
    """x0, per-cell actions and ex-post values, the ex-ante value and U1 at every state."""
    prior = world.prior
    x0 = _best(prior, world.utility)
    key = [tuple(world.variables[v][s] for v in names) for s in range(world.n_states)]
    ex_post: dict[tuple[int, ...], Fraction] = {}
    action: dict[tuple[int, ...], int] = {}
    for cell in sorted(set(key)):
        w = [p if key[s] == cell else Fraction(0) for s, p in enumerate(prior)]
        mass = sum(w)
        if mass == 0:
            action[cell] = x0
            continue
        a = _best(w, world.utility)
        action[cell] = a
        ex_post[cell] = (
            sum(ws * (world.utility[s][a] - world.utility[s][x0]) for s, ws in enumerate(w)) / mass
        )
    true = [
        Fraction(world.utility[s][action[key[s]]] - world.utility[s][x0])
        for s in range(world.n_states)
    ]
    ex_ante = sum(p * t for p, t in zip(prior, true, strict=True))
    return {"x0": x0, "action": action, "ex_post": ex_post, "ex_ante": ex_ante, "true": true}


def as_float_array(values: list[Fraction]) -> np.ndarray:
    return np.array([float(v) for v in values])
