"""What a hostile seller's own LLM endpoint receives when its bot is asked to answer
(``follow_ups.sellers_view``, used by the stored bots' dispatcher through ``BotJobs`` and by a
fixed pool of bots): a real OpenAI-protocol server the seller controls records every request.

Ann's inspector reads two offers and follows up about sol's one, quoting the private info of
sam's sibling offer in its query and naming mallory, whose bot answers. Whatever the path, no
private info that mallory did not sell reaches mallory's endpoint: the query only if every
offer its writer read allows quotation, else the withheld notice; the budget shown is what is
left of the follow-up's reservation, never more. On every store (memory, SQLite, PostgreSQL).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.support.people import CHEAP_HASHER, PASSWORD
from volition.agents import Endpoint, LLMSeller
from volition.agents.scripted_server import ScriptedOpenAIServer
from volition.bazaar.bot_dispatch import BotDispatcher
from volition.bazaar.domain import Bazaar, BotService, ContextSpec, Store
from volition.bazaar.domain.follow_ups import WITHHELD_QUERY
from volition.bazaar.domain.settings import BazaarSettings
from volition.bazaar.inspection.bots import Bot, BotPool
from volition.bazaar.secretbox import SecretBox, new_key

SOL_SECRET = "SECRET-sol-reservoir-12"
SAM_SECRET = "SECRET-sam-radar-storm"
QUOTE = f"Is the reservoir low? Sam says {SAM_SECRET}."
ANSWER = '{"offer": true, "preview": "my guess", "private_info": "a guess", "price": 5}'


@pytest.fixture
def endpoint() -> Iterator[ScriptedOpenAIServer]:
    with ScriptedOpenAIServer(responder=lambda _body: ANSWER) as server:
        yield server


def _story(store: Store, sam_quotable: bool) -> tuple[Bazaar, str, str]:
    """Ann's context, two inspected offers, her inspector's follow-up quoting sam's secret."""
    bazaar = Bazaar(store, hasher=CHEAP_HASHER, settings=BazaarSettings(starting_grant=10_000))
    ann = bazaar.register("ann", PASSWORD).id
    sol, sam, _ = (
        bazaar.register(n, PASSWORD, buyer=False, seller=True).id for n in ("sol", "sam", "mallory")
    )
    root = bazaar.post_context(ann, ContextSpec("Should I water the garden?", 1_000))
    a = bazaar.post_offer(sol, root.id, preview="Reservoir", private_info=SOL_SECRET, price=50)
    b = bazaar.post_offer(
        sam, root.id, preview="Radar", private_info=SAM_SECRET, price=30, quotable=sam_quotable
    )
    for offer in (a, b):
        bazaar.mark_inspected(ann, offer.id)
    spec = ContextSpec(
        QUOTE, 200, named_sellers=("mallory",), parent_offer_ids=(a.id,), by_inspector=True
    )
    child = bazaar.post_context(ann, spec)
    bazaar.charge_inspection(ann, child.id, 37, idempotency_key="k")  # part of it spent
    return bazaar, root.id, child.id


def _received(server: ScriptedOpenAIServer) -> str:
    return json.dumps(server.requests)


@pytest.mark.parametrize("path", ["stored bot", "fixed pool"])
@pytest.mark.parametrize("sam_quotable", [False, True])
def test_a_hostile_sellers_endpoint_gets_no_private_info_it_did_not_sell(
    store: Store, endpoint: ScriptedOpenAIServer, path: str, sam_quotable: bool
) -> None:
    bazaar, root, child = _story(store, sam_quotable)
    mallory = bazaar.find_user("mallory").id
    if path == "stored bot":
        service = BotService(bazaar, SecretBox(new_key()))
        service.create_bot(
            mallory, name="m", kind="llm", price=100, instructions="x", base_url=endpoint.base_url
        )
        BotDispatcher(bazaar, service).run_due()  # every open context it may answer
    else:
        agent = LLMSeller(Endpoint(endpoint.base_url, "m"), "x", name="m")
        pool = BotPool(bazaar, [Bot(mallory, agent)])
        for context_id in (root, child):
            pool.solicit(bazaar.stored(context_id))  # type: ignore[arg-type]
    received = _received(endpoint)
    assert "Sam says" in received or WITHHELD_QUERY in received  # it was asked the follow-up
    assert SOL_SECRET not in received  # read by the inspector, never quoted, never sold
    if sam_quotable:  # sam allowed quotation: the query reaches the sellers asked
        assert QUOTE in received
    else:
        assert SAM_SECRET not in received and "Sam says" not in received
        assert WITHHELD_QUERY in received
    # mallory's offers went in; mallory reads only her own private info
    offers = bazaar.offers(mallory, child)
    assert [o.private_info for o in offers if o.seller_id == mallory] == ["a guess"]
    assert all(o.private_info is None for o in offers if o.seller_id != mallory)


def test_the_stored_bot_is_shown_what_is_left_of_the_budget_not_more(
    store: Store, endpoint: ScriptedOpenAIServer
) -> None:
    bazaar, _, child = _story(store, sam_quotable=True)
    mallory = bazaar.find_user("mallory").id
    service = BotService(bazaar, SecretBox(new_key()))
    service.create_bot(
        mallory, name="m", kind="llm", price=500, instructions="x", base_url=endpoint.base_url
    )
    BotDispatcher(bazaar, service).solicit(bazaar.stored(child))  # type: ignore[arg-type]
    [request] = [r for r in endpoint.requests if "Sam says" in json.dumps(r)]
    shown = json.dumps(request)
    left = bazaar.remaining(child)
    assert left == 200 - 37
    assert str(left) in shown and "200" not in shown.replace(str(left), "")
