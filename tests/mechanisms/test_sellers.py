"""Strategic sellers on the fact-checking world: lemon, cherry-picking, corrective context."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from tests.mechanisms.helpers import EXAMPLES, problems

from volition.core import Problem, load_problem
from volition.errors import InputError, UnknownNameError
from volition.mechanisms import Offer, StrategicSeller, strategic_seller

SELLER = StrategicSeller(("I1", "I2"), "informer")
CONTEXT = [[Offer("context", "fact_checker", ("I2",), 0.01)]]


@pytest.fixture
def world() -> Problem:
    return load_problem(EXAMPLES / "fact_checking.yaml")


def _index(problem: Problem, state: str) -> int:
    return problem.space.index(state)


def test_naive_market_gets_a_lemon(world: Problem) -> None:
    out = strategic_seller(world, SELLER, "naive")
    lindley = world.value(["I1", "I2"]).ex_ante
    assert all(r == () for r in out.revealed)
    np.testing.assert_allclose(out.payment, lindley)
    np.testing.assert_allclose(out.gain, 0.0)
    assert out.expected_net == pytest.approx(-lindley)


def test_inspection_cherry_picks_i1_against_the_buyer(world: Problem) -> None:
    out = strategic_seller(world, SELLER, "inspection")
    ex_post = world.value(["I1"])
    cell = ex_post.partition.cell_of({"I1": 1})
    judged = world.value_knowing(["I1"], ["I1", "I2"])
    for state in ("i11_E", "i11_notE"):
        s = _index(world, state)
        assert out.revealed[s] == ("I1",)
        assert out.actions[s] == pytest.approx(0.4)
        assert out.payment[s] == pytest.approx(ex_post.ex_post[cell])
    # what I1 alone is worth to the buyer when (I1, I2) = (1, 1): negative (docs/theory.md §4)
    k = judged.partition.cell_of({"I1": 1, "I2": 1})
    assert judged.values[k] < 0
    both = [_index(world, "i11_E"), _index(world, "i11_notE")]
    gain = world.prior[both] @ out.gain[both] / world.prior[both].sum()
    assert gain == pytest.approx(judged.values[k])


def test_deep_enough_recursion_buys_the_corrective_context(world: Problem) -> None:
    shallow = strategic_seller(world, SELLER, "rip", depth=1, context=CONTEXT)
    deep = strategic_seller(world, SELLER, "rip", depth=2, context=CONTEXT)
    s = _index(world, "i11_notE")
    assert shallow.context_bought[s] == ()
    assert shallow.actions[s] == pytest.approx(0.4)
    assert deep.context_bought[s] == ("context",)
    assert deep.actions[s] == pytest.approx(0.2)
    assert deep.context_paid[s] == pytest.approx(0.01)
    # the depth-2 buyer ends with everything (I1, I2) say: the full Lindley value
    assert deep.expected_gain == pytest.approx(world.value(["I1", "I2"]).ex_ante)
    assert deep.expected_gain > shallow.expected_gain
    assert deep.expected_net > strategic_seller(world, SELLER, "inspection").expected_net


def test_rip_depth_one_is_inspection(world: Problem) -> None:
    a = strategic_seller(world, SELLER, "rip", depth=1, context=CONTEXT)
    b = strategic_seller(world, SELLER, "inspection")
    np.testing.assert_allclose(a.payment, b.payment)
    assert a.revealed == b.revealed


def test_bad_seller_input(world: Problem) -> None:
    with pytest.raises(UnknownNameError, match="unknown variable 'I9'"):
        strategic_seller(world, StrategicSeller(("I9",)), "inspection")
    with pytest.raises(InputError, match="unknown regime"):
        strategic_seller(world, SELLER, "auction")  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(problems(max_states=6))
def test_property_inspection_pays_the_best_ex_post_value(problem: Problem) -> None:
    seller = StrategicSeller(("X", "Y"))
    out = strategic_seller(problem, seller, "inspection")
    assert (out.payment >= -1e-12).all()
    for s in np.flatnonzero(problem.prior > 0):
        best = 0.0
        for message in seller.messages()[1:]:
            value = problem.value(list(message))
            best = max(best, float(value.ex_post[value.partition.cells[s]]))
        assert out.payment[s] == pytest.approx(best, abs=1e-9)
