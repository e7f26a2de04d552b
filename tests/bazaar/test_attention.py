"""The attention auction in the domain, on every store (docs/theory.md §5, The attention auction).

Offers bid to be read: bids are held from the seller's cash at posting, only the highest bids
up to the context's attention may be read, a read offer's bid is paid to the buyer once, and
unread bids return to their sellers when withdrawn or when the context closes.
"""

from __future__ import annotations

import threading

import pytest

from tests.support.bazaar import Cast
from tests.support.people import FakeClock
from volition.bazaar.domain import Bazaar, ContextSpec, Store, audit
from volition.bazaar.domain.attention import to_read
from volition.bazaar.domain.ledger import FUNDING, bid_hold, cash
from volition.bazaar.errors import Conflict, InsufficientFunds
from volition.errors import InputError, PriceError, VolitionError

SELLER_CASH = 100


def _books(bazaar: Bazaar) -> dict[str, int]:
    with bazaar.store.begin(write=False) as uow:
        return {a.key: v for a, v in uow.ledger.balances().items()}


def _money(bazaar: Bazaar) -> int:
    """All money outside the funding source: what the operator credited, whatever happens."""
    with bazaar.store.begin(write=False) as uow:
        return sum(v for a, v in uow.ledger.balances().items() if a != FUNDING)


def _fund_seller(bazaar: Bazaar, cast: Cast, cents: int = SELLER_CASH) -> None:
    bazaar.credit(cast.operator.id, cast.seller.id, cents)


def _offer(bazaar: Bazaar, seller_id: str, context_id: str, bid: int, text: str = "x") -> str:
    return bazaar.post_offer(
        seller_id, context_id, preview=f"p {text}", private_info=f"i {text}", price=10, bid=bid
    ).id


def _read(bazaar: Bazaar, buyer_id: str, context_id: str) -> list[str]:
    """What an inspector reads now: the engine's rule (``to_read``), marked through the domain."""
    with bazaar.store.begin(write=False) as uow:
        context = uow.contexts.get(context_id)
        assert context is not None
        chosen = [o.id for o in to_read(uow.offers.for_context(context_id), context)]
    for offer_id in chosen:
        bazaar.mark_inspected(buyer_id, offer_id)
    return chosen


def test_more_offers_than_attention_the_highest_bids_are_read_and_paid_the_rest_refunded(
    bazaar: Bazaar, cast: Cast, clock: FakeClock
) -> None:
    _fund_seller(bazaar, cast)
    money = _money(bazaar)
    context = bazaar.post_context(
        cast.buyer.id, ContextSpec("which bids win?", 500, attention=2, reading_cost=5)
    )
    assert (context.attention, context.reading_cost) == (2, 5)
    bids = {}
    for bid, who in (
        (5, cast.seller),
        (30, cast.other_seller),
        (10, cast.seller),
        (30, cast.seller),
    ):
        clock.advance(1)
        bids[_offer(bazaar, who.id, context.id, bid, f"{bid}-{len(bids)}")] = (bid, who.id)
    assert bazaar.balances(cast.seller.id).cash == SELLER_CASH - 45  # held at posting
    first_30, second_30 = (o for o, (b, _) in bids.items() if b == 30)

    read = _read(bazaar, cast.buyer.id, context.id)
    assert read == [first_30, second_30]  # highest first; the earliest of equal bids first
    assert bazaar.balances(cast.buyer.id).cash == 10_000 - 500 + 60
    assert _read(bazaar, cast.buyer.id, context.id) == []  # the attention is spent
    unread = [o for o in bids if o not in read]
    for offer_id in unread:
        with pytest.raises(Conflict, match="attention"):
            bazaar.mark_inspected(cast.buyer.id, offer_id)
    bazaar.mark_inspected(cast.buyer.id, first_30)  # read again: paid once
    assert bazaar.balances(cast.buyer.id).cash == 10_000 - 500 + 60

    bazaar.decide_context(cast.buyer.id, context.id)
    assert bazaar.balances(cast.buyer.id).cash == 10_000 + 60
    assert bazaar.balances(cast.seller.id).cash == SELLER_CASH - 30  # 5 and 10 came back
    assert bazaar.balances(cast.other_seller.id).cash == 10_000 - 30
    books = _books(bazaar)
    assert all(books.get(bid_hold(o).key, 0) == 0 for o in bids)
    assert _money(bazaar) == money and audit(bazaar.store) == []


