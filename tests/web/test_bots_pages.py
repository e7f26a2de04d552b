"""The bots page over real HTTP: create a fixed bot, see it answer, pause, resume, delete."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import text

from tests.support.web import Site
from volition.bazaar.bot_dispatch import BotDispatcher
from volition.bazaar.domain import BotService, ContextSpec
from volition.bazaar.secretbox import ENV_VAR, new_key
from volition.bazaar.storage import SqlStore

BOT = {
    "name": "rain checker",
    "preview": "Radar for central Oslo",
    "private_info": "bot secret: rain from 14:00",
    "price": "0.40",
    "keywords": "rain, weather",
    "min_budget": "1.00",
    "min_priority": "",
    "max_age": "",
}


def test_a_seller_creates_a_fixed_bot_that_answers_once(site: Site) -> None:
    seller = site.sign_up("carol", buyer=False, seller=True)
    assert 'href="/bots"' in seller.get("/").text  # the nav links sellers to their bots
    r = seller.submit("/bots", "/bots", BOT)
    assert r.status_code == 303 and r.headers["location"].startswith("/bots")
    page = seller.get("/bots").text
    assert "rain checker" in page and "$0.40" in page and "active" in page
    assert "rain, weather" in page
    carol = site.bazaar.find_user("carol")
    [bot] = BotService(site.bazaar).bots(carol.id)
    assert (bot.price, bot.min_budget, bot.keywords) == (40, 100, ("rain", "weather"))
    buyer = site.bazaar.register("alice", "alice-password", buyer=True)
    site.credit("alice", 1_000)
    ctx = site.bazaar.post_context(buyer.id, ContextSpec("Will it rain?", 500))
    dispatcher = BotDispatcher(site.bazaar)
    assert dispatcher.run_due() == 1 and dispatcher.run_due() == 0
    [offer] = site.bazaar.offers(carol.id, ctx.id)
    assert offer.private_info == BOT["private_info"]
    r = seller.submit("/bots", f"/bots/{bot.id}/pause", {})
    assert r.status_code == 303
    assert "paused" in seller.get("/bots").text
    assert not BotService(site.bazaar).bot(carol.id, bot.id).active
    seller.submit("/bots", f"/bots/{bot.id}/resume", {})
    assert BotService(site.bazaar).bot(carol.id, bot.id).active
    seller.submit("/bots", f"/bots/{bot.id}/delete", {})
    assert BotService(site.bazaar).bots(carol.id) == []
    assert "no bots yet" in seller.get("/bots").text


def test_bad_bot_forms_say_what_is_wrong_and_change_nothing(site: Site) -> None:
    seller = site.sign_up("carol", buyer=False, seller=True)
    carol = site.bazaar.find_user("carol")
    for field, value, words in [
        ("price", "-1", "price"),
        ("price", "lots", "amount such as 12.50"),
        ("private_info", "", "private info is empty"),
        ("name", "", "name is empty"),
        ("min_priority", "3", "priority"),
        ("max_age", "-5", "age limit"),
    ]:
        r = seller.submit("/bots", "/bots", {**BOT, field: value})
        assert r.status_code == 422, (field, r.text)
        assert words in r.text, field
        assert f'value="{BOT["preview"]}"' in r.text  # the form keeps what was typed
    assert BotService(site.bazaar).bots(carol.id) == []


def test_only_the_owner_acts_on_a_bot_and_forms_need_csrf(site: Site) -> None:
    seller = site.sign_up("carol", buyer=False, seller=True)
    seller.submit("/bots", "/bots", BOT)
    carol = site.bazaar.find_user("carol")
    [bot] = BotService(site.bazaar).bots(carol.id)
    other = site.sign_up("dave", seller=True)
    r = other.submit("/bots", f"/bots/{bot.id}/delete", {})
    assert r.status_code == 404 and "you have no bot" in r.text
    assert BOT["private_info"] not in other.get("/bots").text
    r = seller.post(f"/bots/{bot.id}/delete", data={"csrf_token": "forged"})
    assert r.status_code == 403
    r = seller.submit("/bots", f"/bots/{bot.id}/explode", {})
    assert r.status_code == 404
    buyer = site.sign_up("alice")
    r = buyer.submit("/bots", "/bots", BOT)
    assert r.status_code == 403 and "only sellers" in r.text
    assert [b.id for b in BotService(site.bazaar).bots(carol.id)] == [bot.id]
    anonymous = site.client()
    assert anonymous.get("/bots").status_code == 303


KEY = "sk-web-TOPSECRET-13579"


def test_the_llm_endpoint_form_stores_the_key_encrypted_and_shows_a_hint(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, new_key())
    seller = site.sign_up("carol", buyer=False, seller=True)
    carol = site.bazaar.find_user("carol")
    bad = {"base_url": "ftp://nope", "model": "m", "api_key": KEY}
    r = seller.submit("/bots", "/bots/llm-endpoint", bad)
    assert r.status_code == 422 and "http(s) URL" in r.text
    assert KEY not in r.text and 'value="ftp://nope"' in r.text  # the key is never echoed
    llm = {"name": "oracle", "instructions": "I know trains.", "price": "1.00", "base_url": ""}
    llm |= {"model": "", "keywords": "train", "min_budget": "", "min_priority": "", "max_age": ""}
    r = seller.submit("/bots", "/bots/llm", llm)
    assert r.status_code == 409 and "needs an endpoint" in r.text
    assert "I know trains.</textarea>" in r.text  # the LLM bot's form keeps what was typed
    good = {"base_url": "https://llm.example/v1", "model": "m1", "api_key": KEY}
    assert seller.submit("/bots", "/bots/llm-endpoint", good).status_code == 303
    page = seller.get("/bots").text
    assert "...3579" in page and "https://llm.example/v1" in page and KEY not in page
    store = site.bazaar.store
    assert isinstance(store, SqlStore)
    with store.engine.connect() as conn:
        rows = str(conn.execute(text("SELECT * FROM llm_credentials")).all())
    assert KEY not in rows and "TOPSECRET" not in rows
    assert seller.submit("/bots", "/bots/llm", llm).status_code == 303
    [bot] = BotService(site.bazaar).bots(carol.id)
    assert (bot.kind.value, bot.price, bot.instructions, bot.base_url) == (
        "llm",
        100,
        "I know trains.",
        None,
    )
    assert "oracle" in seller.get("/bots").text
    assert seller.submit("/bots", "/bots/llm-endpoint/remove", {}).status_code == 303
    assert "...3579" not in seller.get("/bots").text


def test_an_offer_a_bot_posted_is_labelled_by_the_bot_for_its_owner(site: Site) -> None:
    seller = site.sign_up("carol", buyer=False, seller=True)
    assert seller.submit("/bots", "/bots", {**BOT, "name": "forecaster"}).status_code == 303
    buyer = site.sign_up("alice")
    site.credit("alice", 1_000)
    alice = site.bazaar.find_user("alice")
    ctx = site.bazaar.post_context(alice.id, ContextSpec("Will it rain?", 500))
    assert BotDispatcher(site.bazaar).run_due() == 1
    by_hand = {"preview": "I looked outside", "private_info": "clouds", "price": "0.30"}
    page = f"/contexts/{ctx.id}"
    assert seller.submit(page, f"{page}/offers", by_hand).status_code == 303

    def labels(html: str) -> list[str]:
        return [unescape(x) for x in re.findall(r'data-testid="offered-by">(by [^<·]*?)\s*·', html)]

    assert sorted(labels(seller.get(page).text)) == ["by carol (you)", "by carol's bot forecaster"]
    # to the buyer both are simply carol's: the bot is its owner's business
    assert labels(buyer.get(page).text) == ["by carol", "by carol"]
