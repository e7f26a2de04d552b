"""The offer form says an offer in doubt may be quoted to fact-checkers, and lets its seller
refuse (issue 10): ticked, the offer is stored as not quotable; the box is kept on an error."""

from __future__ import annotations

from tests.support.web import Site, post_context


def test_the_offer_form_offers_to_refuse_quotation_and_keeps_the_choice(site: Site) -> None:
    buyer = site.sign_up("alice")
    site.credit("alice", 10_000)
    seller = site.sign_up("carol", buyer=False, seller=True)
    context_id = post_context(buyer)
    page = f"/contexts/{context_id}"
    form = seller.get(page).text
    assert "may be quoted to fact-checkers" in form and 'name="no_quotation"' in form
    bad = {"preview": "p", "private_info": "x", "price": "-1", "no_quotation": "on"}
    r = seller.submit(page, f"{page}/offers", bad)
    assert r.status_code == 422
    box = r.text.split('name="no_quotation"')[1].split(">")[0]
    assert "checked" in box  # the seller's refusal is kept with the rest of the form
    assert "checked" not in seller.get(page).text.split('name="no_quotation"')[1].split(">")[0]
    for private, ticked in (("refused", True), ("allowed", False)):
        data = {"preview": private, "private_info": private, "price": "1"}
        data |= {"no_quotation": "on"} if ticked else {}
        assert seller.submit(page, f"{page}/offers", data).status_code == 303
    quotable = {o.preview: o.quotable for o in site.bazaar.offers(None, context_id)}
    assert quotable == {"refused": False, "allowed": True}
