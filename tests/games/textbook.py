"""Textbook games and a hypothesis strategy for random games, shared by the games tests."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from volition.games import NormalFormGame


def bimatrix(cells: list[list[list[float]]], title: str = "") -> NormalFormGame:
    """A two-player game from its cells [[u_row, u_col], ...]."""
    return NormalFormGame.from_cells(cells, title=title)


PRISONERS = bimatrix([[[3, 3], [0, 5]], [[5, 0], [1, 1]]], "prisoners' dilemma")
BATTLE = bimatrix([[[2, 1], [0, 0]], [[0, 0], [1, 2]]], "battle of the sexes")
STAG_HUNT = bimatrix([[[4, 4], [0, 3]], [[3, 0], [3, 3]]], "stag hunt")
PENNIES = bimatrix([[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]], "matching pennies")
SHAPLEY = NormalFormGame.from_tables(
    [[[0, 1, 0], [0, 0, 1], [1, 0, 0]], [[0, 0, 1], [1, 0, 0], [0, 1, 0]]],
    title="Shapley's game",
)
# von Stengel (2007), section 3.4: a degenerate game (a pure strategy with two best
# responses) whose equilibria include a continuum
DEGENERATE = NormalFormGame.from_tables(
    [[[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]]], title="degenerate 3x2"
)
# a three-player game: each player contributes (0) or not (1); a contribution costs its
# giver 2 and gives 1 to every player; not contributing is dominant
PUBLIC_GOOD = NormalFormGame(
    np.array(
        [
            [[[1, 0], [0, -1]], [[2, 1], [1, 0]]],
            [[[1, 0], [2, 1]], [[0, -1], [1, 0]]],
            [[[1, 2], [0, 1]], [[0, 1], [-1, 0]]],
        ],
        dtype=float,
    ),
    ("P1", "P2", "P3"),
    (("C", "N"), ("C", "N"), ("C", "N")),
)
TEXTBOOK = [PRISONERS, BATTLE, STAG_HUNT, PENNIES, SHAPLEY, DEGENERATE]


@st.composite
def games(
    draw: st.DrawFn,
    players: tuple[int, int] = (2, 3),
    strategies: tuple[int, int] = (1, 4),
    integers: bool | None = None,
    any_float: bool = False,
) -> NormalFormGame:
    """Random games; small integer payoffs make degenerate games (ties) frequent.

    Otherwise payoffs are hundredths in [-100, 100], so a tie is an exact tie and a
    difference is far above every tolerance (solvers then agree exactly); ``any_float``
    draws arbitrary floats instead (for exact file round trips).
    """
    n = draw(st.integers(*players))
    shape = tuple(draw(st.integers(*strategies)) for _ in range(n))
    small = draw(st.booleans()) if integers is None else integers
    elements = (
        st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=True)
        if any_float
        else st.integers(-3, 3).map(float)
        if small
        else st.integers(-10_000, 10_000).map(lambda k: k / 100)
    )
    u = draw(arrays(np.float64, (n, *shape), elements=elements))
    return NormalFormGame(
        u,
        tuple(f"p{i}" for i in range(n)),
        tuple(tuple(f"s{a}" for a in range(m)) for m in shape),
    )
