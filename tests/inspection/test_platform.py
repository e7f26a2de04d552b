"""The assembled platform, served: stored bots answer an inspection that recurses, and the
same flow runs with an LLM buyer on the operator's inspector (an OpenAI-compatible endpoint),
never on the buyer's own stored one."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.people import CHEAP_HASHER
from volition.agents.scripted_server import ScriptedOpenAIServer
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.client import BazaarClient
from volition.bazaar.config import PlatformSettings
from volition.bazaar.demo import DEMO_LOGINS, seed_demo
from volition.bazaar.domain import Bazaar, audit
from volition.bazaar.domain.follow_ups import FORGOTTEN_QUERY
from volition.bazaar.errors import NotFound
from volition.bazaar.inspection import InspectionEngine
from volition.bazaar.inspectors import Inspectors
from volition.bazaar.platform import BuyerAgents, assemble
from volition.bazaar.server import build_app
from volition.bazaar.storage import SqlStore
from volition.errors import InputError

LOGINS = {login.name: login.password for login in DEMO_LOGINS}


@pytest.fixture
def demo_site(tmp_path: Path) -> Iterator[tuple[str, Bazaar]]:
    """The demo, served as ``volition serve --demo`` serves it, on a fresh SQLite file."""
    store = SqlStore.open(f"sqlite:///{tmp_path / 'demo.db'}")
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    seed_demo(bazaar)
    with serve_in_thread(build_app(assemble(bazaar))) as url:
        yield url, bazaar
    store.close()


def signed_in(url: str, name: str) -> BazaarClient:
    client = BazaarClient(url)
    client.sign_in(name, LOGINS[name])
    return client


def rain_context(client: BazaarClient) -> str:
    return next(c.id for c in client.contexts(mine=True) if "rain" in c.query)


def test_the_served_demo_inspection_recurses_through_the_stored_bots(
    demo_site: tuple[str, Bazaar],
) -> None:
    url, bazaar = demo_site
    with signed_in(url, "alice") as alice:
        started = alice.start_inspection(rain_context(alice), gather_seconds=1)
        done = alice.wait_for_inspection(started.id, timeout=60, interval=0.1)
        assert done.status == "done"
        _root, *children = done.nodes
        assert [c.depth for c in children] == [1]  # it followed up once
        # the follow-up was about the knee offer, not bought: what the inspector asked there
        # (quoting it) is forgotten with it (amnesia covers what inspectors write)
        assert children[0].query == FORGOTTEN_QUERY
        assert len(children[0].bought) == 1  # the fact-checking bot's refutation
        readable = [p.offer.private_info for p in alice.purchases() if p.offer is not None]
        assert any("from 14:00" in (text or "") for text in readable)  # the radar: bought
        assert not any("knee" in (text or "") for text in readable)  # refuted: not bought
        # with_parent (the default): the refutation concerns an offer she did not buy, so
        # what it says is forgotten with it
        assert not any("Inaccurate" in (text or "") for text in readable)
    assert audit(bazaar.store) == []


def _buy_the_first_offer(request: dict[str, Any]) -> str:
    prompt = request["messages"][-1]["content"]
    return json.dumps({"action": "buy", "buy": re.findall(r"off_[0-9a-f]{20}", prompt)[:1]})


def test_an_llm_inspection_runs_on_the_operators_inspector_never_the_buyers_endpoint(
    tmp_path: Path,
) -> None:
    store = SqlStore.open(f"sqlite:///{tmp_path / 'demo.db'}")
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    seed_demo(bazaar)
    with (
        ScriptedOpenAIServer(responder=_buy_the_first_offer) as model,
        ScriptedOpenAIServer(responder=_buy_the_first_offer) as hers,
    ):
        inspectors = Inspectors.parse(
            json.dumps(
                [{"name": "house", "base_url": model.base_url, "model": "m", "api_key": "sk-op"}]
            )
        )
        with (
            serve_in_thread(
                build_app(assemble(bazaar, PlatformSettings(inspectors=inspectors)))
            ) as url,
            signed_in(url, "alice") as alice,
        ):
            assert [i.name for i in alice.inspectors()] == ["offline", "house"]
            context_id = rain_context(alice)
            alice.set_llm(hers.base_url, "scripted", "sk-alice-only")  # for her bots only
            with pytest.raises(InputError, match="operator's inspectors"):
                alice.start_inspection(context_id, agent="llm")
            started = alice.start_inspection(
                context_id, inspector="house", max_depth=0, gather_seconds=1
            )
            done = alice.wait_for_inspection(started.id, timeout=60, interval=0.1)
            assert done.status == "done" and done.agent == "llm"
            assert done.inspector == "house" and done.inspection_cost == 0  # unpriced
            assert len(done.bought) == 1 and done.usage.calls == 1
            [purchase] = alice.purchases()
            assert purchase.offer is not None
            assert purchase.offer.id in model.requests[0]["messages"][-1]["content"]
        assert model.authorizations == ["Bearer sk-op"]  # the operator's key, its endpoint
        assert hers.requests == []  # her endpoint read nothing
    assert audit(bazaar.store) == []
    store.close()


def test_the_platform_engine_uses_the_stored_bots_and_named_agents(tmp_path: Path) -> None:
    store = SqlStore.open(f"sqlite:///{tmp_path / 'p.db'}")
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    platform = assemble(bazaar)
    assert isinstance(platform.engine, InspectionEngine)
    assert platform.engine.sellers is platform.dispatcher
    assert platform.engine.agent_names == ("offline", "llm")
    assert platform.work == (platform.dispatcher.run_due,)
    agents = platform.engine.buyer
    assert isinstance(agents, BuyerAgents)
    seed_demo(bazaar)
    alice = bazaar.find_user("alice")
    assert alice.is_buyer
    with pytest.raises(InputError, match="unknown buyer agent 'gpt'"):
        agents.choose("gpt", None)
    with pytest.raises(InputError, match="operator's inspectors"):
        agents.choose("llm", None)
    assert agents.choose(None, None) == ("offline", "offline")
    assert agents.choose("offline", "offline") == ("offline", "offline")
    assert [i.name for i in agents.catalogue()] == ["offline"]
    with pytest.raises(NotFound):
        platform.bots.credential(alice.id)
    store.close()
