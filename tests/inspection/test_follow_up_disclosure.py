"""What of a follow-up each viewer is shown (``domain.follow_ups``, issue 10): the buyer sees
what its inspector wrote only if it may read everything the writer read; the sellers asked see
the query only if every offer the writer read allows quotation; a buyer's own follow-ups are
theirs. On the memory store and SQLite (the ``store`` fixture), through the bazaar's reads."""

from __future__ import annotations

import pytest

from tests.support.people import CHEAP_HASHER, PASSWORD
from volition.bazaar.domain import Bazaar, ContextSpec, Disclosure, Store
from volition.bazaar.domain.follow_ups import (
    FORGOTTEN_PREVIEW,
    FORGOTTEN_QUERY,
    WITHHELD_QUERY,
    for_sellers,
)
from volition.bazaar.domain.settings import BazaarSettings
from volition.bazaar.errors import NotFound

QUOTE = "Is it true that the reservoir is at 12% (SECRET-1234abcd)?"


@pytest.fixture
def bazaar(store: Store) -> Bazaar:
    b = Bazaar(store, hasher=CHEAP_HASHER, settings=BazaarSettings(starting_grant=10_000))
    b.register("ann", PASSWORD)
    for name in ("sol", "sam", "checker", "mallory"):
        b.register(name, PASSWORD, buyer=False, seller=True)
    return b


def _story(
    bazaar: Bazaar, *, sam_quotable: bool = True, by_inspector: bool = True
) -> dict[str, str]:
    """Ann's context with two inspected offers; her inspector follows up about sol's, quoting."""
    ann, sol, sam = (bazaar.find_user(n).id for n in ("ann", "sol", "sam"))
    root = bazaar.post_context(ann, ContextSpec("Should I water the garden?", 1_000))
    a = bazaar.post_offer(sol, root.id, preview="Reservoir level", private_info="12%", price=50)
    b = bazaar.post_offer(
        sam, root.id, preview="Rain", private_info="none", price=30, quotable=sam_quotable
    )
    for offer in (a, b):
        bazaar.mark_inspected(ann, offer.id)
    spec = ContextSpec(
        QUOTE, 200, named_sellers=("checker",), parent_offer_ids=(a.id,), by_inspector=by_inspector
    )
    child = bazaar.post_context(ann, spec)
    check = bazaar.post_offer(
        bazaar.find_user("checker").id, child.id, preview=QUOTE, private_info="yes", price=10
    )
    return {"ann": ann, "root": root.id, "a": a.id, "b": b.id, "child": child.id, "check": check.id}


def test_the_buyer_forgets_what_its_inspector_wrote_until_it_may_read_all_it_read(
    bazaar: Bazaar,
) -> None:
    ids = _story(bazaar)
    ann = ids["ann"]
    shown = bazaar.context(ann, ids["child"])
    assert shown.disclosure is Disclosure.FORGOTTEN and shown.query == FORGOTTEN_QUERY
    assert shown.budget == 0 and shown.parent_offer_ids == () and shown.named_seller_ids == ()
    [mine] = [c for c in bazaar.contexts(ann, mine=True) if c.id == ids["child"]]
    assert mine.query == FORGOTTEN_QUERY
    [offer] = bazaar.offers(ann, ids["child"])
    assert offer.preview == FORGOTTEN_PREVIEW  # the checker repeated the query in its preview
    ledger = bazaar.ledger(ann)
    assert not any(ids["child"] in e.memo for e in ledger)  # the budget it chose: forgotten
    # buying the offer the follow-up is about is not enough: the inspector read sam's too
    bazaar.buy_inspected(ann, ids["a"])
    assert bazaar.context(ann, ids["child"]).query == FORGOTTEN_QUERY
    bazaar.buy_inspected(ann, ids["b"])  # now she may read everything it read
    shown = bazaar.context(ann, ids["child"])
    assert shown.disclosure is Disclosure.FULL and shown.query == QUOTE and shown.budget == 200
    assert bazaar.offers(ann, ids["child"])[0].preview == QUOTE
    assert any(ids["child"] in e.memo for e in bazaar.ledger(ann))


def test_a_buyers_own_follow_up_is_shown_whole(bazaar: Bazaar) -> None:
    ids = _story(bazaar, by_inspector=False)
    shown = bazaar.context(ids["ann"], ids["child"])
    assert shown.disclosure is Disclosure.FULL and shown.query == QUOTE


@pytest.mark.parametrize("sam_quotable", [True, False])
def test_sellers_asked_see_the_query_only_if_all_it_may_quote_allows_it(
    bazaar: Bazaar, sam_quotable: bool
) -> None:
    ids = _story(bazaar, sam_quotable=sam_quotable)
    for name in ("sol", "checker"):  # the parent offer's seller, a named seller
        shown = bazaar.context(bazaar.find_user(name).id, ids["child"])
        expected = QUOTE if sam_quotable else WITHHELD_QUERY
        assert shown.query == expected, name
        assert shown.parent_offer_ids == (ids["a"],)  # they are told what it is about
        [inbox] = [c for c in bazaar.inbox(bazaar.find_user(name).id) if c.id == ids["child"]]
        assert inbox.query == expected
    with bazaar.store.begin(write=False) as uow:  # what bot sellers are shown
        raw = uow.contexts.get(ids["child"])
        assert raw is not None and raw.query == QUOTE
        assert for_sellers(uow, raw).query == (QUOTE if sam_quotable else WITHHELD_QUERY)
    # sam's own offer is quotable or not: the follow-up is about sol's, and sam was not asked
    with pytest.raises(NotFound):
        bazaar.context(bazaar.find_user("mallory").id, ids["child"])
    assert bazaar.offer(bazaar.find_user("sam").id, ids["b"]).quotable is sam_quotable
