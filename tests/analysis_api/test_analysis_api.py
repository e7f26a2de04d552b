"""The alignment analyses over real HTTP: the same reports as the commands, and clear 4xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tests.support.api import Api
from tests.support.people import CHEAP_HASHER
from volition.bazaar.api import ApiSettings
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.domain import Bazaar, MemoryStore
from volition.bazaar.platform import assemble
from volition.bazaar.server import build_app
from volition.games import alignment_report, load_game

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "volition" / "examples"


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    bazaar = Bazaar(MemoryStore(), hasher=CHEAP_HASHER)
    app = build_app(assemble(bazaar), ApiSettings(expiry_sweep_seconds=0))
    with serve_in_thread(app) as url:
        api = Api(url)
        yield api.sign_up("analyst")
        api.close()


def _example(name: str) -> dict:
    return yaml.safe_load((EXAMPLES / name).read_text())


def test_align_over_http_is_the_report_of_the_command(client: httpx.Client) -> None:
    body = {"game": _example("game_prisoners_dilemma.yaml"), "principal": [1, 0]}
    r = client.post("/api/analysis/align", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    expected = alignment_report(load_game(EXAMPLES / "game_prisoners_dilemma.yaml"), [1, 0])
    assert out["price_of_anarchy"] == pytest.approx(expected.to_json()["price_of_anarchy"])
    (eq,) = out["equilibria"]
    assert eq["strongly_pareto"] is False  # defection is not Pareto-optimal: misaligned
    assert eq["principal_loss"] > 0


def test_economy_and_failures_over_http(client: httpx.Client) -> None:
    r = client.post(
        "/api/analysis/economy",
        json={"economy": _example("economy_exchange.yaml"), "shares": [1, 1, 1]},
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["first_welfare_theorem"]["pareto_optimal"] is True
    assert out["second_welfare_theorem"]["reproduces"] is True
    assert client.get("/api/analysis/failures").json() == [
        "lemons", "externality", "tragedy-of-power", "hitchhiker",
    ]  # fmt: skip
    lemons = client.get("/api/analysis/failures/lemons").json()
    assert lemons["qualities_traded"] == [1.0]
    power = client.get("/api/analysis/failures/tragedy-of-power").json()
    assert power["pareto_improvement"] is True


def _inline_market(name: str) -> dict:
    market = _example(name)
    if isinstance(market["world"], str):
        market["world"] = _example(market["world"])
    return market


def test_markets_and_oversight_over_http(client: httpx.Client) -> None:
    market = _inline_market("fact_checking_market.yaml")
    rip = client.post("/api/analysis/market", json={"market": market, "depth": 2}).json()
    compared = client.post(
        "/api/analysis/market", json={"market": market, "depth": 2, "compare": True}
    ).json()
    assert rip["protocol"] == "rip" and rip["outcomes"]
    assert compared["protocols"]["rip"]["expected_utility"] == pytest.approx(
        rip["expected_utility"]
    )
    assert compared["protocols"]["ip"]["expected_utility"] <= rip["expected_utility"] + 1e-12
    refutation = _inline_market("cheap_refutation.yaml")
    out = client.post("/api/analysis/oversight", json={"market": refutation}).json()
    assert out["expected_equilibrium_value"] < out["expected_ideal_value"]


def test_the_api_reads_no_files(client: httpx.Client) -> None:
    market = _example("fact_checking_market.yaml")
    market["world"] = "/etc/passwd"
    r = client.post("/api/analysis/market", json={"market": market})
    assert r.status_code == 422 and "inline" in r.text


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/api/analysis/align", {"game": {"players": ["a"]}}, "game"),
        ("/api/analysis/align", {"game": _example("game_prisoners_dilemma.yaml"),
                                 "principal": [1, 0, 0]}, "weight"),
        ("/api/analysis/economy", {"economy": {"goods": ["x"], "agents": []}},
         "at least one agent"),
    ],
)  # fmt: skip
def test_bad_input_is_a_4xx_with_the_same_words(client, path, body, message) -> None:
    r = client.post(path, json=body)
    assert 400 <= r.status_code < 500, r.text
    assert message in r.text
    missing = client.get("/api/analysis/failures/tragedy")
    assert missing.status_code == 404 and "choose one of" in missing.text
