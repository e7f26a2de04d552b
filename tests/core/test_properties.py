"""docs/theory.md §3 as properties on random finite worlds, against an exact reference loop."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.core.strategies import RandomWorld, as_float_array, random_worlds, reference_values
from volition.core import (
    ForecastDecision,
    MatrixDecision,
    ProbabilitySpace,
    Problem,
    ScoringRule,
    World,
    argmax_lowest,
)
from volition.errors import InputError

TOL = 1e-9


def _info(world: RandomWorld, data: st.DataObject) -> list[str]:
    names = sorted(world.variables)
    return data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))


@given(random_worlds(), st.data())
def test_vectorised_kernel_equals_exact_loop_over_states(world: RandomWorld, data) -> None:
    info = _info(world, data)
    problem = world.problem()
    ref = reference_values(world, info)
    value = problem.value(info)
    assert value.no_info_action == ref["x0"]
    assert value.ex_ante == pytest.approx(float(ref["ex_ante"]), abs=TOL)
    for c in range(value.partition.n_cells):
        key = value.partition.labels[c]
        assert value.actions[c] == ref["action"][key]
        if value.probabilities[c] > 0:
            assert value.ex_post[c] == pytest.approx(float(ref["ex_post"][key]), abs=TOL)
        else:
            assert np.isnan(value.ex_post[c])
    np.testing.assert_allclose(problem.true_value(info), as_float_array(ref["true"]), atol=TOL)


@given(random_worlds(), st.data(), st.floats(0, 10))
def test_free_information_is_worth_at_least_zero_and_price_shifts_by_p(
    world: RandomWorld, data, price: float
) -> None:
    info = _info(world, data)
    problem = world.problem()
    free = problem.value(info)
    assert free.ex_ante >= -TOL
    assert np.all(free.ex_post[free.probabilities > 0] >= -TOL)  # V(I | I=i) >= -p
    priced = problem.value(info, price)
    assert priced.ex_ante == pytest.approx(free.ex_ante - price, abs=TOL)
    mask = free.probabilities > 0
    np.testing.assert_allclose(priced.ex_post[mask], free.ex_post[mask] - price, atol=TOL)


@given(random_worlds(), st.data())
def test_blackwell_finer_information_is_worth_at_least_as_much(world: RandomWorld, data) -> None:
    coarse = _info(world, data)
    extra = data.draw(st.sampled_from(sorted(world.variables)))
    problem = world.problem()
    fine = problem.partition([*coarse, extra])
    assert fine.refines(problem.partition(coarse))
    assert problem.value(fine).ex_ante >= problem.value(coarse).ex_ante - TOL
    full = problem.value("state").ex_ante
    assert full >= problem.value(fine).ex_ante - TOL


@given(random_worlds(), st.data(), st.floats(0, 3))
def test_expected_true_value_is_the_ex_ante_value(world: RandomWorld, data, price) -> None:
    info = _info(world, data)
    problem = world.problem()
    u1 = problem.true_value(info, price)
    assert float(problem.prior @ u1) == pytest.approx(problem.value(info, price).ex_ante, abs=TOL)


@given(random_worlds(), st.data(), st.floats(0, 3))
def test_ex_post_value_is_the_conditional_expectation_of_the_true_value(
    world: RandomWorld, data, price
) -> None:
    info = _info(world, data)
    problem = world.problem()
    value = problem.value(info, price)
    known = problem.value_knowing(info, info, price)
    mask = value.probabilities > 0
    np.testing.assert_allclose(known.values[mask], value.ex_post[mask], atol=TOL)
    # and knowing a finer K, the values average back to the ex-post value (tower property)
    finer = problem.value_knowing(info, "state", price)
    u1 = problem.true_value(info, price)
    positive = problem.prior > 0
    np.testing.assert_allclose(finer.values[positive], u1[positive], atol=TOL)


@given(random_worlds(), st.data(), st.randoms(use_true_random=False))
def test_relabelling_states_changes_nothing(world: RandomWorld, data, rnd) -> None:
    info = _info(world, data)
    order = list(range(world.n_states))
    rnd.shuffle(order)
    shuffled = RandomWorld(
        [world.weights[i] for i in order],
        {k: [v[i] for i in order] for k, v in world.variables.items()},
        [world.utility[i] for i in order],
    )
    a, b = world.problem().value(info), shuffled.problem().value(info)
    assert a.ex_ante == pytest.approx(b.ex_ante, abs=TOL)
    assert a.partition.labels == b.partition.labels
    mask = a.probabilities > 0
    np.testing.assert_allclose(a.ex_post[mask], b.ex_post[mask], atol=TOL)
    np.testing.assert_array_equal(a.actions, b.actions)


@given(random_worlds(), st.data(), st.randoms(use_true_random=False))
def test_relabelling_actions_changes_no_value(world: RandomWorld, data, rnd) -> None:
    info = _info(world, data)
    k = len(world.utility[0])
    order = list(range(k))
    rnd.shuffle(order)
    permuted = RandomWorld(
        world.weights, world.variables, [[row[j] for j in order] for row in world.utility]
    )
    a, b = world.problem().value(info), permuted.problem().value(info)
    assert a.ex_ante == pytest.approx(b.ex_ante, abs=TOL)
    # Ex-post values are measured against x0: they are invariant only when x0 is unique
    # (with tied x0 the tie rule, i.e. the labelling, picks the baseline).
    eus = np.asarray(world.problem().prior @ np.array(world.utility, dtype=float))
    if np.sum(eus >= eus.max() - TOL) == 1:
        mask = a.probabilities > 0
        np.testing.assert_allclose(a.ex_post[mask], b.ex_post[mask], atol=TOL)


@given(
    st.lists(st.integers(1, 9), min_size=2, max_size=8),
    st.data(),
    st.sampled_from(list(ScoringRule)),
)
def test_forecast_best_response_is_the_posterior_and_beats_every_other_forecast(
    weights, data, rule
) -> None:
    n = len(weights)
    event = data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    signal = data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    space = ProbabilitySpace.from_weights(n, weights)
    problem = Problem(World.build(space, {"S": signal}), ForecastDecision(event, rule))
    value = problem.value("S")
    assert value.ex_ante >= -TOL
    for c in range(value.partition.n_cells):
        members = value.partition.members(c)
        q = space.prior[members] @ np.array(event)[members] / space.prior[members].sum()
        assert value.actions[c] == pytest.approx(q)
        posterior = np.where(value.partition.cells == c, space.prior, 0.0)
        others = np.linspace(0.01, 0.99, 25)
        best = problem.decision.expected_utilities(posterior, np.array([value.actions[c]]))
        assert np.all(problem.decision.expected_utilities(posterior, others) <= best[0] + TOL)


def test_log_score_forecast_values_with_certain_outcomes_are_finite() -> None:
    """A cell where E is certain: forecast 1, no log(0) from the impossible outcome."""
    space = ProbabilitySpace([0.25, 0.25, 0.5].__len__(), [0.25, 0.25, 0.5])
    problem = Problem(
        World.build(space, {"S": [0, 0, 1]}), ForecastDecision([1, 0, 1], ScoringRule.LOG)
    )
    value = problem.value("S")
    assert np.isfinite(value.ex_post).all()
    assert value.actions[1] == 1.0
    q0 = 0.75
    assert value.ex_post[1] == pytest.approx(-np.log(q0))


def test_ties_go_to_the_lowest_action_index() -> None:
    space = ProbabilitySpace(2, [0.5, 0.5])
    decision = MatrixDecision(["b", "a", "c"], [[1, 2, 2], [3, 2, 2]])
    problem = Problem(World.build(space, {}), decision)
    action, eu = problem.no_info()
    assert problem.describe(action) == "b"  # all three tie at 2: the first column wins
    assert eu == pytest.approx(2.0)


def test_ties_within_rounding_go_to_the_lowest_index_and_real_gaps_do_not() -> None:
    values = np.array([[1.0, 1.0 + 1e-15, 0.0], [1.0, 1.0 + 1e-6, 0.0], [-3.0, -3.0, -3.0]])
    np.testing.assert_array_equal(argmax_lowest(values), [0, 1, 0])


def test_expected_utility_of_every_action_under_a_posterior() -> None:
    decision = MatrixDecision(["a", "b"], [[1, 0], [0, 2]])
    np.testing.assert_allclose(decision.expected_utilities([0.25, 0.75]), [0.25, 1.5])
    assert decision.describe(decision.best_action([0.9, 0.1])) == "a"
    np.testing.assert_allclose(decision.utility(np.array([1, 1]), np.array([0, 1])), [0, 2])
    forecast = ForecastDecision([1, 0], ScoringRule.BRIER)
    assert forecast.best_action([0.3, 0.7]) == pytest.approx(0.3)
    np.testing.assert_allclose(forecast.expected_utilities([0.3, 0.7], [0.3, 1.0]), [-0.21, -0.7])
    with pytest.raises(InputError, match="continuum of actions"):
        forecast.expected_utilities([0.3, 0.7])
