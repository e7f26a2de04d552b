"""Builders for the mechanisms tests: shipped examples and small random markets."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

from volition.core import MatrixDecision, ProbabilitySpace, Problem, World
from volition.mechanisms import Market, Offer, Scenario, load_market

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "volition" / "examples"


def example_market(name: str) -> Market:
    """A shipped market example by file name."""
    with as_file(files("volition").joinpath("examples", name)) as path:
        return load_market(path)


@st.composite
def problems(draw: st.DrawFn, max_states: int = 6) -> Problem:
    """A random finite decision problem with three small variables X, Y, Z."""
    n = draw(st.integers(2, max_states))
    weights = draw(st.lists(st.integers(1, 9), min_size=n, max_size=n))
    space = ProbabilitySpace.from_weights(n, weights)
    variables = {name: draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)) for name in "XYZ"}
    n_actions = draw(st.integers(2, 3))
    utility = draw(
        st.lists(
            st.lists(st.integers(-5, 5), min_size=n_actions, max_size=n_actions),
            min_size=n,
            max_size=n,
        )
    )
    return Problem(World.build(space, variables), MatrixDecision(n_actions, np.array(utility)))


@st.composite
def markets(
    draw: st.DrawFn,
    sizes: tuple[int, ...] = (2, 1),
    free: bool = False,
    max_states: int = 6,
    scenarios: bool = True,
) -> Market:
    """A random market: up to ``sizes[k]`` offers at level k, each revealing one variable."""
    problem = draw(problems(max_states))
    prices = st.just(0.0) if free else st.sampled_from([0.0, 0.25, 1.0, 3.0])
    levels = []
    count = 0
    for size in sizes:
        menu = []
        for _ in range(draw(st.integers(1, size))):
            count += 1
            var = draw(st.sampled_from("XYZ"))
            menu.append(Offer(f"o{count}", f"seller{count % 2}", (var,), draw(prices)))
        levels.append(menu)
    chosen = None
    if scenarios and draw(st.booleans()):
        ids = [o.id for menu in levels for o in menu]
        absent = frozenset(draw(st.lists(st.sampled_from(ids), max_size=2)))
        p = draw(st.sampled_from([0.25, 0.5, 0.75]))
        chosen = [Scenario(p, absent), Scenario(1 - p)]
    return Market.build(problem, levels, chosen)
