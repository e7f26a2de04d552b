"""Migration 0013 (pay-on-resolution offers): down and up again on SQLite and PostgreSQL;
going down refuses while escrows are in the books; the database refuses impossible terms and
settlements."""

from __future__ import annotations

from fractions import Fraction

import pytest
from sqlalchemy import inspect, text

from tests.support.databases import SQL_KINDS
from tests.support.escrow import escrow_world
from volition.bazaar.domain import Store, audit
from volition.bazaar.storage import SqlStore


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
def test_0013_goes_down_and_up_and_keeps_the_books(store: Store) -> None:
    from volition.bazaar.storage.migrate import downgrade, upgrade

    assert isinstance(store, SqlStore)
    world = escrow_world(store)
    cid = world.question(budget=500, max_escrow=100)
    plain = world.bazaar.post_offer(world.carol.id, cid, preview="p", private_info="s", price=5)
    before = world.bazaar.balances(world.alice), world.bazaar.balances(world.carol)
    downgrade(store.engine, "0012")
    assert "escrows" not in inspect(store.engine).get_table_names()
    assert "escrow_cap" not in {c["name"] for c in inspect(store.engine).get_columns("offers")}
    upgrade(store.engine)
    assert (world.bazaar.balances(world.alice), world.bazaar.balances(world.carol)) == before
    assert world.bazaar.offer(world.carol.id, plain.id).escrow is None
    question = world.forecasts.question(cid)
    assert question is not None and question.max_escrow == 0  # existing questions: none
    assert audit(store) == []

    with store.engine.begin() as conn:
        conn.execute(text("UPDATE forecast_questions SET max_escrow = 100"))
    offer = world.offer(cid, 5, Fraction(1, 4), 100)
    world.bazaar.buy_blind(world.alice.id, offer.id)
    with pytest.raises(Exception, match=r"(?i)check|constraint|broke"):
        downgrade(store.engine, "0012")  # would drop the escrow entries' history
    assert world.bazaar.offer(world.carol.id, offer.id).escrow is not None
    assert audit(store) == []


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE offers SET escrow_rate = '1/2', escrow_cap = 0",
        "UPDATE offers SET escrow_rate = NULL",
        "UPDATE escrows SET cap = 0",
        "UPDATE escrows SET payment = 1, refund = 1, settled_at = held_at",
        "UPDATE escrows SET payment = 10",
    ],
)
def test_the_database_refuses_impossible_escrows(store: Store, statement: str) -> None:
    assert isinstance(store, SqlStore)
    world = escrow_world(store)
    cid = world.question(budget=500, max_escrow=100)
    world.bazaar.buy_blind(world.alice.id, world.offer(cid, 5, Fraction(1, 2), 10).id)
    with pytest.raises(Exception, match=r"(?i)check|constraint"), store.engine.begin() as conn:
        conn.execute(text(statement))
