"""An engine that never saw an inspection's earlier steps shows the agent what one that saw
them all shows (issue 15: the contexts of the tree are cached by each engine, and read when
they are not), and a waiting parent is resumed only by the child it waits for."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.support.agents import Script
from tests.support.databases import one_store
from tests.support.inspection import FakeClock, World, make_world
from volition.agents import Buy, Decision, FixedSeller, FollowUp, NodeView, ScriptedBuyer
from volition.bazaar.inspection import InspectionStatus, NodeState


def _policy(view: NodeView) -> Decision:
    """Follow up about the cheapest offer while it may, then buy it."""
    cheapest = min(view.offers, key=lambda o: o.price)
    if view.follow_ups_left and view.depth < view.max_depth:
        return FollowUp(f"Is this right: {cheapest.preview}?", 300, (cheapest.id,))
    return Buy((cheapest.id,))


def _shown(view: NodeView) -> tuple[Any, ...]:
    """What a view shows, without the ids (which differ between two worlds) and in a fixed
    order (offers posted at the same instant are in the order of their random ids)."""
    return (
        view.query_chain,
        view.depth,
        view.remaining_budget,
        sorted((o.seller, o.preview, o.private_info, o.price) for o in view.offers),
        sorted((o.seller, o.preview, o.price) for o in view.ancestor_offers),
        sorted((k.query, k.preview, k.private_info, k.price) for k in view.known),
        view.context_pages,
    )


def _run(world: World, *, fresh_engine_each_step: bool) -> list[tuple[Any, ...]]:
    for i in range(2):
        world.bot(FixedSeller(f"forecast {i}", f"rain chance {40 + 10 * i}%", 50 + i))
    buyer = Script(itertools.repeat(_policy))
    repository = world.repository()

    def engine():  # type: ignore[no-untyped-def]
        return world.engine(
            buyer, repository=repository, max_depth=2, max_follow_ups=1, min_offers=2
        )

    stepping = engine()
    context = world.post("Will it rain?", 1_000)
    inspection = stepping.start(world.buyer.id, context.id)
    while stepping.step():
        if fresh_engine_each_step:
            stepping = engine()  # another worker: it saw none of the steps before
    assert stepping.inspection(inspection.id).status is InspectionStatus.DONE
    return [_shown(v) for v in buyer.views]


@pytest.fixture
def other_world(request: pytest.FixtureRequest, tmp_path: Path, world: World) -> Iterator[World]:
    """A second world on a store of the same kind as ``world``'s."""
    (tmp_path / "other").mkdir()
    kind = request.node.callspec.params["store"]
    for store in one_store(kind, request, tmp_path / "other"):
        yield make_world(store, FakeClock())


def test_a_fresh_engine_at_every_step_shows_what_one_engine_shows(
    world: World, other_world: World
) -> None:
    once = _run(world, fresh_engine_each_step=False)
    fresh = _run(other_world, fresh_engine_each_step=True)
    assert fresh == once
    # the deepest node sees the whole chain, and the root its children's purchases
    assert [len(v[0]) for v in once] == [1, 2, 3, 2, 1]
    assert once[-1][5] and once[3][5]  # known: what the children bought


def test_a_parent_is_resumed_only_by_the_child_it_waits_for(world: World) -> None:
    repository = world.repository()
    engine = world.engine(ScriptedBuyer(_policy), repository=repository, max_depth=1)
    context = world.post("Will it rain?", 1_000)
    inspection = engine.start(world.buyer.id, context.id)
    root = repository.get_node(inspection.root_node_id)
    assert root is not None
    waiting = repository.update_node(replace(root, state=NodeState.WAITING, child_node_id="c1"))
    assert not repository.resume(root.id, "c2")  # another child
    assert not repository.resume("nod_missing", "c1")
    assert repository.get_node(root.id) == waiting
    assert repository.resume(root.id, "c1")
    resumed = repository.get_node(root.id)
    assert resumed == replace(
        waiting, state=NodeState.DECIDING, child_node_id=None, version=waiting.version + 1
    )
    assert not repository.resume(root.id, "c1")  # once only: it no longer waits
    assert repository.get_node(root.id) == resumed
