"""The bots commands sign in with --password as well as $VOLITION_PASSWORD, like inspect."""

from __future__ import annotations

import pytest

from tests.support.bazaar import ApiWorld
from tests.support.databases import SQL_KINDS
from tests.support.people import PASSWORD
from volition.bazaar.domain import BotService
from volition.cli import run


@pytest.mark.parametrize("store_factory", SQL_KINDS[:1], indirect=True)
def test_bot_add_and_bots_take_a_password_option(
    w: ApiWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("VOLITION_PASSWORD", raising=False)
    args = ["--user", "carol", "--password", PASSWORD, "--url", w.api.base_url]
    assert run(["bot-add", "checker", *args, "--preview", "p", "--private-info", "s",
                "--price", "25", "--keyword", "rain"]) == 0  # fmt: skip
    capsys.readouterr()
    assert run(["bots", *args]) == 0
    [bot] = BotService(w.bazaar).bots(w.bazaar.find_user("carol").id)
    assert bot.id in capsys.readouterr().out  # printed whole, ready for bot-pause
    assert run(["bot-pause", bot.id, *args]) == 0
    wrong = ["--user", "carol", "--password", "not it", "--url", w.api.base_url]
    assert run(["bots", *wrong]) == 2
