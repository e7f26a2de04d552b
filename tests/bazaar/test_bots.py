"""Stored bot sellers, told as stories; run on every store (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from tests.support.bazaar import FACT, Cast, fixed_bot, rain
from tests.support.people import FakeClock
from volition.agents.scripted_server import Reply, ScriptedOpenAIServer
from volition.bazaar.bot_dispatch import BotDispatcher
from volition.bazaar.domain import (
    Bazaar,
    BotKind,
    BotService,
    ContextSpec,
    JobStatus,
    audit,
)
from volition.bazaar.domain.bot_service import MAX_BOTS_PER_OWNER
from volition.bazaar.errors import Conflict, Forbidden, NotFound
from volition.bazaar.inspection.runner import InspectionRunner
from volition.bazaar.platform import assemble
from volition.bazaar.secretbox import SecretBox, new_key
from volition.errors import InputError


@pytest.fixture
def service(bazaar: Bazaar) -> BotService:
    return BotService(bazaar, SecretBox(new_key()))


@pytest.fixture
def dispatcher(bazaar: Bazaar, service: BotService) -> BotDispatcher:
    return BotDispatcher(bazaar, service)


def test_a_matching_bot_offers_once_per_context_as_its_owner(
    bazaar: Bazaar, cast: Cast, service: BotService, dispatcher: BotDispatcher
) -> None:
    bot = fixed_bot(service, cast.seller.id, keywords=["rain"])
    ctx = rain(bazaar, cast)
    assert dispatcher.run_due() == 1
    assert dispatcher.run_due() == 0
    assert dispatcher.solicit(ctx) == 0
    [offer] = bazaar.offers(cast.seller.id, ctx.id)
    assert offer.seller_id == cast.seller.id
    assert offer.private_info == "It is accurate."  # the owner reads the bot's offer
    assert bazaar.offer(cast.buyer.id, offer.id).private_info is None
    [job] = service.jobs(cast.seller.id, bot)
    assert (job.status, job.offer_id, job.attempts) == (JobStatus.DONE, offer.id, 1)
    bazaar.buy_blind(cast.buyer.id, offer.id)
    assert bazaar.balances(cast.seller.id).earnings == 40  # the owner is paid
    assert audit(bazaar.store) == []


def test_paused_non_matching_and_own_context_bots_stay_silent(
    bazaar: Bazaar, cast: Cast, service: BotService, dispatcher: BotDispatcher
) -> None:
    paused = fixed_bot(service, cast.seller.id)
    service.set_active(cast.seller.id, paused, False)
    fixed_bot(service, cast.seller.id, keywords=["laptop"])
    fixed_bot(service, cast.seller.id, min_budget=501)
    fixed_bot(service, cast.seller.id, min_priority=0.9)
    fixed_bot(service, cast.other_seller.id, name="own", keywords=["snow"])  # only dave's own
    fixed_bot(service, cast.other_seller.id, name="rich", min_purchase_rate=0.6)
    fixed_bot(service, cast.other_seller.id, name="young", max_age=timedelta(seconds=5))
    ctx = rain(bazaar, cast)
    mine = bazaar.post_context(cast.other_seller.id, ContextSpec("Will it rain or snow?", 100))
    clock = bazaar.clock
    assert isinstance(clock, FakeClock)
    clock.advance(10)
    assert dispatcher.run_due() == 0
    assert dispatcher.solicit(ctx) == 0 and dispatcher.solicit(mine) == 0
    assert bazaar.offers(cast.buyer.id, ctx.id) == []
    assert bazaar.offers(cast.other_seller.id, mine.id) == []
    service.set_active(cast.seller.id, paused, True)
    assert dispatcher.run_due() == 2  # resumed: it answers both contexts now, once each
    assert dispatcher.run_due() == 0


def test_a_bot_offers_at_most_once_when_passes_and_solicits_race(
    bazaar: Bazaar, cast: Cast, service: BotService
) -> None:
    bots = [fixed_bot(service, cast.seller.id, name=f"b{i}") for i in range(3)]
    ctx = rain(bazaar, cast, 1_000)
    start = threading.Barrier(6)
    posted: list[int] = []

    def work(i: int) -> None:
        dispatcher = BotDispatcher(bazaar, service)  # one per "process"
        start.wait()
        posted.append(dispatcher.run_due() if i % 2 else dispatcher.solicit(ctx))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(posted) == 3
    offers = bazaar.offers(cast.seller.id, ctx.id)
    assert len(offers) == 3
    for bot in bots:
        [job] = service.jobs(cast.seller.id, bot)
        assert job.status is JobStatus.DONE and job.attempts == 1


def test_bots_answer_follow_ups_that_name_their_owner(
    bazaar: Bazaar, cast: Cast, service: BotService, dispatcher: BotDispatcher
) -> None:
    fixed_bot(service, cast.seller.id, keywords=["accurate"], name="checker")
    fixed_bot(service, cast.other_seller.id, keywords=["accurate"], name="self-checker")
    ctx = rain(bazaar, cast, 1_000)
    offer = bazaar.post_offer(
        cast.other_seller.id, ctx.id, preview="my knee", private_info="rain", price=100
    )
    unnamed = bazaar.post_context(
        cast.buyer.id, ContextSpec("Is this accurate: my knee", 100, parent_offer_ids=(offer.id,))
    )
    assert dispatcher.solicit(unnamed) == 0  # carol cannot see it
    named = bazaar.post_context(
        cast.buyer.id,
        ContextSpec(
            "Is this accurate: my knee",
            100,
            parent_offer_ids=(offer.id,),
            named_sellers=("carol", "dave"),
        ),
    )
    assert set(dispatcher.seller_ids()) == {cast.seller.id, cast.other_seller.id}
    assert dispatcher.run_due() == 1  # carol's checker; dave's bot does not vouch for dave
    [check] = bazaar.offers(cast.buyer.id, named.id)
    assert check.seller_id == cast.seller.id
    assert bazaar.offers(cast.buyer.id, unnamed.id) == []


def test_a_dead_worker_s_job_is_finished_without_a_second_offer(
    bazaar: Bazaar, cast: Cast, service: BotService, clock: FakeClock
) -> None:
    bot_id = fixed_bot(service, cast.seller.id)
    ctx = rain(bazaar, cast)
    first = BotDispatcher(bazaar, service, lease=timedelta(seconds=60))
    bot = service.bot(cast.seller.id, bot_id)
    job = first.jobs.claim(bot, ctx.id, first.lease, first.max_attempts)
    assert job is not None and job.status is JobStatus.RUNNING
    # the first worker posts, then dies before recording the job as done
    offer = bazaar.post_offer(
        cast.seller.id, ctx.id, idempotency_key=f"bot:{bot_id}:{ctx.id}", **FACT
    )  # type: ignore[arg-type]
    second = BotDispatcher(bazaar, service, lease=timedelta(seconds=60))
    assert second.run_due() == 0  # the lease still holds
    clock.advance(61)
    assert second.run_due() == 0
    [job] = service.jobs(cast.seller.id, bot_id)
    assert (job.status, job.offer_id, job.attempts) == (JobStatus.DONE, offer.id, 2)
    assert len(bazaar.offers(cast.seller.id, ctx.id)) == 1


def test_an_llm_bot_offers_through_the_scripted_endpoint_with_its_owners_key(
    bazaar: Bazaar, cast: Cast, service: BotService, dispatcher: BotDispatcher
) -> None:
    answer = '{"offer": true, "preview": "radar", "private_info": "rain at 14:00", "price": 900}'
    with ScriptedOpenAIServer([answer]) as server:
        service.set_credential(
            cast.seller.id, base_url=server.base_url, model="m1", api_key="sk-owner-key-1234"
        )
        service.create_bot(
            cast.seller.id, name="llm", kind="llm", price=120, instructions="I watch radar."
        )
        ctx = rain(bazaar, cast)
        assert dispatcher.run_due() == 1
        assert server.authorizations == ["Bearer sk-owner-key-1234"]
        assert server.requests[0]["model"] == "m1"
        prompt = str(server.requests[0]["messages"])
        assert "I watch radar." in prompt and "Will it rain in Oslo?" in prompt
    [offer] = bazaar.offers(cast.seller.id, ctx.id)
    assert (offer.preview, offer.private_info, offer.price) == ("radar", "rain at 14:00", 120)


def test_a_failing_llm_bot_does_not_stop_the_others_and_gives_up_after_its_attempts(
    bazaar: Bazaar, cast: Cast, service: BotService, clock: FakeClock
) -> None:
    dispatcher = BotDispatcher(bazaar, service, max_attempts=2, retry_after=timedelta(seconds=5))
    with ScriptedOpenAIServer([Reply(status=500), "not json at all"]) as server:
        llm = service.create_bot(
            cast.seller.id,
            name="llm",
            kind="llm",
            price=50,
            instructions="x",
            base_url=server.base_url,
        )
        fixed_bot(service, cast.other_seller.id)
        ctx = rain(bazaar, cast)
        assert dispatcher.run_due() == 1  # the fixed bot's offer
        [job] = service.jobs(cast.seller.id, llm.id)
        assert job.status is JobStatus.PENDING and "HTTP 500" in (job.error or "")
        assert dispatcher.run_due() == 0  # not before retry_after
        clock.advance(6)
        assert dispatcher.run_due() == 0
        [job] = service.jobs(cast.seller.id, llm.id)
        assert (job.status, job.attempts) == (JobStatus.FAILED, 2)
        assert "JSON" in (job.error or "")
        clock.advance(60)
        assert dispatcher.run_due() == 0
        assert len(server.requests) == 2
    assert [o.seller_id for o in bazaar.offers(cast.buyer.id, ctx.id)] == [cast.other_seller.id]


def test_bots_belong_to_their_owner(bazaar: Bazaar, cast: Cast, service: BotService) -> None:
    bot = fixed_bot(service, cast.seller.id)
    with pytest.raises(Forbidden, match="only sellers"):
        fixed_bot(service, cast.buyer.id)
    for stranger in (cast.other_seller.id, cast.operator.id):
        with pytest.raises(NotFound):
            service.bot(stranger, bot)
        with pytest.raises(NotFound):
            service.set_active(stranger, bot, False)
        with pytest.raises(NotFound):
            service.delete_bot(stranger, bot)
    with pytest.raises(Forbidden, match="operator"):
        service.bots(cast.seller.id, everyone=True)
    assert [b.id for b in service.bots(cast.operator.id, everyone=True)] == [bot]
    assert service.bot(cast.seller.id, bot).active
    service.delete_bot(cast.seller.id, bot)
    assert service.bots(cast.seller.id) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"price": -1}, "price"),
        ({"price": 1.5}, "price"),
        ({"name": ""}, "name"),
        ({"kind": "oracle"}, "kind"),
        ({"private_info": ""}, "private info"),
        ({"preview": "p" * 2_001}, "preview"),
        ({"min_priority": 2}, "priority"),
        ({"min_purchase_rate": -0.1}, "purchase rate"),
        ({"min_budget": -5}, "minimum budget"),
        ({"max_age": timedelta(0)}, "age"),
        ({"keywords": ["ok", ""]}, "keyword"),
        ({"owner_id": "x"}, "no field"),
        ({"kind": "llm", "instructions": ""}, "instructions"),
        ({"kind": "llm", "instructions": "x", "base_url": "ftp://x"}, "http"),
    ],
)
def test_bad_bots_are_refused_and_change_nothing(
    bazaar: Bazaar, cast: Cast, service: BotService, fields: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        fixed_bot(service, cast.seller.id, **fields)
    assert service.bots(cast.seller.id) == []
    bot = fixed_bot(service, cast.seller.id)
    editable = {k: v for k, v in fields.items() if k not in ("kind", "owner_id")}
    if editable and "instructions" not in editable and "base_url" not in editable:
        with pytest.raises(InputError):
            service.update_bot(cast.seller.id, bot, editable)
    assert service.bot(cast.seller.id, bot).price == FACT["price"]
    assert service.bot(cast.seller.id, bot).name == "facts"


def test_an_llm_bot_needs_an_endpoint(bazaar: Bazaar, cast: Cast, service: BotService) -> None:
    with pytest.raises(Conflict, match="needs an endpoint"):
        service.create_bot(cast.seller.id, name="llm", kind=BotKind.LLM, price=5, instructions="x")
    assert service.bots(cast.seller.id) == []


def test_the_runner_answers_a_posted_context_in_the_background(bazaar: Bazaar, cast: Cast) -> None:
    """The platform's runner (``volition serve``'s thread, ``volition worker``'s loop) runs the
    bots' job pass, woken by the posted context long before its interval."""
    platform = assemble(bazaar)
    fixed_bot(platform.bots, cast.seller.id, keywords=["rain"])
    runner = InspectionRunner(platform.engine, interval=30.0, extra_work=platform.work)
    runner.start()
    try:
        ctx = rain(bazaar, cast)  # the event wakes the runner long before its interval
        deadline = time.monotonic() + 20
        while not bazaar.offers(cast.seller.id, ctx.id) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        runner.stop()
    assert len(bazaar.offers(cast.seller.id, ctx.id)) == 1
    assert runner.passes >= 1


def test_an_owner_has_at_most_fifty_bots(bazaar: Bazaar, cast: Cast, service: BotService) -> None:
    for i in range(MAX_BOTS_PER_OWNER):
        fixed_bot(service, cast.seller.id, name=f"b{i}")
    with pytest.raises(Conflict, match="the most allowed"):
        fixed_bot(service, cast.seller.id)
    assert len(service.bots(cast.seller.id)) == MAX_BOTS_PER_OWNER
    fixed_bot(service, cast.other_seller.id)  # another owner's count is their own
