"""A context's record minimum in the domain, on every store (``record_filter``, docs/theory.md
§5, Track records and record minimums): the inspector reads only offers of admitted sellers,
newcomers per the flag, follow-ups take their parent's minimum, the skipped offers are
counted, and a bad minimum is refused with nothing reserved."""

from __future__ import annotations

import pytest

from tests.support.bazaar import Cast
from tests.support.people import PASSWORD
from tests.support.records import give_record
from volition.bazaar.domain import Bazaar, ContextSpec, audit
from volition.bazaar.domain.record_filter import skipped_by_record
from volition.bazaar.domain.record_minimum import RecordMinimum
from volition.bazaar.errors import Conflict
from volition.errors import InputError

STRICT = RecordMinimum(min_offers_bought=2, min_value_per_dollar=0.1, max_calibration_gap=0.4)


def _sellers(bazaar: Bazaar, cast: Cast) -> tuple[str, str, str]:
    """carol with a good record, dave with a bad one, erin with none."""
    give_record(bazaar, cast.other_buyer.id, cast.seller.id, offers=3, value=0.5)
    give_record(bazaar, cast.other_buyer.id, cast.other_seller.id, offers=3, value=-0.5)
    erin = bazaar.register("erin", PASSWORD, buyer=False, seller=True)
    return cast.seller.id, cast.other_seller.id, erin.id


def _offers(bazaar: Bazaar, context_id: str, sellers: tuple[str, ...]) -> dict[str, str]:
    return {
        s: bazaar.post_offer(s, context_id, preview="p", private_info=f"secret of {s}", price=10).id
        for s in sellers
    }


@pytest.mark.parametrize("newcomers", [True, False])
def test_the_inspector_reads_only_admitted_sellers(
    bazaar: Bazaar, cast: Cast, newcomers: bool
) -> None:
    good, bad, new = _sellers(bazaar, cast)
    minimum = RecordMinimum(2, 0.1, 0.4, admit_newcomers=newcomers)
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("q", 500, record_minimum=minimum))
    assert ctx.record_minimum == minimum
    offers = _offers(bazaar, ctx.id, (good, bad, new))
    with bazaar.store.begin(write=False) as uow:
        records = bazaar.store.forecast_repository()
        stored = uow.contexts.get(ctx.id)
        assert stored is not None and stored.record_minimum == minimum
        found = uow.offers.for_context(ctx.id)
        assert skipped_by_record(uow, records, stored, found) == (1 if newcomers else 2)

    read = {o.id for o in bazaar.mark_context_inspected(cast.buyer.id, ctx.id)}
    assert read == {offers[good]} | ({offers[new]} if newcomers else set())
    with pytest.raises(Conflict, match="record minimum"):
        bazaar.mark_inspected(cast.buyer.id, offers[bad])
    with pytest.raises(Conflict, match="not been inspected"):
        bazaar.buy_inspected(cast.buyer.id, offers[bad])
    views = {v.id: v for v in bazaar.offers(cast.buyer.id, ctx.id)}
    assert views[offers[bad]].private_info is None
    with bazaar.store.begin(write=False) as uow:
        stored = uow.contexts.get(ctx.id)
        assert stored is not None
        found = uow.offers.for_context(ctx.id)
        assert skipped_by_record(uow, records, stored, found) == (1 if newcomers else 2)
    assert audit(bazaar.store) == []


def test_without_a_minimum_every_seller_is_read(bazaar: Bazaar, cast: Cast) -> None:
    sellers = _sellers(bazaar, cast)
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("q", 500))
    assert ctx.record_minimum is None
    offers = _offers(bazaar, ctx.id, sellers)
    read = {o.id for o in bazaar.mark_context_inspected(cast.buyer.id, ctx.id)}
    assert read == set(offers.values())


def test_a_follow_up_takes_its_parents_minimum_unless_it_has_its_own(
    bazaar: Bazaar, cast: Cast
) -> None:
    good, bad, _new = _sellers(bazaar, cast)
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("q", 500, record_minimum=STRICT))
    parent = _offers(bazaar, ctx.id, (good,))[good]
    bazaar.mark_context_inspected(cast.buyer.id, ctx.id)
    child = bazaar.post_context(
        cast.buyer.id,
        ContextSpec("is it true?", 100, parent_offer_ids=(parent,), named_sellers=("dave",)),
    )
    assert child.record_minimum == STRICT
    offers = _offers(bazaar, child.id, (bad,))
    assert bazaar.mark_context_inspected(cast.buyer.id, child.id) == []
    own = bazaar.post_context(
        cast.buyer.id,
        ContextSpec(
            "is it?",
            100,
            parent_offer_ids=(parent,),
            named_sellers=("dave",),
            record_minimum=RecordMinimum(),
        ),
    )
    assert own.record_minimum == RecordMinimum()
    offers = _offers(bazaar, own.id, (bad,))
    assert [o.id for o in bazaar.mark_context_inspected(cast.buyer.id, own.id)] == [offers[bad]]


@pytest.mark.parametrize(
    ("minimum", "words"),
    [
        (RecordMinimum(min_offers_bought=-1), "minimum offers bought"),
        (RecordMinimum(max_calibration_gap=2.0), "calibration gap"),
        ({"min_offers_bought": 1}, "must be a RecordMinimum"),
    ],
)
def test_a_bad_minimum_is_refused_with_nothing_reserved(
    bazaar: Bazaar, cast: Cast, minimum: object, words: str
) -> None:
    before = bazaar.balances(cast.buyer)
    with pytest.raises(InputError, match=words):
        bazaar.post_context(
            cast.buyer.id,
            ContextSpec("q", 500, record_minimum=minimum),  # type: ignore[arg-type]
        )
    assert bazaar.balances(cast.buyer) == before
    assert bazaar.contexts(cast.buyer.id, mine=True) == []


def _statements(bazaar: Bazaar, buyer_id: str, context_id: str) -> int:
    """The statements ``mark_context_inspected`` runs on a SQL store."""
    from sqlalchemy import event

    engine = bazaar.store.engine  # type: ignore[attr-defined]
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        bazaar.mark_context_inspected(buyer_id, context_id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


@pytest.mark.parametrize("store_factory", ["sqlite", "postgresql"], indirect=True)
def test_the_records_are_read_in_one_statement_whatever_the_sellers(
    bazaar: Bazaar, cast: Cast
) -> None:
    sellers = [bazaar.register(f"s{i}", PASSWORD, buyer=False, seller=True).id for i in range(4)]
    for seller in sellers:
        give_record(bazaar, cast.other_buyer.id, seller, offers=1, value=0.5)
    counts = []
    for some in (sellers[:1], sellers):  # one offer bought each: STRICT admits none of them,
        # so nothing is marked or paid and only the reads count
        ctx = bazaar.post_context(cast.buyer.id, ContextSpec("q", 500, record_minimum=STRICT))
        _offers(bazaar, ctx.id, tuple(some))
        counts.append(_statements(bazaar, cast.buyer.id, ctx.id))
    assert counts[0] == counts[1]
