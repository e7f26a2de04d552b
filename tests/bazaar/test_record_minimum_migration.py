"""Migration 0014 (a context's record minimum): down and up again on SQLite and PostgreSQL,
the books and the contexts kept; existing contexts come back without a minimum (every seller
read, as before)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from tests.support.databases import SQL_KINDS
from tests.support.people import CHEAP_HASHER
from volition.bazaar.domain import Bazaar, ContextSpec, Store, audit
from volition.bazaar.domain.record_minimum import RecordMinimum
from volition.bazaar.storage import SqlStore

PASSWORD = "long password"


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
def test_0014_goes_down_and_up_and_keeps_the_contexts(store: Store) -> None:
    from volition.bazaar.storage.migrate import downgrade, upgrade

    assert isinstance(store, SqlStore)
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    root = bazaar.bootstrap_operator("root", PASSWORD)
    alice = bazaar.register("alice", PASSWORD)
    bazaar.credit(root.id, alice.id, 1_000)
    minimum = RecordMinimum(2, 0.5, 0.25, admit_newcomers=False)
    strict = bazaar.post_context(alice.id, ContextSpec("q", 300, record_minimum=minimum))
    plain = bazaar.post_context(alice.id, ContextSpec("r", 200))
    assert bazaar.context(alice.id, strict.id).record_minimum == minimum
    assert bazaar.context(alice.id, plain.id).record_minimum is None
    before = bazaar.balances(alice)

    downgrade(store.engine, "-1")  # the minimums are forgotten
    columns = {c["name"] for c in inspect(store.engine).get_columns("contexts")}
    assert "record_minimum" not in columns
    upgrade(store.engine)
    columns = {c["name"] for c in inspect(store.engine).get_columns("contexts")}
    assert "record_minimum" in columns
    assert bazaar.balances(alice) == before
    assert {c.id: c.record_minimum for c in bazaar.contexts(alice.id, mine=True)} == {
        strict.id: None,
        plain.id: None,
    }
    again = bazaar.post_context(alice.id, ContextSpec("s", 100, record_minimum=minimum))
    assert bazaar.context(alice.id, again.id).record_minimum == minimum
    assert audit(store) == []
