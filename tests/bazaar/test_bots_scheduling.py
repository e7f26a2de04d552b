"""The bots' event-driven pass: it answers the contexts it heard of and the retries that are
due, reads nothing when there is neither, and says when its next retry is due."""

from __future__ import annotations

from datetime import timedelta

from tests.support.bazaar import Cast, fixed_bot, rain
from tests.support.people import FakeClock
from volition.agents.scripted_server import Reply, ScriptedOpenAIServer
from volition.bazaar.bot_dispatch import BotDispatcher
from volition.bazaar.domain import Bazaar, BotService, JobStatus
from volition.bazaar.secretbox import SecretBox, new_key


class CountingStore:
    """Counts the transactions begun on a store."""

    def __init__(self, bazaar: Bazaar) -> None:
        self.count = 0
        real = bazaar.store.begin

        def begin(*args: object, **kwargs: object) -> object:
            self.count += 1
            return real(*args, **kwargs)  # type: ignore[arg-type]

        bazaar.store.begin = begin  # type: ignore[method-assign]


def test_the_woken_pass_answers_what_it_heard_of_and_nothing_else(
    bazaar: Bazaar, cast: Cast
) -> None:
    service = BotService(bazaar, SecretBox(new_key()))
    dispatcher = BotDispatcher(bazaar, service)
    fixed_bot(service, cast.seller.id)
    unheard = rain(bazaar, cast)  # posted before anyone listened: left to the full pass
    bazaar.subscribe(dispatcher.listen)
    heard = rain(bazaar, cast)
    counting = CountingStore(bazaar)
    assert dispatcher.run_woken() == 1
    assert counting.count > 0
    assert [o.context_id for o in bazaar.offers(cast.buyer.id, heard.id)] == [heard.id]
    assert bazaar.offers(cast.buyer.id, unheard.id) == []
    before = counting.count
    assert dispatcher.run_woken() == 0
    assert counting.count == before  # nothing heard, nothing due: not one read
    assert dispatcher.run_due() == 1  # the full pass (the safety sweep) finds the other
    assert dispatcher.next_due() is None


def test_a_retry_is_due_at_its_time_and_the_woken_pass_takes_it(
    bazaar: Bazaar, cast: Cast, clock: FakeClock
) -> None:
    service = BotService(bazaar, SecretBox(new_key()))
    dispatcher = BotDispatcher(bazaar, service, max_attempts=2, retry_after=timedelta(seconds=5))
    bazaar.subscribe(dispatcher.listen)
    answer = '{"offer": true, "preview": "radar", "private_info": "rain", "price": 30}'
    with ScriptedOpenAIServer([Reply(status=500), answer]) as server:
        llm = service.create_bot(
            cast.seller.id,
            name="llm",
            kind="llm",
            price=50,
            instructions="x",
            base_url=server.base_url,
        )
        ctx = rain(bazaar, cast)
        assert dispatcher.run_woken() == 0  # the endpoint failed: set aside for a retry
        [job] = service.jobs(cast.seller.id, llm.id)
        assert job.status is JobStatus.PENDING
        assert dispatcher.next_due() == clock() + timedelta(seconds=5)
        clock.advance(4)
        assert dispatcher.run_woken() == 0 and len(server.requests) == 1  # not yet
        clock.advance(2)
        assert dispatcher.run_woken() == 1 and len(server.requests) == 2
    assert dispatcher.next_due() is None
    assert [o.preview for o in bazaar.offers(cast.buyer.id, ctx.id)] == ["radar"]
