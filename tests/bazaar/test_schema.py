"""The Alembic migrations build exactly the models' schema, and the constraints hold."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from tests.support.databases import SQL_KINDS
from volition.bazaar.domain import Store
from volition.bazaar.storage import SqlStore, database_url
from volition.bazaar.storage.models import Base
from volition.errors import InputError


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
def test_migrations_match_the_models(store: Store) -> None:
    assert isinstance(store, SqlStore)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO journal_entries (id, kind, memo, created_at) "
        "VALUES ('e1', 'theft', '', CURRENT_TIMESTAMP)",
        "INSERT INTO journal_entries (id, kind, memo, created_at) "
        "VALUES ('e1', 'credit', '', CURRENT_TIMESTAMP); "
        "INSERT INTO postings (entry_id, account, amount) VALUES ('e1', 'cash:x', 0)",
    ],
)
def test_check_constraints_refuse_bad_rows(store: Store, statement: str) -> None:
    assert isinstance(store, SqlStore)
    with pytest.raises(Exception, match=r"(?i)check|constraint"), store.engine.begin() as conn:
        for part in statement.split("; "):
            conn.execute(text(part))


@pytest.mark.parametrize("store_factory", ["postgresql"], indirect=True)
def test_postgresql_refuses_an_unbalanced_entry_at_commit(store: Store) -> None:
    assert isinstance(store, SqlStore)
    with pytest.raises(Exception, match="not balanced"), store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO journal_entries (id, kind, memo, created_at) "
                "VALUES ('e1', 'credit', '', now())"
            )
        )
        conn.execute(
            text("INSERT INTO postings (entry_id, account, amount) VALUES ('e1', 'cash:x', 5)")
        )


def test_database_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOLITION_DATABASE_URL", raising=False)
    assert database_url() == "sqlite:///volition.db"
    monkeypatch.setenv("VOLITION_DATABASE_URL", "postgresql://u:p@h/db")
    assert database_url() == "postgresql+psycopg://u:p@h/db"
    with pytest.raises(InputError, match="not supported"):
        database_url("mysql://h/db")


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
def test_migrations_go_down_and_up_again(store: Store) -> None:
    from sqlalchemy import inspect

    from volition.bazaar.storage.migrate import downgrade, upgrade

    assert isinstance(store, SqlStore)
    downgrade(store.engine, "base")
    assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}
    upgrade(store.engine)
    assert "postings" in inspect(store.engine).get_table_names()


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
def test_migrations_keep_the_books_of_a_database_in_use(store: Store) -> None:
    """Down to the first schema and up again with money, contexts and purchases stored."""
    from volition.bazaar.domain import audit
    from volition.bazaar.storage.migrate import downgrade, upgrade

    bazaar, alice, carol, _ctx, offer = _a_context_with_an_offer(store)
    bazaar.buy_blind(alice.id, offer.id)
    bazaar.add_matcher(carol.id, keywords=["q"])
    before = bazaar.balances(alice.id), bazaar.balances(carol.id)
    downgrade(store.engine, "0001")
    upgrade(store.engine)
    assert (bazaar.balances(alice.id), bazaar.balances(carol.id)) == before
    assert bazaar.offer(alice.id, offer.id).private_info == "s"
    assert audit(store) == []
    bazaar.cash_out(carol.id, 150)
    with pytest.raises(Exception, match=r"(?i)check|constraint|broke"):
        downgrade(store.engine, "0002")  # a cash-out entry exists: history is not dropped
    assert bazaar.balances(carol.id).cash == 150


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
def test_a_context_reveal_policy_is_stored_and_checked(store: Store) -> None:
    """Migration 0004: contexts keep their amnesia policy; the database refuses others."""
    from volition.bazaar.domain import ContextSpec, RevealPolicy

    bazaar, alice, _carol, ctx, offer = _a_context_with_an_offer(store)
    spec = ContextSpec("q?", budget=100, parent_offer_ids=(offer.id,), reveal=RevealPolicy.ALL)
    child = bazaar.post_context(alice.id, spec)
    assert bazaar.context(alice.id, ctx.id).reveal is RevealPolicy.WITH_PARENT
    assert bazaar.context(alice.id, child.id).reveal is RevealPolicy.ALL
    with pytest.raises(Exception, match=r"(?i)check|constraint"), store.engine.begin() as conn:
        conn.execute(text("UPDATE contexts SET reveal = 'everything'"))


def _a_context_with_an_offer(store: Store) -> tuple[Any, Any, Any, Any, Any]:
    """A bazaar on ``store`` where alice (funded) posted a context and carol offered on it."""
    from tests.support.people import CHEAP_HASHER
    from volition.bazaar.domain import Bazaar, ContextSpec

    assert isinstance(store, SqlStore)
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    root = bazaar.bootstrap_operator("root", "long password")
    alice = bazaar.register("alice", "long password")
    carol = bazaar.register("carol", "long password", seller=True)
    bazaar.credit(root.id, alice.id, 1_000)
    ctx = bazaar.post_context(alice.id, ContextSpec("q", budget=500))
    offer = bazaar.post_offer(carol.id, ctx.id, preview="p", private_info="s", price=200)
    return bazaar, alice, carol, ctx, offer
