"""The one-pass kernel on both code paths, and eqs. (3)-(4) of docs/theory.md §3."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.core.strategies import RandomWorld, random_worlds
from volition.core import MatrixDecision, ProbabilitySpace, grouped_sums
from volition.core._kernels import grouped_parallel, grouped_serial
from volition.core.grouping import COMPILED_THRESHOLD, cell_statistics
from volition.errors import ProbabilityError, ShapeError

TOL = 1e-9


def test_compiled_and_numpy_paths_agree() -> None:
    rng = np.random.default_rng(7)
    n, d, m = COMPILED_THRESHOLD * 3 + 17, 5, 40
    cells = rng.integers(0, m, n).astype(np.intp)
    weights = rng.random(n)
    feats = rng.standard_normal((n, d))
    expected = np.zeros((m, d))
    np.add.at(expected, cells, weights[:, None] * feats)
    np.testing.assert_allclose(grouped_sums(cells, weights, feats, m), expected, atol=1e-9)
    masses = np.bincount(cells, weights=weights, minlength=m)
    for stats, mass in (
        grouped_serial(cells, weights, feats, m),
        grouped_parallel(cells, weights, feats, m, 3),
        cell_statistics(cells, weights, feats, m),
    ):
        np.testing.assert_allclose(stats, expected, atol=1e-9)
        np.testing.assert_allclose(mass, masses, atol=1e-12)
    small = cell_statistics(cells[:100], weights[:100], feats[:100], m)  # the numpy path
    serial = grouped_serial(cells[:100], weights[:100], feats[:100], m)
    np.testing.assert_allclose(small[0], serial[0])
    np.testing.assert_allclose(small[1], serial[1])


def test_the_kernel_leaves_the_callers_arrays_writable() -> None:
    u = np.zeros((2, 2))
    prior = np.array([0.5, 0.5])
    MatrixDecision(2, u)
    ProbabilitySpace(2, prior)
    u[0, 0] = 1.0  # would raise "assignment destination is read-only" if we froze them
    prior[0] = 0.5


def test_grouped_sums_checks_lengths() -> None:
    with pytest.raises(ShapeError):
        grouped_sums(np.zeros(3, dtype=np.intp), np.ones(2), np.ones((3, 1)), 1)


@given(random_worlds(), st.data())
def test_independent_choice_makes_all_three_values_equal_eq_3(world: RandomWorld, data) -> None:
    names = sorted(world.variables)
    options = [[n] for n in names] + [[]]
    probs = data.draw(st.lists(st.integers(1, 5), min_size=len(options), max_size=len(options)))
    choice = np.array(probs, dtype=float) / sum(probs)
    problem = world.problem()
    result = problem.seller_choice(options, choice)
    stated = sum(p * problem.value(o).ex_ante for p, o in zip(choice, options, strict=True))
    assert not result.state_dependent
    assert result.stated == pytest.approx(stated, abs=TOL)
    assert result.naive == pytest.approx(stated, abs=TOL)
    assert result.bayesian == pytest.approx(stated, abs=TOL)


@given(random_worlds(), st.data())
def test_bayesian_buyer_gains_at_least_what_the_naive_one_does(world: RandomWorld, data) -> None:
    names = sorted(world.variables)
    options = [[n] for n in names]
    rows = data.draw(
        st.lists(
            st.lists(st.integers(0, 4), min_size=len(options), max_size=len(options)).filter(
                lambda r: sum(r) > 0
            ),
            min_size=world.n_states,
            max_size=world.n_states,
        )
    )
    policy = np.array(rows, dtype=float)
    policy /= policy.sum(axis=1, keepdims=True)
    result = world.problem().seller_choice(options, policy, price=0.5)
    assert result.bayesian >= result.naive - TOL
    assert result.bayesian >= -0.5 - TOL  # free information is worth >= 0 to a Bayesian


def test_a_state_dependent_choice_is_itself_informative() -> None:
    """The seller reveals I1 in state 0 and I2 elsewhere: the choice alone tells the state."""
    world = RandomWorld([1, 1], {"I1": [0, 0], "I2": [0, 0]}, [[1, 0], [0, 1]])
    result = world.problem().seller_choice([["I1"], ["I2"]], [[1.0, 0.0], [0.0, 1.0]])
    assert result.state_dependent
    assert result.stated == pytest.approx(0.0)  # I1 and I2 are uninformative as such
    assert result.naive == pytest.approx(0.0)
    assert result.bayesian == pytest.approx(0.5)  # 1 - max(0.5, 0.5)


def test_choice_probabilities_are_validated() -> None:
    problem = RandomWorld([1, 1], {"I1": [0, 1]}, [[1, 0], [0, 1]]).problem()
    with pytest.raises(ProbabilityError, match=r"sum to 0\.9"):
        problem.seller_choice([["I1"], []], [0.5, 0.4])
    with pytest.raises(ShapeError, match="2 probabilities"):
        problem.seller_choice([["I1"], []], [1.0])
    with pytest.raises(ShapeError, match="at least one option"):
        problem.seller_choice([], [])
