"""The page to post a context: follow-ups about offers, with their amnesia policy (issue 4)."""

from __future__ import annotations

from tests.support.web import Site, WebClient
from volition.bazaar.domain import RevealPolicy


def _market(site: Site) -> tuple[WebClient, str, str]:
    """A funded buyer with a context (via the page) and an offer on it; their ids."""
    buyer = site.sign_up("alice")
    site.credit("alice", 10_000)
    data = {"query": "Will it rain?", "budget": "20.00", "priority": "0.5"}
    r = buyer.submit("/contexts/new", "/contexts", data)
    assert r.status_code == 303, r.text
    context_id = r.headers["location"].split("/contexts/")[1].split("?")[0]
    site.sign_up("carol", buyer=False, seller=True)
    carol = site.bazaar.find_user("carol")
    offer = site.bazaar.post_offer(
        carol.id, context_id, preview="radar", private_info="rain at 3", price=250
    )
    return buyer, context_id, offer.id


def test_the_form_offers_both_policies_and_prefills_the_offer_asked_about(site: Site) -> None:
    buyer, _, offer_id = _market(site)
    html = buyer.get(f"/contexts/new?about={offer_id}").text
    assert 'name="reveal"' in html
    assert '<option value="with_parent" selected>' in html and '<option value="all">' in html
    assert f'name="parents" value="{offer_id}"' in html


def test_a_follow_up_posted_from_the_page_keeps_its_reveal_policy(site: Site) -> None:
    buyer, context_id, offer_id = _market(site)
    alice = site.bazaar.find_user("alice")
    page = f"/contexts/new?about={offer_id}"
    posted = {}
    for policy in ("all", "with_parent"):
        data = {"query": f"Is the radar right ({policy})?", "budget": "2.00"}
        r = buyer.submit(page, "/contexts", {**data, "parents": offer_id, "reveal": policy})
        assert r.status_code == 303, r.text
        posted[policy] = r.headers["location"].split("/contexts/")[1].split("?")[0]
    for policy, child_id in posted.items():
        child = site.bazaar.context(alice.id, child_id)
        assert child.reveal is RevealPolicy(policy)
        assert child.parent_offer_ids == (offer_id,) and child.parent_context_id == context_id
    assert site.bazaar.remaining(context_id) == 2_000 - 2 * 200  # funded by the parent


def test_a_bad_policy_is_named_on_the_page_and_posts_nothing(site: Site) -> None:
    buyer, _, offer_id = _market(site)
    alice = site.bazaar.find_user("alice")
    data = {"query": "Is the radar right?", "budget": "2.00", "parents": offer_id}
    r = buyer.submit("/contexts/new", "/contexts", {**data, "reveal": "everything"})
    assert r.status_code == 422
    assert "the reveal policy must be 'with_parent' or 'all'" in r.text.replace("&#39;", "'")
    assert "Is the radar right?" in r.text  # the form keeps what was typed
    assert len(site.bazaar.contexts(alice.id, mine=True)) == 1
