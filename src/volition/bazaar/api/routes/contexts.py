"""Decision contexts and the offers on them."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, status
from starlette.concurrency import run_in_threadpool

from volition.bazaar.api.deps import (
    Anyone,
    BazaarDep,
    Caller,
    CurrentUser,
    IdempotencyKey,
    OptionalUser,
    SignedIn,
)
from volition.bazaar.api.errors import ERROR_RESPONSES
from volition.bazaar.api.forecast_posting import forecast_of, post_question
from volition.bazaar.api.schemas import ContextCreate, ContextPublic, OfferCreate, OfferPublic
from volition.bazaar.domain import (
    Bazaar,
    ContextSpec,
    ContextStatus,
    DecisionContext,
    Disclosure,
    RevealPolicy,
    User,
)

router = APIRouter(prefix="/contexts", tags=["contexts"], responses=ERROR_RESPONSES)


def _public(bazaar: Bazaar, context: DecisionContext, viewer: User | None) -> ContextPublic:
    mine = viewer is not None and viewer.id == context.buyer_id
    # a forgotten follow-up's reservation is its inspector's budget: forgotten too
    shown = mine and context.disclosure is Disclosure.FULL
    public = ContextPublic.of(context, bazaar.remaining(context.id) if shown else None)
    if not context.is_child:
        public.forecast = forecast_of(bazaar, context.id, viewer)
    return public


@router.post("", status_code=status.HTTP_201_CREATED)
async def post_context(
    body: ContextCreate, caller: SignedIn, key: IdempotencyKey = None
) -> ContextPublic:
    """Post a decision context; its budget is reserved from your cash (402 if not there)."""
    return await run_in_threadpool(_post_context, body, caller, key)


def _post_context(body: ContextCreate, caller: Caller, key: str | None) -> ContextPublic:
    bazaar, user = caller.bazaar, caller.user()
    expires_at = None
    if body.expires_in_seconds is not None:
        expires_at = bazaar.clock() + timedelta(seconds=body.expires_in_seconds)
    spec = ContextSpec(
        query=body.query,
        budget=body.budget,
        priority=body.priority,
        pages=tuple(body.pages),
        named_sellers=tuple(body.named_sellers),
        expires_at=expires_at,
        parent_offer_ids=tuple(body.parent_offer_ids),
        reveal=RevealPolicy(body.reveal),
        attention=body.attention,
        reading_cost=body.reading_cost,
        record_minimum=body.record_minimum.domain() if body.record_minimum else None,
    )
    if body.forecast is not None:  # a forecast question (domain.forecasts)
        context = post_question(bazaar, user.id, spec, body.forecast, key)
        return _public(bazaar, context, user)
    context = bazaar.post_context(user.id, spec, idempotency_key=key)
    if key is None:  # just posted: its whole budget is still reserved, no need to read it back
        return ContextPublic.of(context, context.budget)
    return _public(bazaar, context, user)  # maybe a replay: read what is left now


@router.get("")
async def list_contexts(
    caller: Anyone,
    statuses: Annotated[list[ContextStatus] | None, Query(alias="status")] = None,
    mine: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ContextPublic]:
    """Public contexts (never follow-up ones), newest first; ``mine=true``: all of yours."""
    return await run_in_threadpool(_list_contexts, caller, tuple(statuses or ()), mine, limit)


def _list_contexts(
    caller: Caller, statuses: tuple[ContextStatus, ...], mine: bool, limit: int
) -> list[ContextPublic]:
    bazaar, user = caller.bazaar, caller.optional_user()
    # Expiring the due contexts first cost a statement on every listing. A listing that
    # cannot show expired contexts is the same whether the due ones it does not show are
    # expired now or by the sweep: expire (and list again) only when it shows a due one.
    shows_expired = not statuses or ContextStatus.EXPIRED in statuses
    if shows_expired:
        bazaar.expire_due()
    found = bazaar.contexts(user, mine=mine, statuses=statuses, limit=limit)
    if not shows_expired and any(c.is_due(bazaar.clock()) for c in found):
        bazaar.expire_due()
        found = bazaar.contexts(user, mine=mine, statuses=statuses, limit=limit)
    own = [
        c.id
        for c in found
        if user is not None and c.buyer_id == user.id and c.disclosure is Disclosure.FULL
    ]
    left = bazaar.remainders(own) if own else {}
    return [ContextPublic.of(c, left.get(c.id)) for c in found]


@router.get("/{context_id}")
def get_context(context_id: str, bazaar: BazaarDep, user: OptionalUser) -> ContextPublic:
    """One context, if you may see it (follow-ups: only their buyer and the sellers asked)."""
    bazaar.expire_due()
    return _public(bazaar, bazaar.context(user, context_id), user)


@router.post("/{context_id}/cancel")
def cancel_context(context_id: str, bazaar: BazaarDep, user: CurrentUser) -> ContextPublic:
    """Cancel your context; what is left of its budget returns to you."""
    return _public(bazaar, bazaar.cancel_context(user.id, context_id), user)


@router.post("/{context_id}/decide")
def decide_context(context_id: str, bazaar: BazaarDep, user: CurrentUser) -> ContextPublic:
    """Close your context as decided; what is left of its budget returns to you."""
    return _public(bazaar, bazaar.decide_context(user.id, context_id), user)


@router.post("/{context_id}/offers", status_code=status.HTTP_201_CREATED)
async def post_offer(
    context_id: str, body: OfferCreate, caller: SignedIn, key: IdempotencyKey = None
) -> OfferPublic:
    """Offer information: a public preview, private info, and a price in cents."""
    return await run_in_threadpool(_post_offer, context_id, body, caller, key)


def _post_offer(context_id: str, body: OfferCreate, caller: Caller, key: str | None) -> OfferPublic:
    bazaar, user = caller.bazaar, caller.user()
    offer = bazaar.post_offer(
        user.id,
        context_id,
        preview=body.preview,
        private_info=body.private_info,
        price=body.price,
        quotable=body.quotable,
        bid=body.bid,
        idempotency_key=key,
    )
    if key is None:  # just posted: nobody has bought it yet, and its seller reads it all
        return OfferPublic.of(bazaar.seller_view(offer))
    return OfferPublic.of(bazaar.offer(user, offer.id))  # maybe a replay: read it as it is now


@router.get("/{context_id}/offers")
async def list_offers(context_id: str, caller: Anyone) -> list[OfferPublic]:
    """The offers on a context; private info only where you may read it."""

    def read() -> list[OfferPublic]:
        return [OfferPublic.of(o) for o in caller.bazaar.offers(caller.optional_user(), context_id)]

    return await run_in_threadpool(read)
