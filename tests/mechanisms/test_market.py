"""The market model and market files: validation at the boundary, with clear messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.mechanisms.helpers import EXAMPLES, example_market

from volition.errors import (
    FileFormatError,
    InputError,
    PriceError,
    ProbabilityError,
    UnknownNameError,
)
from volition.mechanisms import Market, Offer, Scenario, load_market


def test_example_market_loads_world_by_relative_path() -> None:
    market = example_market("fact_checking_market.yaml")
    assert market.n_levels == 2
    assert [o.id for o in market.levels[1]] == ["o2"]
    assert market.offer("o2").level == 1
    assert market.sellers == ("seller1", "seller2")
    assert [s.probability for s in market.scenarios] == [0.5, 0.5]
    assert market.menu(market.scenarios[0], 1) == ()
    assert market.menu(market.scenarios[1], 1) == (market.offer("o2"),)


def test_default_scenario_has_every_offer(legumes: Market) -> None:
    assert len(legumes.scenarios) == 1
    assert legumes.scenarios[0].probability == 1.0
    assert legumes.scenarios[0].absent == frozenset()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "market.yaml"
    path.write_text(text)
    return path


WORLD = f"world: {EXAMPLES / 'fact_checking.yaml'}\n"


@pytest.mark.parametrize(
    ("body", "error", "words"),
    [
        (
            "levels:\n  - offers:\n      - {id: a, seller: s, reveals: [nope], price: 0}\n",
            UnknownNameError,
            "offer 'a' reveals unknown variable 'nope'",
        ),
        (
            "levels:\n  - offers:\n      - {id: a, seller: s, reveals: [I1], price: -1}\n",
            PriceError,
            "price -1.0",
        ),
        (
            "levels:\n  - offers:\n      - {id: a, seller: s, reveals: [I1]}\n"
            "      - {id: a, seller: s, reveals: [I2]}\n",
            InputError,
            "offer id 'a' is used twice",
        ),
        (
            "levels:\n  - offers:\n      - {id: a, seller: s, reveals: [I1]}\n"
            "scenarios:\n  - {p: 0.5}\n  - {p: 0.4}\n",
            ProbabilityError,
            "scenario probabilities sum to 0.9",
        ),
        (
            "levels:\n  - offers:\n      - {id: a, seller: s, reveals: [I1]}\n"
            "scenarios:\n  - {p: 1, absent: [zz]}\n",
            UnknownNameError,
            "unknown offer id 'zz'",
        ),
        (
            "levels:\n  - offers:\n      - {id: a, seller: s, reveals: [I1], colour: red}\n",
            FileFormatError,
            "colour",
        ),
    ],
)
def test_bad_market_files_fail_with_one_clear_message(
    tmp_path: Path, body: str, error: type[Exception], words: str
) -> None:
    path = _write(tmp_path, WORLD + body)
    with pytest.raises(error) as info:
        load_market(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert words in message
    assert "\n" not in message


def test_missing_world_file_names_where_it_looked(tmp_path: Path) -> None:
    path = _write(tmp_path, "world: nowhere.yaml\nlevels:\n  - offers: []\n")
    with pytest.raises(FileFormatError, match=re.escape("world file 'nowhere.yaml' not found")):
        load_market(path)


def test_inline_world(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "world:\n  states: 2\n  prior: [0.5, 0.5]\n  variables: {X: [0, 1]}\n"
        "  actions: [a, b]\n  utility: [[1, 0], [0, 1]]\n"
        "levels:\n  - offers:\n      - {id: x, seller: s, reveals: X, price: 0.1}\n",
    )
    market = load_market(path)
    assert market.offer("x").reveals == ("X",)
    assert market.offer("x").price == 0.1


def test_market_build_rejects_negative_scenario_probability(legumes: Market) -> None:
    with pytest.raises(ProbabilityError, match=re.escape("scenario 0 has probability -0.5")):
        Market.build(legumes.problem, legumes.levels, [Scenario(-0.5), Scenario(1.5)])


def test_offer_rejects_infinite_price() -> None:
    with pytest.raises(PriceError, match="finite number >= 0"):
        Offer("a", "s", ("X",), float("inf"))
