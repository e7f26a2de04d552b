"""A record minimum on the inspection page, over plain HTTP (docs/theory.md §5, Track records
and record minimums): the stock bot has a bad record, so the inspection posted from the
context form never reads it; its page counts the offer as skipped by record and shows
nothing the stock bot wrote."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from markupsafe import escape

from tests.support.inspection_site import QUERY, STOCKS, InspectionSite, inspection_site
from tests.support.people import PASSWORD
from tests.support.records import give_record


@pytest.fixture
def isite(sqlite_template: Path, tmp_path: Path) -> Iterator[InspectionSite]:
    with inspection_site(sqlite_template, tmp_path) as s:
        yield s


def test_the_inspection_page_counts_the_offers_skipped_by_record(isite: InspectionSite) -> None:
    bazaar = isite.bazaar
    bob = bazaar.register("bob", PASSWORD, buyer=True)
    give_record(bazaar, bob.id, bazaar.find_user("weatherbot").id, offers=2, value=0.5)
    give_record(bazaar, bob.id, bazaar.find_user("stockbot").id, offers=2, value=-0.5)
    buyer = isite.sign_up("alice")
    isite.credit("alice", 10_000)
    data = {"query": QUERY, "budget": "10.00", "priority": "0.5", "record_min_value": "0"}
    r = buyer.submit("/contexts/new", "/contexts", data)
    assert r.status_code == 303, r.text
    context_id = r.headers["location"].split("?")[0].rsplit("/", 1)[1]
    page = buyer.get(f"/contexts/{context_id}").text
    assert 'data-testid="record-minimum"' in page and "newcomers admitted" in page

    r = buyer.submit(f"/contexts/{context_id}", f"/contexts/{context_id}/inspect", {})
    assert r.status_code == 303, r.text
    target = r.headers["location"]
    deadline = time.monotonic() + 60
    while 'data-status="done"' not in buyer.get(f"{target}/live").text:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    html = buyer.get(target).text
    assert 'data-testid="node-skipped-by-record">1 skipped' in html
    assert escape(STOCKS.private_info) not in html
    with bazaar.store.begin(write=False) as uow:
        stock = bazaar.find_user("stockbot").id
        assert not any(
            o.inspected for o in uow.offers.for_context(context_id) if o.seller_id == stock
        )
