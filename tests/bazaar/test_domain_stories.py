"""Worked examples of the bazaar's rules, read as stories; run on every store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.bazaar import Cast
from tests.support.people import PASSWORD, FakeClock
from volition.bazaar.domain import (
    Bazaar,
    BazaarSettings,
    ContextSpec,
    ContextStatus,
    Mechanism,
    RevealPolicy,
    Store,
    audit,
)
from volition.bazaar.errors import (
    Conflict,
    Forbidden,
    InsufficientFunds,
    NotFound,
    Unauthorized,
)
from volition.errors import InputError, PriceError


def test_a_blind_purchase_pays_the_seller_once_and_returns_the_rest(
    bazaar: Bazaar, cast: Cast
) -> None:
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("Will it rain in Oslo?", budget=1_000))
    assert bazaar.balances(cast.buyer.id).cash == 9_000
    assert bazaar.balances(cast.buyer.id).reserved == 1_000
    offer = bazaar.post_offer(
        cast.seller.id, ctx.id, preview="forecast", private_info="yes, 80%", price=300
    )
    assert bazaar.offer(cast.buyer.id, offer.id).private_info is None
    purchase = bazaar.buy_blind(cast.buyer.id, offer.id)
    assert purchase.mechanism is Mechanism.NAIVE
    assert bazaar.balances(cast.seller.id).earnings == 300
    assert bazaar.offer(cast.buyer.id, offer.id).private_info == "yes, 80%"
    with pytest.raises(Conflict, match="already bought"):
        bazaar.buy_blind(cast.buyer.id, offer.id)
    assert bazaar.balances(cast.seller.id).earnings == 300
    bazaar.decide_context(cast.buyer.id, ctx.id)
    assert bazaar.balances(cast.buyer.id) == bazaar.balances(cast.buyer.id).__class__(
        cash=9_700, reserved=0, earnings=0
    )
    assert audit(bazaar.store) == []


def test_a_budget_beyond_available_cash_is_refused_and_changes_nothing(
    bazaar: Bazaar, cast: Cast
) -> None:
    with pytest.raises(InsufficientFunds, match="more than your available cash"):
        bazaar.post_context(cast.buyer.id, ContextSpec("q", budget=10_001))
    assert bazaar.balances(cast.buyer.id).cash == 10_000
    assert bazaar.contexts(cast.buyer.id, mine=True) == []


def test_a_price_beyond_the_remaining_budget_cannot_be_bought(bazaar: Bazaar, cast: Cast) -> None:
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("q", budget=500))
    a = bazaar.post_offer(cast.seller.id, ctx.id, preview="a", private_info="A", price=400)
    b = bazaar.post_offer(cast.other_seller.id, ctx.id, preview="b", private_info="B", price=200)
    bazaar.buy_blind(cast.buyer.id, a.id)
    with pytest.raises(InsufficientFunds, match="only 100 cents"):
        bazaar.buy_blind(cast.buyer.id, b.id)
    assert bazaar.remaining(ctx.id) == 100
    assert bazaar.balances(cast.other_seller.id).earnings == 0


def test_cancel_and_expiry_release_what_is_left(
    bazaar: Bazaar, cast: Cast, clock: FakeClock
) -> None:
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("q", budget=800))
    offer = bazaar.post_offer(cast.seller.id, ctx.id, preview="p", private_info="s", price=100)
    bazaar.buy_blind(cast.buyer.id, offer.id)
    assert bazaar.cancel_context(cast.buyer.id, ctx.id).status is ContextStatus.CANCELLED
    assert bazaar.balances(cast.buyer.id).cash == 9_900
    with pytest.raises(Conflict):
        bazaar.cancel_context(cast.buyer.id, ctx.id)

    later = clock.now + timedelta(hours=1)
    ctx2 = bazaar.post_context(cast.buyer.id, ContextSpec("q2", budget=500, expires_at=later))
    offer2 = bazaar.post_offer(cast.seller.id, ctx2.id, preview="p", private_info="s", price=1)
    clock.advance(3600)
    with pytest.raises(Conflict, match="expired"):
        bazaar.buy_blind(cast.buyer.id, offer2.id)
    assert [c.id for c in bazaar.expire_due()] == [ctx2.id]
    assert bazaar.context(None, ctx2.id).status is ContextStatus.EXPIRED
    assert bazaar.balances(cast.buyer.id).cash == 9_900
    assert audit(bazaar.store) == []


def test_only_the_buyer_cancels_and_buys(bazaar: Bazaar, cast: Cast) -> None:
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("q", budget=500))
    offer = bazaar.post_offer(cast.seller.id, ctx.id, preview="p", private_info="s", price=10)
    with pytest.raises(Forbidden):
        bazaar.cancel_context(cast.other_buyer.id, ctx.id)
    with pytest.raises(Forbidden):
        bazaar.buy_blind(cast.other_buyer.id, offer.id)
    with pytest.raises(Forbidden, match="own context"):
        bazaar.post_offer(
            cast.other_seller.id,
            bazaar.post_context(cast.other_seller.id, ContextSpec("mine", budget=1)).id,
            preview="p",
            private_info="s",
            price=0,
        )


def test_private_info_is_read_only_by_its_seller_and_its_buyer(bazaar: Bazaar, cast: Cast) -> None:
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("q", budget=500))
    offer = bazaar.post_offer(cast.seller.id, ctx.id, preview="p", private_info="secret", price=5)
    bazaar.buy_blind(cast.buyer.id, offer.id)
    readers = {
        who: bazaar.offer(uid, offer.id).private_info
        for who, uid in [
            ("anonymous", None),
            ("buyer", cast.buyer.id),
            ("other buyer", cast.other_buyer.id),
            ("seller", cast.seller.id),
            ("other seller", cast.other_seller.id),
            ("operator", cast.operator.id),
        ]
    }
    assert readers == {
        "anonymous": None,
        "buyer": "secret",
        "other buyer": None,
        "seller": "secret",
        "other seller": None,
        "operator": None,
    }
    [(purchase, view)] = bazaar.purchases(cast.buyer.id)
    assert purchase.offer_id == offer.id and view.private_info == "secret"


def test_offers_are_withdrawable_only_before_inspection_or_purchase(
    bazaar: Bazaar, cast: Cast
) -> None:
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("q", budget=500))
    a, b, c = (
        bazaar.post_offer(cast.seller.id, ctx.id, preview=x, private_info=x, price=1) for x in "abc"
    )
    bazaar.withdraw_offer(cast.seller.id, a.id)
    with pytest.raises(Conflict, match="withdrawn"):
        bazaar.buy_blind(cast.buyer.id, a.id)
    bazaar.buy_blind(cast.buyer.id, b.id)
    with pytest.raises(Conflict, match="bought"):
        bazaar.withdraw_offer(cast.seller.id, b.id)
    bazaar.mark_inspected(cast.buyer.id, c.id)
    with pytest.raises(Conflict, match="inspected"):
        bazaar.withdraw_offer(cast.seller.id, c.id)
    with pytest.raises(Forbidden):
        bazaar.withdraw_offer(cast.other_seller.id, c.id)


def test_child_contexts_are_funded_by_the_parent_and_hidden(bazaar: Bazaar, cast: Cast) -> None:
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("Which stock?", budget=1_000))
    offer = bazaar.post_offer(cast.seller.id, ctx.id, preview="tip", private_info="ACME", price=600)
    child = bazaar.post_context(
        cast.buyer.id, ContextSpec("Is carol's tip good?", budget=300, parent_offer_ids=(offer.id,))
    )
    assert child.parent_context_id == ctx.id and child.depth == 1
    assert bazaar.remaining(ctx.id) == 700
    assert bazaar.balances(cast.buyer.id).cash == 9_000
    assert [c.id for c in bazaar.contexts(None)] == [ctx.id]
    for outsider in (None, cast.other_buyer.id, cast.other_seller.id, cast.operator.id):
        with pytest.raises(NotFound):
            bazaar.context(outsider, child.id)
        with pytest.raises(NotFound):
            bazaar.offers(outsider, child.id)
    assert bazaar.context(cast.seller.id, child.id).id == child.id
    assert child.id in [c.id for c in bazaar.inbox(cast.seller.id)]
    assert child.id not in [c.id for c in bazaar.inbox(cast.other_seller.id)]
    bazaar.add_matcher(cast.other_seller.id)  # matches every public context, never a follow-up
    assert child.id not in [c.id for c in bazaar.inbox(cast.other_seller.id)]
    asked = bazaar.post_context(
        cast.buyer.id,
        ContextSpec(
            "dave, check it", budget=0, parent_offer_ids=(offer.id,), named_sellers=("dave",)
        ),
    )
    assert asked.id in [c.id for c in bazaar.inbox(cast.other_seller.id)]
    assert bazaar.context(cast.other_seller.id, asked.id).id == asked.id
    bazaar.cancel_context(cast.buyer.id, asked.id)
    # the only visible seller answers the follow-up; it costs the parent's reservation
    review = bazaar.post_offer(
        cast.seller.id, child.id, preview="review", private_info="solid", price=100
    )
    bazaar.buy_blind(cast.buyer.id, review.id)
    # amnesia: what was bought below an offer not (yet) bought stays unreadable
    assert bazaar.offer(cast.buyer.id, review.id).private_info is None
    with pytest.raises(InsufficientFunds):
        bazaar.post_context(
            cast.buyer.id, ContextSpec("more", budget=701, parent_offer_ids=(offer.id,))
        )
    bazaar.decide_context(cast.buyer.id, child.id)
    assert bazaar.remaining(ctx.id) == 900  # the child's unspent 200 came back to the parent
    bazaar.buy_blind(cast.buyer.id, offer.id)
    assert bazaar.offer(cast.buyer.id, review.id).private_info == "solid"
    bazaar.decide_context(cast.buyer.id, ctx.id)
    assert bazaar.balances(cast.buyer.id).cash == 10_000 - 600 - 100
    assert audit(bazaar.store) == []


@pytest.mark.parametrize("reveal", list(RevealPolicy))
def test_a_child_purchase_reaches_the_buyer_by_the_child_policy(
    bazaar: Bazaar, cast: Cast, reveal: RevealPolicy
) -> None:
    """Amnesia (docs/theory.md §5): the parent offer is inspected, never bought; the follow-up's
    purchase reaches the buyer under ``all`` only, and nobody else under either policy."""
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("Which stock?", budget=1_000))
    offer = bazaar.post_offer(cast.seller.id, ctx.id, preview="tip", private_info="ACME", price=600)
    spec = ContextSpec("Is the tip good?", budget=300, parent_offer_ids=(offer.id,), reveal=reveal)
    child = bazaar.post_context(cast.buyer.id, spec)
    assert child.reveal is reveal and bazaar.context(cast.buyer.id, child.id).reveal is reveal
    review = bazaar.post_offer(
        cast.seller.id, child.id, preview="review", private_info="solid", price=100
    )
    bazaar.mark_inspected(cast.buyer.id, offer.id)
    bazaar.mark_inspected(cast.buyer.id, review.id)
    bazaar.buy_inspected(cast.buyer.id, review.id)
    bazaar.decide_context(cast.buyer.id, child.id)
    bazaar.decide_context(cast.buyer.id, ctx.id)  # the parent offer stays unbought
    readable = "solid" if reveal is RevealPolicy.ALL else None
    readers = {
        who: _private_or_hidden(bazaar, uid, review.id)
        for who, uid in [
            ("anonymous", None),
            ("buyer", cast.buyer.id),
            ("other buyer", cast.other_buyer.id),
            ("seller", cast.seller.id),
            ("other seller", cast.other_seller.id),
            ("operator", cast.operator.id),
        ]
    }
    assert readers == {
        "anonymous": "hidden",
        "buyer": readable or "hidden",
        "other buyer": "hidden",
        "seller": "solid",  # a seller always reads their own offer
        "other seller": "hidden",
        "operator": "hidden",
    }
    [(purchase, view)] = bazaar.purchases(cast.buyer.id)
    assert purchase.offer_id == review.id and view.private_info == readable
    assert bazaar.offer(cast.buyer.id, offer.id).private_info is None  # never bought
    assert audit(bazaar.store) == []


def test_a_with_parent_follow_up_below_an_all_follow_up(bazaar: Bazaar, cast: Cast) -> None:
    """Readability chains: a ``with_parent`` grandchild's purchase is readable when the offer
    it concerns was bought in an ``all`` child, though nothing at the top was bought."""
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("Which stock?", budget=1_000))
    tip = bazaar.post_offer(cast.seller.id, ctx.id, preview="tip", private_info="ACME", price=500)
    child = bazaar.post_context(
        cast.buyer.id,
        ContextSpec("Good?", budget=400, parent_offer_ids=(tip.id,), reveal=RevealPolicy.ALL),
    )
    review = bazaar.post_offer(
        cast.seller.id, child.id, preview="r", private_info="solid", price=50
    )
    grandchild = bazaar.post_context(
        cast.buyer.id, ContextSpec("Sure?", budget=100, parent_offer_ids=(review.id,))
    )
    assert grandchild.reveal is RevealPolicy.WITH_PARENT
    check = bazaar.post_offer(
        cast.seller.id, grandchild.id, preview="c", private_info="yes", price=10
    )
    bazaar.buy_blind(cast.buyer.id, check.id)
    assert bazaar.offer(cast.buyer.id, check.id).private_info is None  # review not bought yet
    bazaar.buy_blind(cast.buyer.id, review.id)
    assert bazaar.offer(cast.buyer.id, review.id).private_info == "solid"
    assert bazaar.offer(cast.buyer.id, check.id).private_info == "yes"
    assert bazaar.offer(cast.buyer.id, tip.id).private_info is None
    assert _private_or_hidden(bazaar, cast.other_buyer.id, check.id) == "hidden"


def _private_or_hidden(bazaar: Bazaar, viewer_id: str | None, offer_id: str) -> str | None:
    """What ``viewer_id`` reads of an offer: its private info, or "hidden" when the viewer
    cannot see the offer or its private info at all."""
    try:
        info = bazaar.offer(viewer_id, offer_id).private_info
    except NotFound:
        return "hidden"
    return "hidden" if info is None else info


def test_closing_a_parent_closes_its_children(bazaar: Bazaar, cast: Cast) -> None:
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("q", budget=1_000))
    offer = bazaar.post_offer(cast.seller.id, ctx.id, preview="p", private_info="s", price=1)
    child = bazaar.post_context(
        cast.buyer.id, ContextSpec("q?", budget=400, parent_offer_ids=(offer.id,))
    )
    bazaar.cancel_context(cast.buyer.id, ctx.id)
    assert bazaar.context(cast.buyer.id, child.id).status is ContextStatus.CANCELLED
    assert bazaar.balances(cast.buyer.id).cash == 10_000
    assert audit(bazaar.store) == []


def test_follow_ups_only_on_your_own_offers_and_bounded_depth(
    store: Store, clock: FakeClock
) -> None:
    from tests.support.people import CHEAP_HASHER

    b = Bazaar(store, hasher=CHEAP_HASHER, settings=BazaarSettings(max_depth=1), clock=clock)
    op = b.bootstrap_operator("root", PASSWORD)
    buyer = b.register("alice", PASSWORD)
    other = b.register("bob", PASSWORD)
    seller = b.register("carol", PASSWORD, seller=True)
    for u in (buyer, other):
        b.credit(op.id, u.id, 1_000)
    ctx = b.post_context(buyer.id, ContextSpec("q", budget=500))
    offer = b.post_offer(seller.id, ctx.id, preview="p", private_info="s", price=1)
    with pytest.raises(Forbidden):
        b.post_context(other.id, ContextSpec("q", budget=5, parent_offer_ids=(offer.id,)))
    gone = b.post_offer(seller.id, ctx.id, preview="p", private_info="s", price=1)
    b.withdraw_offer(seller.id, gone.id)
    with pytest.raises(Conflict, match="withdrawn"):
        b.post_context(buyer.id, ContextSpec("q", budget=5, parent_offer_ids=(gone.id,)))
    child = b.post_context(buyer.id, ContextSpec("q", budget=5, parent_offer_ids=(offer.id,)))
    deeper = b.post_offer(seller.id, child.id, preview="p", private_info="s", price=1)
    with pytest.raises(InputError, match="at most 1 deep"):
        b.post_context(buyer.id, ContextSpec("q", budget=1, parent_offer_ids=(deeper.id,)))


def test_nobody_makes_themselves_operator(bazaar: Bazaar, cast: Cast) -> None:
    assert not cast.buyer.is_operator
    with pytest.raises(Forbidden):
        bazaar.grant_operator(cast.buyer.id, cast.buyer.id)
    with pytest.raises(Forbidden):
        bazaar.credit(cast.buyer.id, cast.buyer.id, 1_000)
    assert bazaar.grant_operator(cast.operator.id, cast.seller.id).is_operator


def test_idempotency_keys_replay_the_first_result(bazaar: Bazaar, cast: Cast) -> None:
    spec = ContextSpec("q", budget=700)
    first = bazaar.post_context(cast.buyer.id, spec, idempotency_key="k1")
    again = bazaar.post_context(cast.buyer.id, spec, idempotency_key="k1")
    assert first == again
    assert bazaar.balances(cast.buyer.id).cash == 9_300
    offer = bazaar.post_offer(cast.seller.id, first.id, preview="p", private_info="s", price=9)
    p1 = bazaar.buy_blind(cast.buyer.id, offer.id, idempotency_key="k2")
    assert bazaar.buy_blind(cast.buyer.id, offer.id, idempotency_key="k2") == p1
    with pytest.raises(Conflict, match="already used"):
        bazaar.buy_blind(cast.buyer.id, offer.id, idempotency_key="k1")
    with pytest.raises(Conflict, match="different request"):
        bazaar.post_context(cast.buyer.id, ContextSpec("q", budget=701), idempotency_key="k1")
    e1 = bazaar.credit(cast.operator.id, cast.seller.id, 50, idempotency_key="c")
    assert bazaar.credit(cast.operator.id, cast.seller.id, 50, idempotency_key="c") == e1
    assert bazaar.balances(cast.seller.id).cash == 50
    assert audit(bazaar.store) == []


def test_named_sellers_and_roles(bazaar: Bazaar, cast: Cast) -> None:
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("q", budget=10, named_sellers=("carol",)))
    with pytest.raises(Forbidden, match="names"):
        bazaar.post_offer(cast.other_seller.id, ctx.id, preview="p", private_info="s", price=1)
    bazaar.post_offer(cast.seller.id, ctx.id, preview="p", private_info="s", price=1)
    with pytest.raises(NotFound, match="no seller named"):
        bazaar.post_context(cast.buyer.id, ContextSpec("q", budget=1, named_sellers=("bob",)))
    with pytest.raises(Forbidden, match="only sellers"):
        bazaar.post_offer(cast.other_buyer.id, ctx.id, preview="p", private_info="s", price=1)
    with pytest.raises(Forbidden, match="only buyers"):
        bazaar.post_context(cast.seller.id, ContextSpec("q", budget=0))


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        (ContextSpec("", budget=1), InputError),
        (ContextSpec("q", budget=-1), InputError),
        (ContextSpec("q", budget=1, priority=1.5), InputError),
        (ContextSpec("q", budget=1, priority=float("nan")), InputError),
        (ContextSpec("q", budget=1, pages=("ftp://x",)), InputError),
        (ContextSpec("q" * 2_001, budget=1), InputError),
        (ContextSpec("q", budget=1, parent_offer_ids=("off_nope",)), NotFound),
        (ContextSpec("q", budget=1, reveal="everything"), InputError),  # type: ignore[arg-type]
    ],
)
def test_bad_contexts_are_refused(
    bazaar: Bazaar, cast: Cast, spec: ContextSpec, error: type[Exception]
) -> None:
    with pytest.raises(error):
        bazaar.post_context(cast.buyer.id, spec)
    assert bazaar.balances(cast.buyer.id).cash == 10_000


def test_bad_offers_are_refused(bazaar: Bazaar, cast: Cast) -> None:
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("q", budget=10))
    with pytest.raises(PriceError):
        bazaar.post_offer(cast.seller.id, ctx.id, preview="p", private_info="s", price=-1)
    with pytest.raises(InputError):
        bazaar.post_offer(cast.seller.id, ctx.id, preview="", private_info="s", price=1)
    with pytest.raises(NotFound):
        bazaar.post_offer(cast.seller.id, "ctx_nope", preview="p", private_info="s", price=1)
    assert bazaar.offers(None, ctx.id) == []


def test_sign_in_tokens(bazaar: Bazaar, cast: Cast, clock: FakeClock) -> None:
    token, record = bazaar.issue_token("alice", PASSWORD)
    assert record.token_hash != token and token not in record.token_hash
    assert bazaar.authenticate(token).id == cast.buyer.id
    with pytest.raises(Unauthorized):
        bazaar.issue_token("alice", "wrong password")
    with pytest.raises(Unauthorized):
        bazaar.issue_token("nobody", PASSWORD)
    clock.advance(bazaar.settings.token_lifetime.total_seconds())
    with pytest.raises(Unauthorized, match="expired"):
        bazaar.authenticate(token)
    token2, _ = bazaar.issue_token("alice", PASSWORD)
    bazaar.revoke_token(token2)
    with pytest.raises(Unauthorized):
        bazaar.authenticate(token2)
    with pytest.raises(Conflict, match="taken"):
        bazaar.register("alice", PASSWORD)
    with pytest.raises(InputError):
        bazaar.register("Alice Smith", PASSWORD)


def test_matchers_fill_the_inbox(bazaar: Bazaar, cast: Cast, clock: FakeClock) -> None:
    rain = bazaar.post_context(
        cast.buyer.id, ContextSpec("Rain in Oslo?", budget=500, priority=0.9)
    )
    cheap = bazaar.post_context(cast.buyer.id, ContextSpec("rain in Rome?", budget=5))
    bazaar.post_context(cast.buyer.id, ContextSpec("stocks", budget=500, priority=0.9))
    assert bazaar.inbox(cast.seller.id) == []
    m = bazaar.add_matcher(cast.seller.id, keywords=["RAIN"], min_budget=100)
    assert [c.id for c in bazaar.inbox(cast.seller.id)] == [rain.id]
    bazaar.add_matcher(cast.seller.id, keywords=["rome"], max_age=timedelta(minutes=5))
    assert {c.id for c in bazaar.inbox(cast.seller.id)} == {rain.id, cheap.id}
    clock.advance(600)
    assert [c.id for c in bazaar.inbox(cast.seller.id)] == [rain.id]
    bazaar.remove_matcher(cast.seller.id, m.id)
    assert bazaar.inbox(cast.seller.id) == []
    with pytest.raises(NotFound):
        bazaar.remove_matcher(cast.other_seller.id, m.id)
    with pytest.raises(Forbidden):
        bazaar.add_matcher(cast.other_buyer.id, keywords=["x"])


def test_starting_grant(store: Store, clock: FakeClock) -> None:
    from tests.support.people import CHEAP_HASHER

    b = Bazaar(
        store, hasher=CHEAP_HASHER, settings=BazaarSettings(starting_grant=2_500), clock=clock
    )
    user = b.register("newbie", PASSWORD)
    assert b.balances(user.id).cash == 2_500
    assert [e.kind.value for e in b.ledger(user.id)] == ["grant"]
    assert audit(store) == []


def test_matchers_can_ask_for_buyers_who_inspect_and_buy(bazaar: Bazaar, cast: Cast) -> None:
    keen = bazaar.post_context(cast.buyer.id, ContextSpec("keen buyer", budget=1_000))
    idle = bazaar.post_context(cast.other_buyer.id, ContextSpec("idle buyer", budget=1_000))
    picky = bazaar.add_matcher(cast.seller.id, min_purchase_rate=0.6)
    assert picky.min_purchase_rate == 0.6
    assert bazaar.inbox(cast.seller.id) == []  # newcomers count as 1/2
    for ctx, buy in ((keen, True), (idle, False)):
        for i in range(3):
            offer = bazaar.post_offer(
                cast.other_seller.id, ctx.id, preview=f"p{i}", private_info="s", price=1
            )
            if buy:
                bazaar.buy_blind(ctx.buyer_id, offer.id)
    assert [c.id for c in bazaar.inbox(cast.seller.id)] == [keen.id]  # 4/5 vs 1/5
    with bazaar.store.begin(write=False) as uow:
        record = uow.offers.buyer_record(cast.buyer.id)
    assert (record.offers, record.inspected, record.purchased) == (3, 0, 3)
    bazaar.remove_matcher(cast.seller.id, picky.id)
    bazaar.add_matcher(cast.seller.id, min_inspection_rate=0.7)
    assert bazaar.inbox(cast.seller.id) == []
    with pytest.raises(InputError, match="inspection rate"):
        bazaar.add_matcher(cast.seller.id, min_inspection_rate=1.5)
    assert idle.id not in [c.id for c in bazaar.inbox(cast.seller.id)]


def test_a_seller_spends_earnings_after_cashing_them_out(bazaar: Bazaar, cast: Cast) -> None:
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("q", budget=1_000))
    offer = bazaar.post_offer(
        cast.other_seller.id, ctx.id, preview="p", private_info="s", price=700
    )
    bazaar.buy_blind(cast.buyer.id, offer.id)
    dave = cast.other_seller.id
    with pytest.raises(InsufficientFunds, match="700 cents of earnings"):
        bazaar.cash_out(dave, 701)
    with pytest.raises(InputError):
        bazaar.cash_out(dave, 0)
    bazaar.cash_out(dave, 500)
    assert bazaar.balances(dave) == bazaar.balances(dave).__class__(
        cash=10_500, reserved=0, earnings=200
    )
    bazaar.post_context(dave, ContextSpec("spend it", budget=10_500))
    assert audit(bazaar.store) == []
