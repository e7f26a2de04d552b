"""``volition bot-add-bayesian``: a bayesian bot from a market file, its world sent inline."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

import pytest

from tests.support.bazaar import ApiWorld
from tests.support.databases import SQL_KINDS
from tests.support.people import PASSWORD
from volition.bazaar.domain import BotKind, BotService
from volition.cli import run


@pytest.mark.parametrize("store_factory", SQL_KINDS[:1], indirect=True)
def test_bot_add_bayesian_reads_a_market_file(
    w: ApiWorld,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VOLITION_PASSWORD", PASSWORD)
    args = ["--user", "carol", "--url", w.api.base_url]
    with as_file(files("volition").joinpath("examples", "fact_checking_market.yaml")) as path:
        market = ["--market", str(path)]
        assert run(["bot-add-bayesian", "checker", *args, *market, "--offer", "o2",
                    "--state", "i11_E", "--cents-per-unit", "300"]) == 0  # fmt: skip
        assert "sells o2 at level 1 for 3 cents" in capsys.readouterr().out
        assert run(["bot-add-bayesian", "bad", *args, *market, "--offer", "o9",
                    "--state", "i11_E"]) == 2  # fmt: skip
        assert "no offer 'o9'" in capsys.readouterr().err
    carol = w.bazaar.find_user("carol")
    [bot] = BotService(w.bazaar).bots(carol.id)
    assert (bot.kind, bot.market_offer, bot.price, bot.cents_per_unit) == (
        BotKind.BAYESIAN,
        "o2",
        3,
        300,
    )
    assert bot.market is not None and '"I2"' in bot.market  # the world went inline
    lost = tmp_path / "market.yaml"
    lost.write_text("world: nowhere.yaml\nlevels: []\n")
    assert run(["bot-add-bayesian", "lost", *args, "--market", str(lost), "--offer", "o1",
                "--state", "s0"]) == 2  # fmt: skip
    assert "world file 'nowhere.yaml' not found" in capsys.readouterr().err
    assert len(BotService(w.bazaar).bots(carol.id)) == 1
