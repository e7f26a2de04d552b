"""Node views of the weather question for the agents' tests (a helper of this folder)."""

from __future__ import annotations

from typing import Any

from volition.agents import NodeView, OfferView

OFFERS = (
    OfferView("o1", "alice", "Rainfall forecast for Paris", "Rain in Paris tomorrow: 80%", 300),
    OfferView("o2", "bob", "Football scores", "Arsenal won 2-1 last night", 100),
    OfferView("o3", "carol", "Paris weather tomorrow", "Paris tomorrow: showers, rain", 250),
)


def view(**changes: Any) -> NodeView:
    """The root view of the weather question with three offers, ``changes`` applied."""
    base = {
        "context_id": "c1",
        "query_chain": ("Will it rain in Paris tomorrow?",),
        "offers": OFFERS,
        "remaining_budget": 1000,
        "depth": 0,
        "max_depth": 1,
        "follow_ups_left": 1,
    }
    return NodeView(**{**base, **changes})
