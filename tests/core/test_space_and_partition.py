"""Probability spaces, random variables and partitions."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from volition.core import Partition, ProbabilitySpace, World
from volition.errors import ProbabilityError, ShapeError, UnknownNameError


def test_prior_is_validated() -> None:
    with pytest.raises(ProbabilityError, match=r"sums to 0\.9"):
        ProbabilitySpace(2, [0.4, 0.5])
    with pytest.raises(ProbabilityError, match=r"prior\[1\] = -0.5 is negative"):
        ProbabilitySpace(2, [1.5, -0.5])
    with pytest.raises(ShapeError, match="3 states"):
        ProbabilitySpace(["a", "b", "c"], [0.5, 0.5])
    with pytest.raises(ShapeError, match="appears twice"):
        ProbabilitySpace(["a", "a"], [0.5, 0.5])
    with pytest.raises(ProbabilityError, match="not a finite"):
        ProbabilitySpace(2, [float("nan"), 1.0])


def test_prior_within_tolerance_is_accepted_and_weights_normalise() -> None:
    ProbabilitySpace(2, [0.5, 0.5 + 5e-10])
    space = ProbabilitySpace.from_weights(["x", "y"], [1, 3])
    np.testing.assert_allclose(space.prior, [0.25, 0.75])
    with pytest.raises(ProbabilityError, match="sum to 0"):
        ProbabilitySpace.from_weights(2, [0, 0])


def test_states_by_label_and_conditioning() -> None:
    space = ProbabilitySpace(["a", "b", "c"], [0.2, 0.3, 0.5])
    assert space.index("b") == 1
    with pytest.raises(UnknownNameError, match="unknown state 'z'; the states are a, b, c"):
        space.index("z")
    np.testing.assert_allclose(space.condition([1, 1, 0]), [0.4, 0.6, 0.0])
    assert space.probability([0, 1, 1]) == pytest.approx(0.8)
    with pytest.raises(ProbabilityError, match="probability zero"):
        ProbabilitySpace(2, [1.0, 0.0]).condition([0, 1])
    with pytest.raises(ShapeError, match="0/1"):
        space.event([0, 2, 1])


def _world() -> World:
    space = ProbabilitySpace(4, [0.1, 0.2, 0.3, 0.4])
    return World.build(space, {"I1": [0, 0, 1, 1], "I2": [0, 1, 0, 1], "C": ["x", "x", "x", "y"]})


def test_join_refinement_and_cell_labels() -> None:
    world = _world()
    i1, both = world.partition("I1"), world.partition(["I1", "I2"])
    assert both.n_cells == 4 and both.keys == ("I1", "I2")
    assert both.refines(i1) and not i1.refines(both)
    assert i1.refines(Partition.trivial(4)) and Partition.discrete(world.space.states).refines(both)
    assert both.cell_values(both.cell_of({"I1": 1, "I2": 0})) == {"I1": 1, "I2": 0}
    np.testing.assert_allclose(i1.masses(world.prior), [0.3, 0.7])
    np.testing.assert_array_equal(world.partition("C").members(1), [3])
    with pytest.raises(UnknownNameError, match="unknown variable 'I9'; the variables are"):
        world.partition(["I1", "I9"])
    with pytest.raises(UnknownNameError, match="no state has"):
        i1.cell_of({"I1": 7})


def test_variables_are_validated_against_the_space() -> None:
    space = ProbabilitySpace(2, [0.5, 0.5])
    with pytest.raises(ShapeError, match="has 3 values but there are 2 states"):
        World.build(space, {"V": [0, 1, 0]})


@given(
    st.lists(st.integers(0, 3), min_size=1, max_size=12).flatmap(
        lambda a: st.tuples(
            st.just(a), st.lists(st.integers(0, 3), min_size=len(a), max_size=len(a))
        )
    )
)
def test_join_is_the_coarsest_common_refinement(pair) -> None:
    a_vals, b_vals = pair
    a, b = Partition.from_values("A", a_vals), Partition.from_values("B", b_vals)
    ab, ba = a.join(b), b.join(a)
    assert ab.refines(a) and ab.refines(b) and ab.refines(ba) and ba.refines(ab)
    assert ab.n_cells == len(set(zip(a_vals, b_vals, strict=True)))
    assert a.refines(a) and a.join(a).n_cells == a.n_cells
    # every state lands in the cell labelled by its own values
    for s in range(len(a_vals)):
        assert ab.labels[ab.cells[s]] == (a_vals[s], b_vals[s])


def test_conditioning_on_a_cell_by_variable_values() -> None:
    world = _world()
    np.testing.assert_allclose(world.posterior({"I1": 1}), [0, 0, 3 / 7, 4 / 7])
    np.testing.assert_allclose(world.posterior({"I1": 1, "C": "y"}), [0, 0, 0, 1])
    with pytest.raises(ProbabilityError, match="probability zero"):
        world.posterior({"I1": 0, "C": "y"})
    with pytest.raises(UnknownNameError):
        world.posterior({"Z": 0})
