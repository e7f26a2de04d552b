"""Migration 0012 (the attention auction): down and up again with bids in the books, on
SQLite and PostgreSQL; the database itself refuses negative bids and attentions below one."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from tests.support.databases import SQL_KINDS
from tests.support.people import CHEAP_HASHER
from volition.bazaar.domain import Bazaar, ContextSpec, Store, audit
from volition.bazaar.storage import SqlStore

PASSWORD = "long password"


def _auction(store: Store) -> tuple[Bazaar, str, str, str]:
    """alice's context with one offer of carol's: without a bid (before 0012's kinds exist)."""
    assert isinstance(store, SqlStore)
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    root = bazaar.bootstrap_operator("root", PASSWORD)
    alice = bazaar.register("alice", PASSWORD)
    carol = bazaar.register("carol", PASSWORD, seller=True)
    bazaar.credit(root.id, alice.id, 1_000)
    bazaar.credit(root.id, carol.id, 100)
    ctx = bazaar.post_context(alice.id, ContextSpec("q", budget=500, attention=2, reading_cost=0))
    offer = bazaar.post_offer(carol.id, ctx.id, preview="p", private_info="s", price=20)
    return bazaar, alice.id, carol.id, offer.id


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
def test_0012_goes_down_and_up_and_keeps_the_books(store: Store) -> None:
    from volition.bazaar.storage.migrate import downgrade, upgrade

    assert isinstance(store, SqlStore)
    bazaar, alice, carol, _offer = _auction(store)
    before = bazaar.balances(alice), bazaar.balances(carol)
    downgrade(store.engine, "0011")  # the terms are forgotten: every offer read again
    columns = {c["name"] for c in inspect(store.engine).get_columns("offers")}
    assert "bid" not in columns
    upgrade(store.engine)
    assert (bazaar.balances(alice), bazaar.balances(carol)) == before
    (ctx,) = bazaar.contexts(alice, mine=True)
    assert (ctx.attention, ctx.reading_cost) == (None, 0)  # existing contexts: unlimited
    assert audit(store) == []

    # with a bid held, going down would drop history: refused, nothing lost
    bazaar.post_offer(carol, ctx.id, preview="p2", private_info="s2", price=20, bid=30)
    with pytest.raises(Exception, match=r"(?i)check|constraint|broke"):
        downgrade(store.engine, "0011")
    assert bazaar.balances(carol).cash == 70
    assert audit(store) == []


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE offers SET bid = -1",
        "UPDATE contexts SET attention = 0",
        "UPDATE contexts SET reading_cost = -5",
    ],
)
def test_the_database_refuses_impossible_terms(store: Store, statement: str) -> None:
    assert isinstance(store, SqlStore)
    _auction(store)
    with pytest.raises(Exception, match=r"(?i)check|constraint"), store.engine.begin() as conn:
        conn.execute(text(statement))
