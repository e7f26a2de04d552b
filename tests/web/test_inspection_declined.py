"""The inspection page lists the offers its inspector read and turned down (preview, seller and
price: never their private info) and says what a follow-up and amnesia are, where they
appear; an operator sees no more than before (issue 11)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from markupsafe import escape

from tests.support.http_world import CONFIRMATION, FORECAST, QUERY, STOCKS
from tests.support.inspection_site import InspectionSite, inspection_site
from tests.support.people import PASSWORD
from volition.bazaar.domain.follow_ups import FORGOTTEN_PREVIEW

DECLINED = re.compile(r'<tr data-testid="declined-offer">(.*?)</tr>', re.S)
TAG = re.compile(r"<[^>]+>")


@pytest.fixture
def isite(sqlite_template: Path, tmp_path: Path) -> Iterator[InspectionSite]:
    with inspection_site(sqlite_template, tmp_path) as s:
        yield s


def _inspected(isite: InspectionSite, policy: str) -> tuple[str, str]:
    """Alice's context inspected to the end; its page's address and its final HTML."""
    buyer = isite.sign_up("alice")
    isite.credit("alice", 10_000)
    r = buyer.submit("/contexts/new", "/contexts", {"query": QUERY, "budget": "10.00"})
    context_id = r.headers["location"].split("?")[0].rsplit("/", 1)[1]
    r = buyer.submit(
        f"/contexts/{context_id}", f"/contexts/{context_id}/inspect", {"policy": policy}
    )
    target = r.headers["location"]
    deadline = time.monotonic() + 30
    while 'data-status="done"' not in buyer.get(f"{target}/live").text:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return target, buyer.get(target).text


@pytest.mark.parametrize("policy", ["with_parent", "all"])
def test_the_offer_read_and_turned_down_is_listed_without_its_private_info(
    isite: InspectionSite, policy: str
) -> None:
    _, html = _inspected(isite, policy)
    rows = [" ".join(TAG.sub(" ", unescape(r)).split()) for r in DECLINED.findall(html)]
    # on the question, and on its forgotten follow-up (where even the preview is forgotten:
    # sellers answering a follow-up may repeat its query)
    assert rows == [f"{STOCKS.preview} stockbot $1.00", f"{FORGOTTEN_PREVIEW} stockbot $1.00"]
    node = re.search(r'data-testid="node-declined">(.*?)</li>', html, re.S)
    assert node is not None and "read and turned down" in node.group(1)
    assert escape(STOCKS.private_info) not in html  # read by the inspector: forgotten
    assert escape(FORECAST.private_info) in html  # bought: the buyer's
    # the follow-up says what it is, and (written while reading the unbought tip) that it is
    # forgotten, and why
    follow_up = html.split('data-depth="1"', 1)[1]
    assert 'data-testid="follow-up-explained"' in follow_up
    assert 'data-testid="amnesia-explained"' in follow_up
    assert "Amnesia: the inspector asked this while" in follow_up


def test_an_operator_sees_no_declined_offer_of_a_follow_up_nor_any_private_info(
    isite: InspectionSite,
) -> None:
    target, _ = _inspected(isite, "all")
    operator = isite.client()
    operator.submit("/signin", "/signin", {"name": "root", "password": PASSWORD})
    seen = operator.get(target).text
    assert "A follow-up context you cannot see" in seen
    assert 'data-testid="amnesia-explained"' not in seen  # it is not the operator's to forget
    for secret in (FORECAST.private_info, CONFIRMATION, STOCKS.private_info):
        assert escape(secret) not in seen
    other = isite.sign_up("mallory")
    r = other.get(target)
    assert r.status_code == 404 and STOCKS.preview not in r.text
