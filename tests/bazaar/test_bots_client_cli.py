"""Bots through the Python client and the ``volition`` command, against a live server."""

from __future__ import annotations

import pytest

from tests.support.bazaar import ApiWorld
from tests.support.databases import SQL_KINDS
from tests.support.people import PASSWORD
from volition.bazaar.client import BazaarClient
from volition.bazaar.domain import BotService, ContextSpec
from volition.bazaar.errors import Conflict, Forbidden, NotFound
from volition.bazaar.secretbox import ENV_VAR, new_key
from volition.cli import run

KEY = "sk-client-KEEPSECRET-4242"


@pytest.mark.parametrize("store_factory", SQL_KINDS[:1], indirect=True)
def test_the_client_manages_bots_and_the_llm_endpoint(
    w: ApiWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, new_key())
    with BazaarClient(w.api.base_url) as carol, BazaarClient(w.api.base_url) as root:
        carol.sign_in("carol", PASSWORD)
        root.sign_in("root", PASSWORD)
        bot = carol.create_bot(
            "checker", "fixed", 30, preview="p", private_info="s", keywords=["rain"]
        )
        assert [b.id for b in carol.bots()] == [bot.id]
        assert carol.bot(bot.id).private_info == "s"
        assert carol.pause_bot(bot.id).active is False
        assert carol.resume_bot(bot.id).active is True
        assert carol.update_bot(bot.id, price=45).price == 45
        assert carol.bot_jobs(bot.id) == []
        assert [b.id for b in root.all_bots()] == [bot.id]
        with pytest.raises(Forbidden):
            carol.all_bots()
        with pytest.raises(NotFound):
            root.bot(bot.id)
        with pytest.raises(Conflict, match="needs an endpoint"):
            carol.create_bot("llm", "llm", 10, instructions="x")
        shown = carol.set_llm("https://llm.example/v1", "m", KEY)
        assert shown.key_hint == "...4242" and carol.llm() == shown
        assert carol.create_bot("llm", "llm", 10, instructions="x").kind == "llm"
        carol.delete_llm()
        with pytest.raises(NotFound):
            carol.llm()
        carol.delete_bot(bot.id)
        assert [b.name for b in carol.bots()] == ["llm"]


@pytest.mark.parametrize("store_factory", SQL_KINDS[:1], indirect=True)
def test_the_bots_commands(
    w: ApiWorld,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = w.api.base_url
    monkeypatch.setenv("VOLITION_PASSWORD", PASSWORD)
    monkeypatch.setenv(ENV_VAR, new_key())
    monkeypatch.setenv("VOLITION_LLM_API_KEY", KEY)
    args = ["--user", "carol", "--url", url]
    assert run(["bot-add", "checker", *args, "--preview", "p", "--private-info", "s",
                "--price", "25", "--keyword", "rain"]) == 0  # fmt: skip
    carol = w.bazaar.find_user("carol")
    [bot] = BotService(w.bazaar).bots(carol.id)
    assert (bot.price, bot.keywords, bot.private_info) == (25, ("rain",), "s")
    assert run(["bots", *args, "--json"]) == 0
    assert bot.id in capsys.readouterr().out
    assert run(["bot-pause", bot.id, *args]) == 0
    assert not BotService(w.bazaar).bot(carol.id, bot.id).active
    assert run(["bot-resume", bot.id, *args]) == 0
    assert run(["llm-set", *args, "--base-url", "https://llm.example/v1", "--model", "m"]) == 0
    out = capsys.readouterr().out
    assert "...4242" in out and KEY not in out
    assert run(["bot-pause", "bot_nope", *args]) == 2
    assert "no bot" in capsys.readouterr().err
    alice = w.bazaar.find_user("alice")
    ctx = w.bazaar.post_context(alice.id, ContextSpec("Will it rain?", 100))
    database = w.bazaar.store.engine.url.render_as_string(hide_password=False)  # type: ignore[attr-defined]
    assert run(["bots-run", "--database", database]) == 0
    assert "posted 1 offer" in capsys.readouterr().out
    assert [o.seller_id for o in w.bazaar.offers(carol.id, ctx.id)] == [carol.id]
    assert run(["bot-delete", bot.id, *args]) == 0
    assert BotService(w.bazaar).bots(carol.id) == []
