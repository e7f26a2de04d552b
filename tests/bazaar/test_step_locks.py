"""The locks an inspection step takes in fewer statements (issue 15), checked on the rows.

``UnitOfWork.lock_owned`` locks the buyer's row and its context's in one read, both held by
the unit after it (not read again); a context of another buyer, or a missing one, gives None.
``get_many(exclusive=True)`` locks a context against the key share an offer's insert takes
of it (PostgreSQL), so that an offer posted meanwhile waits for the unit's end.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy.exc import OperationalError

from tests.support.databases import SQL_KINDS
from volition.bazaar.domain import Bazaar, ContextSpec, Store
from volition.bazaar.storage import SqlStore

on_sql = pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
on_postgresql = pytest.mark.parametrize("store_factory", ["postgresql"], indirect=True)
"""(SQLite locks the whole database for a writing unit: no row locks to see there)"""


@pytest.fixture
def statements(store: Store) -> Iterator[list[str]]:
    assert isinstance(store, SqlStore)
    seen: list[str] = []

    def count(conn, cursor, sql, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(sql)

    event.listen(store.engine, "before_cursor_execute", count)
    yield seen
    event.remove(store.engine, "before_cursor_execute", count)


def _two_buyers(bazaar: Bazaar) -> tuple[str, str, str]:
    """alice's context, alice's id and bob's id."""
    root = bazaar.bootstrap_operator("root", "correct horse battery")
    alice = bazaar.register("alice", "correct horse battery", buyer=True)
    bob = bazaar.register("bob", "correct horse battery", buyer=True)
    bazaar.credit(root.id, alice.id, 1_000)
    context = bazaar.post_context(alice.id, ContextSpec("Will it rain?", 300))
    return context.id, alice.id, bob.id


@on_sql
def test_lock_owned_reads_both_rows_once_and_holds_them(
    store: Store, bazaar: Bazaar, statements: list[str]
) -> None:
    context_id, alice, _ = _two_buyers(bazaar)
    with store.begin() as uow:
        statements.clear()
        held = uow.lock_owned(alice, context_id)
        assert held is not None
        buyer, context = held
        assert (buyer.id, context.id, context.buyer_id) == (alice, context_id, alice)
        assert len(statements) == 1
        # the service's own locked reads find them held: no statement of their own
        assert uow.users.get(alice, lock=True) == buyer
        assert uow.contexts.get(context_id, lock=True) == context
        assert len(statements) == 1


@on_sql
def test_lock_owned_refuses_another_buyers_context_and_missing_rows(
    store: Store, bazaar: Bazaar
) -> None:
    context_id, alice, bob = _two_buyers(bazaar)
    with store.begin() as uow:
        assert uow.lock_owned(bob, context_id) is None
        assert uow.lock_owned(alice, "ctx_missing") is None
        assert uow.lock_owned("usr_missing", context_id) is None


@on_sql
def test_the_services_errors_are_as_before(bazaar: Bazaar) -> None:
    """An operation on another buyer's or a missing context says what is wrong, and changes
    nothing."""
    from volition.bazaar.errors import Forbidden, NotFound

    context_id, alice, bob = _two_buyers(bazaar)
    with pytest.raises(Forbidden, match="only the buyer who posted"):
        bazaar.cancel_context(bob, context_id)  # a public context, not bob's
    with pytest.raises(NotFound, match="no context"):
        bazaar.cancel_context(alice, "ctx_missing")
    with pytest.raises(NotFound, match="no user"):
        bazaar.cancel_context("usr_missing", context_id)
    assert bazaar.context(alice, context_id).is_active
    assert bazaar.balances(alice).reserved == 300


@contextmanager
def _other_connection(store: SqlStore) -> Iterator[Connection]:
    """A second connection to the same database, failing fast on a held lock."""
    engine = create_engine(store.engine.url, connect_args={"options": "-c lock_timeout=200"})
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


@on_postgresql
def test_both_rows_are_locked_till_the_unit_ends(store: Store, bazaar: Bazaar) -> None:
    assert isinstance(store, SqlStore)
    context_id, alice, _ = _two_buyers(bazaar)
    with _other_connection(store) as other:
        with store.begin() as uow:
            assert uow.lock_owned(alice, context_id) is not None
            for table, key in (("users", alice), ("contexts", context_id)):
                lock = text(f"SELECT 1 FROM {table} WHERE id = :id FOR NO KEY UPDATE")
                with pytest.raises(OperationalError, match="lock timeout"), other.begin():
                    other.execute(lock, {"id": key})
        with other.begin():
            locked = other.execute(
                text("SELECT 1 FROM users WHERE id = :id FOR NO KEY UPDATE"), {"id": alice}
            )
            assert locked.scalar() == 1  # free once the unit ended


@on_postgresql
def test_an_exclusive_read_makes_an_offers_insert_wait(store: Store, bazaar: Bazaar) -> None:
    """The key share an offer's insert takes of its context waits for an exclusive read
    (``FOR UPDATE``); the usual lock (``FOR NO KEY UPDATE``) lets it through."""
    assert isinstance(store, SqlStore)
    context_id, _, _ = _two_buyers(bazaar)
    key_share = text("SELECT 1 FROM contexts WHERE id = :id FOR KEY SHARE")
    with _other_connection(store) as other:
        with store.begin() as uow:
            uow.contexts.get(context_id, lock=True)
            with other.begin():
                assert other.execute(key_share, {"id": context_id}).scalar() == 1
        with store.begin() as uow:
            (context,) = uow.contexts.get_many([context_id], exclusive=True)
            assert context.id == context_id
            assert uow.contexts.get(context_id, lock=True) == context  # held: not read again
            with pytest.raises(OperationalError, match="lock timeout"), other.begin():
                other.execute(key_share, {"id": context_id})
