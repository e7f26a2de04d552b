"""Categorical scoring rules and distribution checks (``volition.core.scoring``, issue 13)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from volition.core.scoring import ScoringRule, categorical_score, distribution_problems
from volition.errors import ShapeError


def _dist(k: int) -> st.SearchStrategy[list[float]]:
    weights = st.lists(st.floats(0.01, 1.0), min_size=k, max_size=k)
    return weights.map(lambda w: [x / sum(w) for x in w])


@pytest.mark.parametrize("rule", list(ScoringRule))
@given(x=st.floats(0.001, 0.999), outcome=st.sampled_from([0, 1]))
def test_on_two_outcomes_each_rule_is_its_binary_rule(
    rule: ScoringRule, x: float, outcome: int
) -> None:
    s1, s0 = rule.scores(np.array([x]))
    binary = float(s1[0] if outcome == 0 else s0[0])  # outcome 0 is the event
    assert categorical_score(rule, [x, 1 - x], outcome) == pytest.approx(binary, abs=1e-12)


@pytest.mark.parametrize("rule", list(ScoringRule))
@settings(max_examples=60)
@given(data=st.data(), k=st.integers(2, 6))
def test_each_rule_is_strictly_proper(rule: ScoringRule, data: st.DataObject, k: int) -> None:
    """The expected score under beliefs q is higher at q than at any other forecast p."""
    q = data.draw(_dist(k))
    p = data.draw(_dist(k))

    def expected(forecast: list[float]) -> float:
        return sum(q[o] * categorical_score(rule, forecast, o) for o in range(k))

    gap = sum(abs(a - b) for a, b in zip(p, q, strict=True))
    if gap > 1e-6:
        assert expected(q) > expected(p)
    else:
        assert expected(q) >= expected(p) - 1e-12


def test_known_values() -> None:
    assert categorical_score("log", [0.2, 0.3, 0.5], 2) == pytest.approx(math.log(0.5))
    assert categorical_score("brier", [0.2, 0.3, 0.5], 2) == pytest.approx(
        -0.5 * (0.2**2 + 0.3**2 + 0.5**2)
    )
    assert categorical_score("spherical", [0.6, 0.8, 0.0], 1) == pytest.approx(0.8)
    assert categorical_score("log", [0.0, 1.0], 0) == -math.inf
    with pytest.raises(ShapeError):
        categorical_score("log", [1.0], 0)
    with pytest.raises(ShapeError):
        categorical_score("log", [0.5, 0.5], 2)


@pytest.mark.parametrize(
    ("given", "n", "word"),
    [
        ([0.5, 0.5], 2, None),
        ((0.2, 0.3, 0.5), 3, None),
        ([1, 0], 2, None),
        ("0.5,0.5", 2, "list"),
        (None, 2, "list"),
        ([0.5, 0.5], 3, "needs 3"),
        ([], 2, "needs 2"),
        ([0.5, -0.5, 1.0], 3, ">= 0"),
        ([0.5, float("nan")], 2, ">= 0"),
        ([0.5, float("inf")], 2, ">= 0"),
        ([0.5, "0.5"], 2, ">= 0"),
        ([True, False], 2, ">= 0"),
        ([0.5, 0.6], 2, "sum to 1.1"),
        ([0.5, 0.5 + 1e-9], 2, None),
    ],
)
def test_distribution_problems(given: object, n: int, word: str | None) -> None:
    problems = distribution_problems(given, n)
    if word is None:
        assert problems == []
    else:
        assert len(problems) == 1 and word in problems[0]
