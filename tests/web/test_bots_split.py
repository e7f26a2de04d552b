"""The bots pages, split: a list of the seller's bots, and a page per form (issue 11)."""

from __future__ import annotations

from tests.support.web import Site


def test_the_list_holds_no_form_to_fill_and_links_to_a_page_per_kind(site: Site) -> None:
    seller = site.sign_up("carol", buyer=False, seller=True)
    listing = seller.get("/bots").text
    assert "<textarea" not in listing and 'name="private_info"' not in listing
    for href in ("/bots/new/fixed", "/bots/new/llm", "/bots/llm-endpoint"):
        assert f'href="{href}"' in listing, href
        page = seller.get(href)
        assert page.status_code == 200, href
        assert 'href="/bots" data-testid="back-to-bots"' in page.text, href
    fixed = seller.get("/bots/new/fixed").text
    assert 'action="/bots"' in fixed and 'name="private_info"' in fixed
    assert 'action="/bots/llm"' not in fixed and 'name="api_key"' not in fixed
    llm = seller.get("/bots/new/llm").text
    assert 'action="/bots/llm"' in llm and 'name="instructions"' in llm
    assert 'name="private_info"' not in llm and 'name="api_key"' not in llm
    endpoint = seller.get("/bots/llm-endpoint").text
    assert 'name="api_key"' in endpoint and 'name="instructions"' not in endpoint


def test_an_unknown_kind_of_bot_is_a_clear_404_and_strangers_sign_in_first(site: Site) -> None:
    seller = site.sign_up("carol", buyer=False, seller=True)
    r = seller.get("/bots/new/oracle")
    assert r.status_code == 404 and "the kinds are fixed and llm" in r.text.replace("&#39;", "'")
    r = seller.get("/bots/new/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert r.status_code == 404 and "<script>alert" not in r.text  # escaped, never markup
    r = seller.get("/bots/new/" + "x" * 5_000)
    assert r.status_code == 404 and "the kinds are fixed and llm" in r.text
    anonymous = site.client()
    for path in ("/bots/new/fixed", "/bots/new/llm", "/bots/llm-endpoint"):
        r = anonymous.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/signin"), path


def test_a_failed_form_comes_back_on_its_own_page(site: Site) -> None:
    seller = site.sign_up("carol", buyer=False, seller=True)
    bad = {"name": "x", "preview": "p", "private_info": "s", "price": "lots"}
    r = seller.submit("/bots/new/fixed", "/bots", bad)
    assert r.status_code == 422 and "<h1>New fixed bot</h1>" in r.text
    assert 'name="api_key"' not in r.text
    r = seller.submit("/bots/llm-endpoint", "/bots/llm-endpoint", {"base_url": "ftp://x"})
    assert r.status_code == 422 and "<h1>Your bots' LLM endpoint</h1>" in r.text
