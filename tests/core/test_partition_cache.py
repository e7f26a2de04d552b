"""Derived partitions are computed once and kept, and nothing can make them stale."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.core.strategies import RandomWorld, random_worlds
from volition.core import ProbabilitySpace, World
from volition.core.partition import Partition, RandomVariable

values_lists = st.one_of(
    st.lists(st.integers(-3, 3), min_size=1, max_size=30),
    st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=30),
    st.lists(st.booleans(), min_size=1, max_size=30),
)


def same(a: Partition, b: Partition) -> bool:
    return (
        np.array_equal(a.cells, b.cells)
        and a.keys == b.keys
        and a.labels == b.labels
        and a.cells.dtype == b.cells.dtype
    )


@given(values_lists)
def test_the_kept_partition_is_the_one_recomputed(values: list[object]) -> None:
    var = RandomVariable("v", values)
    first = var.partition
    assert first is var.partition  # kept, not recomputed
    assert same(first, Partition.from_values("v", values))


@given(random_worlds(), st.data())
def test_kept_joins_are_the_joins_recomputed(world: RandomWorld, data: st.DataObject) -> None:
    built = world.problem().world
    names = data.draw(st.lists(st.sampled_from([*sorted(world.variables), "state"]), max_size=4))
    first = built.partition(names)
    assert built.partition(names) is first
    fresh = World.build(built.space, world.variables)  # nothing kept yet: computed anew
    assert same(first, fresh.partition(names))
    if len(names) >= 2:
        expected = Partition.trivial(built.space.size)
        for name in names:
            part = (
                Partition.discrete(built.space.states)
                if name == "state"
                else Partition.from_values(name, world.variables[name])
            )
            expected = expected.join(part)
        assert same(first, expected)


def assert_frozen(array: np.ndarray) -> None:
    with pytest.raises(ValueError, match="read-only"):
        array[0] = 99
    with pytest.raises(ValueError, match="WRITEABLE"):
        array.setflags(write=True)


def test_a_kept_partition_cannot_be_changed() -> None:
    var = RandomVariable("v", [3, 1, 3, 2])
    assert_frozen(var.values)
    assert_frozen(var.partition.cells)
    space = ProbabilitySpace(4, [0.25] * 4)
    world = World.build(space, {"a": [0, 0, 1, 1], "b": [0, 1, 0, 1]})
    for names in (["a", "b"], ["state"], []):
        assert_frozen(world.partition(names).cells)
    with pytest.raises(AttributeError):
        var.partition = Partition.trivial(4)  # type: ignore[misc]


def test_the_callers_values_stay_the_callers() -> None:
    values = np.array([1, 2, 2])
    var = RandomVariable("v", values)
    values[0] = 2  # the caller's array is copied, so this changes nothing kept
    assert var.partition.labels == ((1,), (2,))
    assert var.partition.cells.tolist() == [0, 1, 1]


def test_a_join_is_not_kept_past_a_change_of_variables() -> None:
    space = ProbabilitySpace(4, [0.25] * 4)
    variables = {"a": RandomVariable("a", [0, 0, 1, 1]), "b": RandomVariable("b", [0, 1, 0, 1])}
    world = World(space, variables)  # a plain dict: the caller may still change it
    assert world.partition(["a", "b"]).n_cells == 4
    variables["b"] = RandomVariable("b", [0, 0, 0, 0])
    assert world.partition(["a", "b"]).n_cells == 2


def test_the_joins_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from volition.core import world as world_module

    monkeypatch.setattr(world_module, "JOIN_CACHE_STATES", 8)  # two joins of 4 states
    space = ProbabilitySpace(4, [0.25] * 4)
    world = World.build(space, {n: [0, 1, i % 2, 1] for i, n in enumerate("abcd")})
    ab = world.partition(["a", "b"])
    world.partition(["a", "c"])
    assert world.partition(["a", "b"]) is ab  # still kept (and now the most recent)
    world.partition(["a", "d"])  # pushes out ["a", "c"], the least recent
    assert world.partition(["a", "b"]) is ab
    assert len(world._joins._items) == 2


def test_pickling_keeps_equality_and_the_arrays_read_only() -> None:
    var = RandomVariable("v", ["x", "y", "x"])
    part = var.partition
    again = pickle.loads(pickle.dumps(var))
    assert again.name == var.name and np.array_equal(again.values, var.values)
    assert "partition" not in again.__dict__  # the cache does not travel
    assert_frozen(again.values)
    assert same(again.partition, part)
    copied = pickle.loads(pickle.dumps(part))
    assert same(copied, part)
    assert_frozen(copied.cells)
    world = World.build(ProbabilitySpace(3, [0.5, 0.25, 0.25]), {"v": ["x", "y", "x"]})
    world.partition(["v", "state"])
    world_again = pickle.loads(pickle.dumps(world))
    assert same(world_again.partition(["v", "state"]), world.partition(["v", "state"]))