def test_without_bids_every_offer_is_read_as_before(bazaar: Bazaar, cast: Cast) -> None:
    context = bazaar.post_context(cast.buyer.id, ContextSpec("no auction", 100))
    assert (context.attention, context.reading_cost) == (None, 0)
    offers = [_offer(bazaar, cast.seller.id, context.id, 0, str(i)) for i in range(3)]
    assert sorted(_read(bazaar, cast.buyer.id, context.id)) == sorted(offers)
    assert bazaar.balances(cast.seller.id).cash == 0
    assert not [k for k in _books(bazaar) if k.startswith("bid:")]
    assert audit(bazaar.store) == []


def test_spam_below_the_reading_cost_is_refused_and_never_read(bazaar: Bazaar, cast: Cast) -> None:
    _fund_seller(bazaar, cast)
    context = bazaar.post_context(cast.buyer.id, ContextSpec("no spam", 100, reading_cost=20))
    before = _books(bazaar)
    for bid in (0, 1, 19):
        with pytest.raises(PriceError, match="reading cost of 20"):
            _offer(bazaar, cast.seller.id, context.id, bid)
    assert _books(bazaar) == before and bazaar.offers(cast.buyer.id, context.id) == []
    good = _offer(bazaar, cast.seller.id, context.id, 20)
    assert _read(bazaar, cast.buyer.id, context.id) == [good]
    assert audit(bazaar.store) == []


def test_a_bid_beyond_the_sellers_cash_is_refused_with_nothing_changed(
    bazaar: Bazaar, cast: Cast
) -> None:
    _fund_seller(bazaar, cast)
    context = bazaar.post_context(cast.buyer.id, ContextSpec("rich bidders only", 100))
    before = _books(bazaar)
    with pytest.raises(InsufficientFunds, match=r"more than your available cash \(100 cents\)"):
        _offer(bazaar, cast.seller.id, context.id, SELLER_CASH + 1)
    assert _books(bazaar) == before and bazaar.offers(cast.buyer.id, context.id) == []
    _offer(bazaar, cast.seller.id, context.id, SELLER_CASH)  # exactly all of it is fine
    assert bazaar.balances(cast.seller.id).cash == 0


@pytest.mark.parametrize("bid", [-1, True, 1.5, "5", None, 10**13])
def test_malformed_bids_are_refused(bazaar: Bazaar, cast: Cast, bid: object) -> None:
    _fund_seller(bazaar, cast)
    context = bazaar.post_context(cast.buyer.id, ContextSpec("malformed", 100))
    before = _books(bazaar)
    with pytest.raises(PriceError, match="bid"):
        _offer(bazaar, cast.seller.id, context.id, bid)  # type: ignore[arg-type]
    assert _books(bazaar) == before


@pytest.mark.parametrize(
    ("attention", "reading_cost", "message"),
    [
        (0, 0, "attention must be between 1"),
        (-3, 0, "attention must be between 1"),
        (1_001, 0, "attention must be between 1"),
        (True, 0, "whole number of offers"),
        (2.5, 0, "whole number of offers"),
        (None, -1, "reading cost must be between 0"),
        (None, 10**13, "reading cost must be between 0"),
        (None, 1.5, "whole number of cents"),
    ],
)
def test_malformed_attention_and_reading_costs_are_refused(
    bazaar: Bazaar, cast: Cast, attention: object, reading_cost: object, message: str
) -> None:
    before = _books(bazaar)
    spec = ContextSpec("bad terms", 100, attention=attention, reading_cost=reading_cost)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=message):
        bazaar.post_context(cast.buyer.id, spec)
    assert _books(bazaar) == before and bazaar.contexts(cast.buyer.id, mine=True) == []


