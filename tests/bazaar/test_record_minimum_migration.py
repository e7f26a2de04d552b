"""Migration 0014 (a context's record minimum): down and up again on SQLite and PostgreSQL,
the books and the contexts kept; existing contexts come back without a minimum (every seller
read, as before); the database itself refuses impossible or half-given minimums."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from tests.support.databases import SQL_KINDS
from tests.support.people import CHEAP_HASHER
from volition.bazaar.domain import Bazaar, ContextSpec, Store, User, audit
from volition.bazaar.domain.record_minimum import RecordMinimum
from volition.bazaar.storage import SqlStore

PASSWORD = "long password"
COLUMNS = (
    "record_min_offers_bought",
    "record_min_value_per_dollar",
    "record_max_calibration_gap",
    "record_admit_newcomers",
)


def _alice(store: Store) -> tuple[Bazaar, User]:
    assert isinstance(store, SqlStore)
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    root = bazaar.bootstrap_operator("root", PASSWORD)
    alice = bazaar.register("alice", PASSWORD)
    bazaar.credit(root.id, alice.id, 1_000)
    return bazaar, alice


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
def test_0014_goes_down_and_up_and_keeps_the_contexts(store: Store) -> None:
    from volition.bazaar.storage.migrate import downgrade, upgrade

    bazaar, alice = _alice(store)
    minimum = RecordMinimum(2, 0.5, 0.25, admit_newcomers=False)
    strict = bazaar.post_context(alice.id, ContextSpec("q", 300, record_minimum=minimum))
    plain = bazaar.post_context(alice.id, ContextSpec("r", 200))
    assert bazaar.context(alice.id, strict.id).record_minimum == minimum
    assert bazaar.context(alice.id, plain.id).record_minimum is None
    before = bazaar.balances(alice)

    downgrade(store.engine, "0013")  # the minimums are forgotten
    columns = {c["name"] for c in inspect(store.engine).get_columns("contexts")}
    assert not {c for c in columns if c.startswith("record_")}
    upgrade(store.engine)
    columns = {c["name"] for c in inspect(store.engine).get_columns("contexts")}
    assert {c for c in columns if c.startswith("record_")} == set(COLUMNS)
    assert bazaar.balances(alice) == before
    assert {c.id: c.record_minimum for c in bazaar.contexts(alice.id, mine=True)} == {
        strict.id: None,
        plain.id: None,
    }
    again = bazaar.post_context(alice.id, ContextSpec("s", 100, record_minimum=minimum))
    assert bazaar.context(alice.id, again.id).record_minimum == minimum
    assert audit(store) == []


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE contexts SET record_min_offers_bought = -1",
        "UPDATE contexts SET record_max_calibration_gap = 1.5",
        "UPDATE contexts SET record_max_calibration_gap = -0.5",
        "UPDATE contexts SET record_admit_newcomers = NULL",  # half a minimum
    ],
)
def test_the_database_refuses_impossible_minimums(store: Store, statement: str) -> None:
    assert isinstance(store, SqlStore)
    bazaar, alice = _alice(store)
    minimum = RecordMinimum(2, 0.5, 0.25, admit_newcomers=False)
    bazaar.post_context(alice.id, ContextSpec("q", 300, record_minimum=minimum))
    with pytest.raises(Exception, match=r"(?i)check|constraint"), store.engine.begin() as conn:
        conn.execute(text(statement))
