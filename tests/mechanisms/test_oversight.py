"""The marginal-value oversight mechanism: cheap refutation, telescoping rewards, the theorem."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.mechanisms.helpers import EXAMPLES, problems

from volition.core import Problem
from volition.errors import ComputationError, InputError
from volition.mechanisms import (
    Offer,
    OversightSetting,
    extends,
    inextensible,
    join_closure,
    load_oversight,
    marginal_value_equilibrium,
    rewards,
)

TOL = 1e-9


@pytest.fixture
def cheap() -> OversightSetting:
    return load_oversight(EXAMPLES / "cheap_refutation.yaml")


def _menu(setting: OversightSetting) -> tuple[Offer, ...]:
    return setting.market.levels[0]


def test_cheap_refutation_rewards_as_in_the_paper(cheap: OversightSetting) -> None:
    problem = cheap.market.problem
    i1, i2, i3 = _menu(cheap)
    truth = problem.space.index("truth")
    np.testing.assert_allclose(rewards(problem, [i1])[:, truth], [1.0])
    np.testing.assert_allclose(rewards(problem, [i1, i2])[:, truth], [-1.0, 1.0])
    np.testing.assert_allclose(rewards(problem, [i1, i2, i3])[:, truth], [1.0, -1.0, -99.0])


def test_cheap_refutation_equilibrium_offers_nothing(cheap: OversightSetting) -> None:
    problem = cheap.market.problem
    result = marginal_value_equilibrium(problem, _menu(cheap), knows=cheap.knows)
    truth = problem.space.index("truth")
    assert result.paths[truth] == (None, None, None)
    assert result.value[truth] == pytest.approx(0.0)
    assert result.ideal[truth] == pytest.approx(1.0)
    assert all("I1" not in path for path in (result.paths[truth],))
    menu = _menu(cheap)
    assert inextensible(problem, menu, [])[truth]
    assert not inextensible(problem, menu, [0])[truth]  # I1 is refuted by I2, unanswerably
    assert extends(problem, menu, [0], 1)[truth]


def test_fixed_number_of_informers_gives_the_last_one_the_last_word(
    cheap: OversightSetting,
) -> None:
    problem = cheap.market.problem
    result = marginal_value_equilibrium(problem, _menu(cheap), informers=3)
    truth = problem.space.index("truth")
    assert result.paths[truth] == (None, None, "I1")
    np.testing.assert_allclose(result.rewards[:, truth], [0.0, 0.0, 1.0])


@settings(max_examples=40, deadline=None)
@given(
    problems(max_states=5),
    st.lists(
        st.tuples(st.sampled_from("XYZ"), st.sampled_from([0.0, 0.5, 2.0]), st.booleans()),
        min_size=1,
        max_size=4,
    ),
)
def test_property_rewards_telescope(problem: Problem, moves: list[tuple[str, float, bool]]) -> None:
    history = [
        Offer(f"y{i}", "b", (v,), p) if speak else None for i, (v, p, speak) in enumerate(moves)
    ]
    r = rewards(problem, history)
    made = [o for o in history if o is not None]
    final = problem.partition(sorted({v for o in made for v in o.reveals}))
    value = problem.value(final)
    # E[U(x^0_N) - U(x^0_0) | all] at every state: the ex-post value of everything said
    expected = value.ex_post[final.cells] - sum(o.price for o in made)
    support = problem.prior > 0
    np.testing.assert_allclose(r.sum(axis=0)[support], expected[support], atol=TOL)


@settings(max_examples=150, deadline=None)
@given(
    problems(max_states=5),
    st.lists(
        st.tuples(st.sampled_from("XYZ"), st.sampled_from([0.0, 0.5, 2.0])),
        min_size=1,
        max_size=3,
        unique_by=lambda spec: spec[0],
    ),
)
def test_property_marginal_value_equilibrium_theorem(
    problem: Problem, specs: list[tuple[str, float]]
) -> None:
    """docs/theory.md §4 on menus closed under joins: x^1_* is inextensible, x^n_* = null for
    n > 1, and x^1_* has the highest ex-post value among inextensible offers."""
    menu = join_closure([Offer(f"y{i}", "b", (v,), p) for i, (v, p) in enumerate(specs)])
    result = marginal_value_equilibrium(problem, menu)
    alone = np.stack([rewards(problem, [o])[0] for o in menu])
    inext_alone = np.stack([inextensible(problem, menu, [y]) for y in range(len(menu))])
    for s in np.flatnonzero(problem.prior > 0):
        path = result.paths[s]
        assert all(x is None for x in path[1:])
        first = [i for i, o in enumerate(menu) if o.id == path[0]]
        assert inextensible(problem, menu, first)[s]
        v_first = alone[first[0], s] if first else 0.0
        assert (alone[inext_alone[:, s], s] <= v_first + TOL).all()
        assert result.value[s] <= result.ideal[s] + TOL


def test_oversight_input_errors(cheap: OversightSetting) -> None:
    problem = cheap.market.problem
    with pytest.raises(InputError, match="at least one informer"):
        marginal_value_equilibrium(problem, _menu(cheap), informers=0)
    with pytest.raises(InputError, match="which K does not determine"):
        marginal_value_equilibrium(problem, _menu(cheap), knows=["I1"])
    with pytest.raises(ComputationError, match="histories"):
        marginal_value_equilibrium(problem, _menu(cheap), informers=12)
    with pytest.raises(InputError, match="null offer never extends"):
        extends(problem, _menu(cheap), [], -1)


def test_without_joins_two_informers_can_split_one_argument() -> None:
    """On a menu not closed under joins the equilibrium may have two offers (see module doc)."""
    from volition.core import MatrixDecision, ProbabilitySpace, World

    space = ProbabilitySpace.from_weights(5, [3, 1, 1, 1, 1])
    world = World.build(space, {"X": [0, 0, 0, 1, 0], "Y": [0, 0, 1, 1, 0]})
    utility = np.array([[0, 1, 0], [0, 0, 0], [1, -1, 0], [0, 0, 2], [0, 0, 0]])
    problem = Problem(world, MatrixDecision(3, utility))
    menu = [Offer("x", "b", ("X",), 0.0), Offer("y", "b", ("Y",), 0.0)]
    split = marginal_value_equilibrium(problem, menu)
    assert split.paths[2] == ("y", "x")
    np.testing.assert_allclose(split.rewards[:, 2], [1.0, 1.0])
    joined = marginal_value_equilibrium(problem, join_closure(menu))
    assert joined.paths[2][0] == "x+y"
    assert all(x is None for x in joined.paths[2][1:])
    assert joined.rewards[0, 2] == pytest.approx(2.0)
