"""The inspection pages over plain HTTP: the Inspect form, the CSRF guard, the tree page and
its live fragment, who may see it, and bad form input (refused, nothing started)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from markupsafe import escape

from tests.support.inspection_site import (
    CONFIRMATION,
    FORECAST,
    QUERY,
    STOCKS,
    InspectionSite,
    inspection_site,
)
from tests.support.people import PASSWORD
from tests.support.web import Site, WebClient
from volition.bazaar.domain.follow_ups import FORGOTTEN_QUERY


@pytest.fixture
def isite(sqlite_template: Path, tmp_path: Path) -> Iterator[InspectionSite]:
    with inspection_site(sqlite_template, tmp_path) as s:
        yield s


def _post_context(site: Site, client: WebClient) -> str:
    data = {"query": QUERY, "budget": "10.00", "priority": "0.5"}
    r = client.submit("/contexts/new", "/contexts", data)
    assert r.status_code == 303, r.text
    return r.headers["location"].split("?")[0].rsplit("/", 1)[1]


def _inspections(site: InspectionSite, context_id: str) -> bool:
    return site.engine.repository.inspection_for_context(context_id) is not None


def test_the_buyer_inspects_from_the_context_page_and_reads_the_result(
    isite: InspectionSite,
) -> None:
    buyer = isite.sign_up("alice")
    isite.credit("alice", 10_000)
    context_id = _post_context(isite, buyer)
    page = buyer.get(f"/contexts/{context_id}").text
    assert 'data-testid="inspect"' in page and '<option value="offline" selected>' in page
    assert f'action="/contexts/{context_id}/inspect"' in page

    other = isite.sign_up("bob")
    assert 'data-testid="inspect"' not in other.get(f"/contexts/{context_id}").text
    assert 'data-testid="inspect"' not in isite.client().get(f"/contexts/{context_id}").text

    r = buyer.submit(
        f"/contexts/{context_id}", f"/contexts/{context_id}/inspect", {"policy": "all"}
    )
    assert r.status_code == 303
    target = r.headers["location"]
    assert re.fullmatch(r"/inspections/ins_\w+", target)
    inspection_id = target.rsplit("/", 1)[1]

    deadline = time.monotonic() + 30
    while 'data-status="done"' not in (live := buyer.get(f"{target}/live").text):
        assert 'hx-trigger="every 1s"' in live and f'hx-get="{target}/live"' in live
        assert time.monotonic() < deadline, live
        time.sleep(0.05)
    assert "hx-trigger" not in live  # done: the fragment stops polling
    done = buyer.get(target)
    assert done.status_code == 200
    assert "script-src 'self'" in done.headers["content-security-policy"]
    assert '<script src="/static/htmx.min.js">' in done.text
    assert 'http-equiv="refresh"' not in done.text  # done: no more reloading
    html = done.text
    assert html.count('data-testid="node"') == 2
    assert 'data-depth="1"' in html
    # the inspector read the stock tip and did not buy it, so what it wrote in its follow-up
    # (which could quote the tip) is forgotten, even under "all" (domain.follow_ups)
    assert "Is this accurate" not in html and escape(FORGOTTEN_QUERY) in html
    assert html.count('data-testid="purchase"') == 2
    assert (
        escape(FORECAST.private_info) in html and escape(CONFIRMATION) in html
    )  # bought: the buyer's
    assert escape(STOCKS.private_info) not in html  # read by the inspector, not bought: forgotten
    assert 'Spent</dt><dd data-testid="spent">$3.20' in html
    # the offline inspector used no tokens and cost nothing: said in words, not "0 tokens · $0"
    usage = re.search(r'data-testid="inspection-cost">([^<]*)<', html)
    assert usage is not None
    assert re.fullmatch(r"\d+ agent calls? · offline inspector: no tokens, no cost", usage[1])

    # the context page now links to its inspection instead of offering another
    page = buyer.get(f"/contexts/{context_id}").text
    assert f'href="/inspections/{inspection_id}"' in page
    assert f'action="/contexts/{context_id}/inspect"' not in page
    # someone else cannot see it; an anonymous visitor is sent to sign in
    assert other.get(target).status_code == 404
    assert escape(FORECAST.private_info) not in other.get(target).text
    anonymous = isite.client().get(target)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin")
    # an operator sees the tree, but not the follow-up context nor anything private
    operator = isite.client()
    r = operator.submit("/signin", "/signin", {"name": "root", "password": PASSWORD})
    assert r.status_code == 303
    seen = operator.get(target).text
    assert seen.count('data-testid="node"') == 2 and "A follow-up context you cannot see" in seen
    assert FORECAST.preview in seen and "What you bought" not in seen
    for secret in (FORECAST.private_info, CONFIRMATION, STOCKS.private_info):
        assert escape(secret) not in seen


def test_a_running_inspection_page_refreshes_itself(sqlite_template: Path, tmp_path: Path) -> None:
    with inspection_site(sqlite_template, tmp_path, min_offers=5) as site:  # waits for offers
        buyer = site.sign_up("alice")
        site.credit("alice", 10_000)
        context_id = _post_context(site, buyer)
        r = buyer.submit(f"/contexts/{context_id}", f"/contexts/{context_id}/inspect", {})
        html = buyer.get(r.headers["location"]).text
        assert 'data-status="running"' in html
        assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
        assert "Still running" in html


def test_the_inspect_form_is_guarded_and_checks_its_input(isite: InspectionSite) -> None:
    buyer = isite.sign_up("alice")
    isite.credit("alice", 10_000)
    context_id = _post_context(isite, buyer)
    action = f"/contexts/{context_id}/inspect"

    r = buyer.post(action, data={"csrf_token": "forged"})
    assert r.status_code == 403 and not _inspections(isite, context_id)
    for data, words in (
        ({"max_depth": "deep"}, "the depth must be a whole number"),
        ({"max_depth": "9"}, "max_depth is at most 3"),
        ({"max_depth": "99999999999"}, "max_depth: Input should be less than or equal to 10"),
        ({"policy": "some"}, "the policy must be"),
    ):
        r = buyer.submit(f"/contexts/{context_id}", action, data)
        assert r.status_code == 422 and words in r.text, r.text
        assert not _inspections(isite, context_id)

    other = isite.sign_up("bob")
    r = other.submit(f"/contexts/{context_id}", action, {})
    assert r.status_code == 404 and not _inspections(isite, context_id)
    r = buyer.submit(f"/contexts/{context_id}", "/contexts/ctx_nothing/inspect", {})
    assert r.status_code == 404
    buyer.submit(f"/contexts/{context_id}", f"/contexts/{context_id}/cancel", {})
    r = buyer.submit("/", action, {})
    assert r.status_code == 409 and "cancelled" in r.text
    assert not _inspections(isite, context_id)
    assert "only an open context can be" in buyer.get(f"/contexts/{context_id}").text


def test_every_site_offers_the_inspect_form_of_its_platform(site: Site) -> None:
    buyer = site.sign_up("alice")
    site.credit("alice", 10_000)
    context_id = _post_context(site, buyer)
    page = buyer.get(f"/contexts/{context_id}").text
    assert f'action="/contexts/{context_id}/inspect"' in page
    assert '<option value="offline" selected>' in page  # the platform's default inspector
    assert buyer.get("/inspections/ins_x").status_code == 404


def test_htmx_is_served_with_its_licence(site: Site) -> None:
    r = site.client().get("/static/htmx.min.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert r.text.startswith("/*! htmx 2.0.11") and "Zero-Clause BSD" in r.text[:300]
    assert "htmx" in r.text and len(r.content) > 40_000
