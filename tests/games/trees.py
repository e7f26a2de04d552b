"""Random game trees for the property tests of this folder."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


@st.composite
def trees(draw: st.DrawFn, depth: int = 3) -> dict[str, Any]:
    """Random two-player perfect-information trees with integer payoffs."""

    def node(level: int) -> Any:
        if level == depth or (draw(st.booleans()) and level > 0):
            return [draw(st.integers(-5, 5)), draw(st.integers(-5, 5))]
        k = draw(st.integers(1, 3))
        if draw(st.integers(0, 4)) == 0:  # sometimes nature moves
            return {
                "chance": {"heads": 0.25, "tails": 0.75},
                "moves": {"heads": node(level + 1), "tails": node(level + 1)},
            }
        return {
            "player": draw(st.sampled_from(["A", "B"])),
            "moves": {f"m{level}{i}": node(level + 1) for i in range(k)},
        }

    return {"players": ["A", "B"], "tree": node(0)}
