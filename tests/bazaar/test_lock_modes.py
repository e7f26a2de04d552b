"""PostgreSQL row locks: strict enough to serialise money, loose enough not to deadlock.

The load benchmark found a deadlock: a purchase locked its context and then inserted a row
referencing the seller, while an offer being posted locked the seller and inserted a row
referencing the context; each foreign-key check (FOR KEY SHARE) waited for the other's
FOR UPDATE. The store now locks with FOR NO KEY UPDATE, which foreign-key checks pass.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from tests.support.people import CHEAP_HASHER, PASSWORD
from volition.bazaar.domain import Bazaar
from volition.bazaar.storage import SqlStore


def test_a_locked_row_still_passes_foreign_key_checks_but_not_other_lockers(pg_url) -> None:
    store = SqlStore.open(pg_url, migrate=False)
    try:
        seller = Bazaar(store, hasher=CHEAP_HASHER).register("sam", PASSWORD, seller=True)
        with store.begin() as uow, store.engine.connect() as other:
            assert uow.users.get(seller.id, lock=True) is not None  # held until the block ends
            other.execute(text("SET lock_timeout = '1s'"))
            # what the foreign-key check of an insert referencing the row takes: no waiting
            key_share = "SELECT 1 FROM users WHERE id = :id FOR KEY SHARE"
            assert other.execute(text(key_share), {"id": seller.id}).scalar() == 1
            other.rollback()
            other.execute(text("SET lock_timeout = '300ms'"))
            # another locker of the same row still waits (and here times out)
            with pytest.raises(OperationalError, match="lock timeout"):
                other.execute(
                    text("SELECT 1 FROM users WHERE id = :id FOR NO KEY UPDATE"), {"id": seller.id}
                )
            other.rollback()
    finally:
        store.close()
