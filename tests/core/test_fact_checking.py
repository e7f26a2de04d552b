"""The fact-checking world of docs/theory.md §4: the published figures, in nats."""

import math

import pytest

from volition.cli.demo import load_example
from volition.core import Problem


@pytest.fixture(scope="module")
def world() -> Problem:
    return load_example("fact_checking.yaml")


def test_marginals_match_the_table(world: Problem) -> None:
    assert world.space.probability(world.world.variable("E").values == 1) == pytest.approx(0.1)
    assert world.no_info()[0] == pytest.approx(0.1)


def test_ex_post_value_of_i1_at_1(world: Problem) -> None:
    v = world.value("I1")
    cell = v.partition.cell_of({"I1": 1})
    assert v.ex_post[cell] == pytest.approx(0.311239, abs=5e-7)
    assert world.describe(v.actions[cell]) == pytest.approx(0.4)


def test_ex_post_value_of_both_at_1_1(world: Problem) -> None:
    v = world.value(["I1", "I2"])
    cell = v.partition.cell_of({"I1": 1, "I2": 1})
    assert v.ex_post[cell] == pytest.approx(0.044403, abs=5e-7)
    assert world.describe(v.actions[cell]) == pytest.approx(0.2)


def test_true_value_of_revealing_i1_alone_at_1_1(world: Problem) -> None:
    known = world.value_knowing("I1", ["I1", "I2"])
    cell = known.partition.cell_of({"I1": 1, "I2": 1})
    assert known.values[cell] == pytest.approx(-0.047113, abs=5e-7)


def test_ex_ante_values(world: Problem) -> None:
    assert world.value("I1").ex_ante == pytest.approx(0.021673, abs=5e-7)
    assert world.value(["I1", "I2"]).ex_ante == pytest.approx(0.024431, abs=5e-7)


def test_log_score_ex_post_value_is_kl_divergence(world: Problem) -> None:
    """docs/theory.md §3: moving the belief from q0 to q is worth KL(q || q0) (log score)."""
    q0, q = 0.1, 0.4
    kl = q * math.log(q / q0) + (1 - q) * math.log((1 - q) / (1 - q0))
    v = world.value("I1")
    assert v.ex_post[v.partition.cell_of({"I1": 1})] == pytest.approx(kl, rel=1e-12)


def test_cherry_picking_pays_the_seller_more_but_misleads(world: Problem) -> None:
    """Revealing I1 alone earns more ex-post value than (I1, I2), yet has negative value."""
    alone = world.value("I1")
    both = world.value(["I1", "I2"])
    at_11 = {"I1": 1, "I2": 1}
    assert (
        alone.ex_post[alone.partition.cell_of(at_11)] > both.ex_post[both.partition.cell_of(at_11)]
    )
    known = world.value_knowing("I1", ["I1", "I2"])
    assert known.values[known.partition.cell_of(at_11)] < 0


def test_true_value_at_states_of_the_1_1_cell(world: Problem) -> None:
    """Eq. (1) at a single state: log(0.4/0.1) if E happens, log(0.6/0.9) if not."""
    assert world.true_value("I1", state="i11_E") == pytest.approx(math.log(4))
    assert world.true_value("I1", state="i11_notE") == pytest.approx(math.log(0.6 / 0.9))
