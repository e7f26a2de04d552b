"""The bazaar tells its listeners what was committed, and only that; run on every store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.bazaar import Cast
from tests.support.people import FakeClock
from volition.bazaar.domain import Bazaar, ContextSpec, Event, EventKind
from volition.errors import PriceError


def test_listeners_hear_committed_posts_and_closings(
    bazaar: Bazaar, cast: Cast, clock: FakeClock
) -> None:
    heard: list[Event] = []
    bazaar.subscribe(heard.append)
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("q", budget=800), idempotency_key="k")
    assert bazaar.post_context(cast.buyer.id, ContextSpec("q", budget=800), idempotency_key="k")
    offer = bazaar.post_offer(cast.seller.id, ctx.id, preview="p", private_info="s", price=1)
    with pytest.raises(PriceError):  # refused: nothing committed, nothing told
        bazaar.post_offer(cast.seller.id, ctx.id, preview="p", private_info="s", price=-1)
    bazaar.decide_context(cast.buyer.id, ctx.id)
    later = bazaar.post_context(
        cast.buyer.id, ContextSpec("q2", budget=1, expires_at=clock.now + timedelta(hours=1))
    )
    clock.advance(7200)
    bazaar.expire_due()
    assert heard == [
        Event(EventKind.CONTEXT_POSTED, ctx.id),  # the replayed post is not told twice
        Event(EventKind.OFFER_POSTED, ctx.id, offer.id),
        Event(EventKind.CONTEXT_CLOSED, ctx.id),
        Event(EventKind.CONTEXT_POSTED, later.id),
        Event(EventKind.CONTEXT_CLOSED, later.id),
    ]


def test_a_failing_listener_neither_undoes_nor_blocks_the_change(
    bazaar: Bazaar, cast: Cast
) -> None:
    heard: list[Event] = []

    def broken(event: Event) -> None:
        raise RuntimeError("listener bug")

    bazaar.subscribe(broken)
    bazaar.subscribe(heard.append)
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("q", budget=800))
    assert bazaar.context(cast.buyer.id, ctx.id).budget == 800
    assert heard == [Event(EventKind.CONTEXT_POSTED, ctx.id)]
    bazaar.unsubscribe(broken)
    bazaar.cancel_context(cast.buyer.id, ctx.id)
    assert heard[-1] == Event(EventKind.CONTEXT_CLOSED, ctx.id)
