"""The context page offers the operator's inspectors in a select (names and prices, never
their URLs or keys), and an inspection runs on the one chosen: never on the endpoint the buyer
stored for her bots. The models are scripted OpenAI-compatible servers on loopback."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from tests.support.people import CHEAP_HASHER
from tests.support.web import WebClient
from volition.agents.scripted_server import ScriptedOpenAIServer
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.config import PlatformSettings
from volition.bazaar.demo import DEMO_LOGINS, seed_demo
from volition.bazaar.domain import Bazaar, BotService, audit
from volition.bazaar.inspectors import Inspectors
from volition.bazaar.platform import DEMO_LIMITS, assemble
from volition.bazaar.server import build_app
from volition.bazaar.storage import SqlStore


@dataclass
class Demo:
    url: str
    bazaar: Bazaar
    bots: BotService


@pytest.fixture
def model() -> Iterator[ScriptedOpenAIServer]:
    with ScriptedOpenAIServer(responder=_buy_the_first_offer) as server:
        yield server


@pytest.fixture
def demo(sqlite_template: Path, tmp_path: Path, model: ScriptedOpenAIServer) -> Iterator[Demo]:
    path = tmp_path / "volition.db"
    shutil.copy(sqlite_template, path)
    store = SqlStore.open(f"sqlite:///{path}", migrate=False)
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    seed_demo(bazaar)
    inspectors = Inspectors.parse(
        json.dumps(
            [
                {
                    "name": "house",
                    "base_url": model.base_url,
                    "model": "scripted",
                    "api_key": "sk-operator",
                    "description": "the house model",
                    "prompt_cents_per_million": 1_000,
                    "completion_cents_per_million": 2_000,
                }
            ]
        )
    )
    platform = assemble(bazaar, PlatformSettings(inspectors=inspectors), limits=DEMO_LIMITS)
    app = build_app(platform)
    try:
        with serve_in_thread(app) as url:
            yield Demo(url, bazaar, platform.bots)
    finally:
        store.close()


def _buy_the_first_offer(request: dict[str, Any]) -> str:
    prompt = request["messages"][-1]["content"]
    return json.dumps({"action": "buy", "buy": re.findall(r"off_[0-9a-f]{20}", prompt)[:1]})


def test_the_buyer_inspects_with_an_operator_inspector_from_the_context_page(
    demo: Demo, model: ScriptedOpenAIServer
) -> None:
    login = next(x for x in DEMO_LOGINS if x.name == "alice")
    alice_id = demo.bazaar.find_user("alice").id
    [rain] = [c for c in demo.bazaar.contexts(alice_id, mine=True) if "rain" in c.query]
    with (
        ScriptedOpenAIServer(responder=_buy_the_first_offer) as hers,
        WebClient(base_url=demo.url, timeout=10) as alice,
    ):
        signed_in = alice.submit(
            "/signin", "/signin", {"name": login.name, "password": login.password}
        )
        assert signed_in.status_code == 303
        demo.bots.set_credential(  # her bots' endpoint: never inspects
            alice_id, base_url=hers.base_url, model="scripted", api_key="sk-alice"
        )
        page = alice.get(f"/contexts/{rain.id}").text
        assert '<option value="offline" selected>' in page
        assert '<option value="house">house: the house model (1000' in page
        for secret in ("sk-operator", model.base_url, "sk-alice", hers.base_url):
            assert secret not in page

        r = alice.submit(
            f"/contexts/{rain.id}", f"/contexts/{rain.id}/inspect", {"inspector": "house"}
        )
        assert r.status_code == 303, r.text
        target = r.headers["location"]
        deadline = time.monotonic() + 30
        while 'data-status="done"' not in alice.get(f"{target}/live").text:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        html = alice.get(target).text
        assert "<dt>Buyer agent</dt><dd>llm</dd>" in html
        assert '<dd data-testid="inspector">house</dd>' in html
        usage = re.search(r'data-testid="inspection-cost">([^<]*)<', html)
        assert usage is not None, html
        assert re.fullmatch(
            r"\d+ agent calls? · inspector's tokens: [\d,]+, "
            r"(cost \$\d+\.\d\d \(paid from the budget\)|no cost)",
            unescape(usage[1]),
        ), usage[1]
        assert html.count('data-testid="purchase"') == 1
        assert model.authorizations and set(model.authorizations) == {"Bearer sk-operator"}
        assert hers.requests == []
        assert "sk-operator" not in html and model.base_url not in html

        refused = alice.submit(
            f"/contexts/{rain.id}", f"/contexts/{rain.id}/inspect", {"inspector": "mine"}
        )
        assert refused.status_code in (409, 422)
    assert audit(demo.bazaar.store) == []
