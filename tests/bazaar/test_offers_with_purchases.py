"""``OfferRepository.with_purchases``: the offers of some contexts and their purchases in one
read (issue 15: a step's purchase checks and its view read them together). The same answer as
the two reads it replaces, on memory, SQLite and PostgreSQL; with ``lock`` the offers' rows
are held (PostgreSQL: another transaction cannot lock them) while the purchases are not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from tests.support.databases import one_store
from tests.support.inspection import World, make_world
from volition.bazaar.domain import ContextSpec, Store
from volition.bazaar.storage import SqlStore


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    stores: Iterator[Store] = one_store(request.param, request, tmp_path)
    yield make_world(next(stores))
    next(stores, None)


def _market(world: World) -> tuple[list[str], list[str]]:
    """Three contexts with two offers each; one offer bought on each of the first two."""
    bazaar = world.bazaar
    seller = bazaar.register("carol", "a long enough password", seller=True)
    contexts, bought = [], []
    for i in range(3):
        context = bazaar.post_context(world.buyer.id, ContextSpec(f"Rain {i}?", 500))
        offers = [
            bazaar.post_offer(seller.id, context.id, preview=f"p{i}{j}", private_info="s", price=10)
            for j in range(2)
        ]
        contexts.append(context.id)
        if i < 2:
            bought.append(bazaar.buy_blind(world.buyer.id, offers[i % 2].id).id)
    return contexts, bought


def test_the_same_answer_as_two_reads(world: World) -> None:
    contexts, bought = _market(world)
    for chosen in ([contexts[0]], contexts[1:], contexts, [contexts[2], "ctx_none"], []):
        with world.bazaar.store.begin(write=False) as uow:
            offers, purchases = uow.offers.with_purchases(chosen)
            assert offers == uow.offers.for_contexts(chosen)
            expected = uow.purchases.for_contexts(chosen) if chosen else []
            assert sorted(p.id for p in purchases) == sorted(p.id for p in expected)
            assert sorted(purchases, key=lambda p: p.id) == sorted(expected, key=lambda p: p.id)
    with world.bazaar.store.begin(write=False) as uow:
        _, every = uow.offers.with_purchases(contexts)
    assert sorted(p.id for p in every) == sorted(bought)


@pytest.fixture
def pg_world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    """Row locks are PostgreSQL's (SQLite's writers queue on the file)."""
    stores: Iterator[Store] = one_store("postgresql", request, tmp_path)
    yield make_world(next(stores))
    next(stores, None)


def test_locked_offers_are_held_until_the_unit_ends(pg_world: World) -> None:
    world = pg_world
    store = world.bazaar.store
    assert isinstance(store, SqlStore)
    contexts, _ = _market(world)
    with store.begin() as uow:
        offers, _ = uow.offers.with_purchases([contexts[0]], lock=True)
        with store.engine.connect() as other:
            for offer in offers:
                with pytest.raises(OperationalError, match="could not obtain lock"):
                    other.exec_driver_sql(
                        "SELECT id FROM offers WHERE id = %s FOR UPDATE NOWAIT", (offer.id,)
                    )
                other.rollback()
            # the purchases of those offers are read, not locked
            other.exec_driver_sql("SELECT id FROM purchases FOR UPDATE NOWAIT")
            other.rollback()