def test_bidding_on_another_buyers_closed_context_is_refused(bazaar: Bazaar, cast: Cast) -> None:
    _fund_seller(bazaar, cast)
    context = bazaar.post_context(cast.other_buyer.id, ContextSpec("closed", 100, attention=1))
    bazaar.cancel_context(cast.other_buyer.id, context.id)
    before = _books(bazaar)
    with pytest.raises(Conflict, match="cancelled"):
        _offer(bazaar, cast.seller.id, context.id, 10)
    assert _books(bazaar) == before


def test_withdrawing_returns_the_bid_once(bazaar: Bazaar, cast: Cast) -> None:
    _fund_seller(bazaar, cast)
    context = bazaar.post_context(cast.buyer.id, ContextSpec("withdrawals", 100))
    offer_id = _offer(bazaar, cast.seller.id, context.id, 40)
    assert bazaar.balances(cast.seller.id).cash == 60
    bazaar.withdraw_offer(cast.seller.id, offer_id)
    assert bazaar.balances(cast.seller.id).cash == SELLER_CASH
    before = _books(bazaar)
    with pytest.raises(Conflict, match="already withdrawn"):
        bazaar.withdraw_offer(cast.seller.id, offer_id)
    assert _books(bazaar) == before
    assert _read(bazaar, cast.buyer.id, context.id) == []  # a withdrawn offer is never read
    bazaar.cancel_context(cast.buyer.id, context.id)
    assert bazaar.balances(cast.seller.id).cash == SELLER_CASH
    assert audit(bazaar.store) == []


def test_a_read_offer_cannot_be_withdrawn_and_keeps_its_payment(bazaar: Bazaar, cast: Cast) -> None:
    _fund_seller(bazaar, cast)
    context = bazaar.post_context(cast.buyer.id, ContextSpec("read", 100, attention=1))
    offer_id = _offer(bazaar, cast.seller.id, context.id, 25)
    assert _read(bazaar, cast.buyer.id, context.id) == [offer_id]
    with pytest.raises(Conflict, match="inspected"):
        bazaar.withdraw_offer(cast.seller.id, offer_id)
    bazaar.cancel_context(cast.buyer.id, context.id)
    assert bazaar.balances(cast.seller.id).cash == SELLER_CASH - 25
    assert bazaar.balances(cast.buyer.id).cash == 10_000 + 25
    assert audit(bazaar.store) == []


def test_a_higher_bid_arriving_after_the_attention_is_spent_is_not_read(
    bazaar: Bazaar, cast: Cast
) -> None:
    _fund_seller(bazaar, cast)
    context = bazaar.post_context(cast.buyer.id, ContextSpec("late", 100, attention=1))
    early = _offer(bazaar, cast.seller.id, context.id, 1)
    assert _read(bazaar, cast.buyer.id, context.id) == [early]
    late = _offer(bazaar, cast.other_seller.id, context.id, 90)
    assert _read(bazaar, cast.buyer.id, context.id) == []
    with pytest.raises(Conflict, match="attention"):
        bazaar.mark_inspected(cast.buyer.id, late)
    bazaar.decide_context(cast.buyer.id, context.id)
    assert bazaar.balances(cast.other_seller.id).cash == 10_000  # the late bid came back
    assert audit(bazaar.store) == []


def test_expiry_and_a_parents_closing_release_the_bids_of_follow_ups(
    bazaar: Bazaar, cast: Cast, clock: FakeClock
) -> None:
    _fund_seller(bazaar, cast)
    context = bazaar.post_context(cast.buyer.id, ContextSpec("parent", 300))
    parent_offer = _offer(bazaar, cast.other_seller.id, context.id, 0)
    child = bazaar.post_context(
        cast.buyer.id,
        ContextSpec(
            "is it true?",
            100,
            parent_offer_ids=(parent_offer,),
            named_sellers=("carol",),
            attention=1,
        ),
    )
    _offer(bazaar, cast.seller.id, child.id, 30)
    _offer(bazaar, cast.seller.id, child.id, 40)
    assert bazaar.balances(cast.seller.id).cash == 30
    assert len(_read(bazaar, cast.buyer.id, child.id)) == 1  # its own attention: one
    bazaar.cancel_context(cast.buyer.id, context.id)  # closes the follow-up too
    assert bazaar.balances(cast.seller.id).cash == SELLER_CASH - 40
    assert audit(bazaar.store) == []


