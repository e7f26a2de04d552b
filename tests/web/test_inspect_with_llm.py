"""The context page offers the buyer's own LLM once she has stored an endpoint, and the
inspection runs on it: her key goes to her endpoint only, and the page reads like the offline
buyer's. The model is a scripted OpenAI-compatible server on loopback."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.bazaar.conftest import CHEAP_HASHER
from tests.web.conftest import WebClient
from volition.agents.scripted_server import ScriptedOpenAIServer
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.bot_dispatch import bot_service_for
from volition.bazaar.demo import DEMO_LOGINS, seed_demo
from volition.bazaar.domain import Bazaar, audit
from volition.bazaar.platform import DEMO_LIMITS
from volition.bazaar.storage import SqlStore
from volition.cli.bazaar import build_app


@dataclass
class Demo:
    url: str
    bazaar: Bazaar


@pytest.fixture
def demo(sqlite_template: Path, tmp_path: Path) -> Iterator[Demo]:
    path = tmp_path / "volition.db"
    shutil.copy(sqlite_template, path)
    store = SqlStore.open(f"sqlite:///{path}", migrate=False)
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    seed_demo(bazaar)
    try:
        with serve_in_thread(build_app(bazaar, store, limits=DEMO_LIMITS)) as url:
            yield Demo(url, bazaar)
    finally:
        store.close()


def _buy_the_first_offer(request: dict[str, Any]) -> str:
    prompt = request["messages"][-1]["content"]
    return json.dumps({"action": "buy", "buy": re.findall(r"off_[0-9a-f]{20}", prompt)[:1]})


def test_the_buyer_inspects_with_her_own_llm_from_the_context_page(demo: Demo) -> None:
    login = next(x for x in DEMO_LOGINS if x.name == "alice")
    alice_id = demo.bazaar.find_user("alice").id
    [rain] = [c for c in demo.bazaar.contexts(alice_id, mine=True) if "rain" in c.query]
    with (
        ScriptedOpenAIServer(responder=_buy_the_first_offer) as model,
        WebClient(base_url=demo.url, timeout=10) as alice,
    ):
        signed_in = alice.submit(
            "/signin", "/signin", {"name": login.name, "password": login.password}
        )
        assert signed_in.status_code == 303
        page = alice.get(f"/contexts/{rain.id}").text
        assert "Inspect with the offline buyer" in page and "Inspect with my LLM" not in page

        bot_service_for(demo.bazaar).set_credential(  # the server's key file: it decrypts
            alice_id, base_url=model.base_url, model="scripted", api_key="sk-alice"
        )
        page = alice.get(f"/contexts/{rain.id}").text
        assert f"Inspect with my LLM (scripted at {model.base_url})" in page
        assert "sk-alice" not in page

        r = alice.submit(f"/contexts/{rain.id}", f"/contexts/{rain.id}/inspect", {"agent": "llm"})
        assert r.status_code == 303, r.text
        target = r.headers["location"]
        deadline = time.monotonic() + 30
        while 'data-status="done"' not in alice.get(f"{target}/live").text:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        html = alice.get(target).text
        assert "<dt>Buyer agent</dt><dd>llm</dd>" in html
        assert html.count('data-testid="purchase"') == 1
        assert model.authorizations == ["Bearer sk-alice"]
        assert "sk-alice" not in html
    assert audit(demo.bazaar.store) == []
