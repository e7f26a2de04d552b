"""Single offers: read, withdraw, buy blind."""

from __future__ import annotations

from fastapi import APIRouter, status

from volition.bazaar.api import threads
from volition.bazaar.api.deps import Anyone, BazaarDep, CurrentUser, IdempotencyKey, SignedIn
from volition.bazaar.api.errors import ERROR_RESPONSES
from volition.bazaar.api.schemas import OfferPublic, PurchasePublic

router = APIRouter(prefix="/offers", tags=["offers"], responses=ERROR_RESPONSES)


@router.get("/{offer_id}")
async def get_offer(offer_id: str, caller: Anyone) -> OfferPublic:
    """One offer; its private info only for its seller and, once bought, its buyer."""

    def read() -> OfferPublic:
        return OfferPublic.of(caller.bazaar.offer(caller.optional_user(), offer_id))

    return await threads.run(read)


@router.delete("/{offer_id}")
def withdraw_offer(offer_id: str, bazaar: BazaarDep, user: CurrentUser) -> OfferPublic:
    """Withdraw your offer; refused (409) once it has been inspected or bought."""
    offer = bazaar.withdraw_offer(user.id, offer_id)
    return OfferPublic.of(bazaar.offer(user, offer.id))


@router.post("/{offer_id}/purchase", status_code=status.HTTP_201_CREATED)
async def buy_blind(offer_id: str, caller: SignedIn, key: IdempotencyKey = None) -> PurchasePublic:
    """Buy on the preview alone (the naive market): the seller is paid from the context's
    budget, once."""

    def buy() -> PurchasePublic:
        user = caller.user()
        purchase, view = caller.bazaar.buy_blind_viewed(user.id, offer_id, idempotency_key=key)
        return PurchasePublic.of(purchase, view)

    return await threads.run(buy)