def test_racing_bids_that_together_exceed_the_sellers_cash(
    store: Store, bazaar: Bazaar, cast: Cast
) -> None:
    """Eight threads bid 30 each from 100 cents of cash: exactly three are held."""
    _fund_seller(bazaar, cast)
    context = bazaar.post_context(cast.buyer.id, ContextSpec("a race", 100, attention=2))
    results: list[object] = []
    start = threading.Barrier(8)

    def bid(i: int) -> None:
        start.wait()
        try:
            results.append(_offer(bazaar, cast.seller.id, context.id, 30, f"race {i}"))
        except VolitionError as exc:
            results.append(exc)

    threads = [threading.Thread(target=bid, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    posted = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if not isinstance(r, str)]
    assert len(posted) == 3, refused
    assert all(isinstance(r, InsufficientFunds) for r in refused)
    assert bazaar.balances(cast.seller.id).cash == 10
    assert _books(bazaar)[cash(cast.seller.id).key] == 10
    assert len(bazaar.offers(cast.buyer.id, context.id)) == 3
    assert audit(bazaar.store) == []


def test_a_bidding_offer_of_a_closed_context_is_not_read(bazaar: Bazaar, cast: Cast) -> None:
    """Found by the property test: its bid went back at closing, so reading it would be free."""
    _fund_seller(bazaar, cast)
    context = bazaar.post_context(cast.buyer.id, ContextSpec("closed early", 100))
    offer_id = _offer(bazaar, cast.seller.id, context.id, 10)
    free = _offer(bazaar, cast.other_seller.id, context.id, 0)
    bazaar.decide_context(cast.buyer.id, context.id)
    with pytest.raises(Conflict, match="bids are void"):
        bazaar.mark_inspected(cast.buyer.id, offer_id)
    bazaar.mark_inspected(cast.buyer.id, free)  # without a bid, as before
    assert bazaar.balances(cast.seller.id).cash == SELLER_CASH
    assert audit(bazaar.store) == []


def test_an_expired_context_returns_its_unread_bids(
    bazaar: Bazaar, cast: Cast, clock: FakeClock
) -> None:
    from datetime import timedelta

    _fund_seller(bazaar, cast)
    spec = ContextSpec("soon over", 100, attention=1, expires_at=clock.now + timedelta(hours=1))
    context = bazaar.post_context(cast.buyer.id, spec)
    read = _offer(bazaar, cast.seller.id, context.id, 30)
    _read(bazaar, cast.buyer.id, context.id)
    _offer(bazaar, cast.seller.id, context.id, 20)  # after the attention is spent: unread
    clock.advance(2 * 3600)
    assert [c.id for c in bazaar.expire_due()] == [context.id]
    assert bazaar.balances(cast.seller.id).cash == SELLER_CASH - 30
    assert bazaar.balances(cast.buyer.id).cash == 10_000 + 30
    assert bazaar.offer(cast.seller.id, read).bid == 30
    assert audit(bazaar.store) == []


def test_the_audit_catches_a_bid_paid_without_a_reading(bazaar: Bazaar, cast: Cast) -> None:
    """The audit is not blind to bids: a payment the rules never made is reported."""
    from volition.bazaar.domain.ids import new_id
    from volition.bazaar.domain.ledger import EntryKind, transfer

    _fund_seller(bazaar, cast)
    context = bazaar.post_context(cast.buyer.id, ContextSpec("tampered", 100))
    offer_id = _offer(bazaar, cast.seller.id, context.id, 30)
    assert audit(bazaar.store) == []
    with bazaar.store.begin() as uow:
        uow.ledger.record(
            transfer(
                new_id("ent"),
                EntryKind.BID_PAYMENT,
                bid_hold(offer_id),
                cash(cast.buyer.id),
                30,
                bazaar.clock(),
            )
        )
    problems = audit(bazaar.store)
    assert f"offer {offer_id} was never read but its bid was paid" in problems
    assert f"bid:{offer_id} holds 0, not 30" in problems
