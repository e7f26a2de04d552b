"""Single offers: read, withdraw, buy blind."""

from __future__ import annotations

from fastapi import APIRouter, status

from volition.bazaar.api.deps import BazaarDep, CurrentUser, IdempotencyKey, OptionalUser
from volition.bazaar.api.errors import ERROR_RESPONSES
from volition.bazaar.api.schemas import OfferPublic, PurchasePublic

router = APIRouter(prefix="/offers", tags=["offers"], responses=ERROR_RESPONSES)


@router.get("/{offer_id}")
def get_offer(offer_id: str, bazaar: BazaarDep, user: OptionalUser) -> OfferPublic:
    """One offer; its private info only for its seller and, once bought, its buyer."""
    return OfferPublic.of(bazaar.offer(user, offer_id))


@router.delete("/{offer_id}")
def withdraw_offer(offer_id: str, bazaar: BazaarDep, user: CurrentUser) -> OfferPublic:
    """Withdraw your offer; refused (409) once it has been inspected or bought."""
    offer = bazaar.withdraw_offer(user.id, offer_id)
    return OfferPublic.of(bazaar.offer(user, offer.id))


@router.post("/{offer_id}/purchase", status_code=status.HTTP_201_CREATED)
def buy_blind(
    offer_id: str, bazaar: BazaarDep, user: CurrentUser, key: IdempotencyKey = None
) -> PurchasePublic:
    """Buy on the preview alone (the naive market): the seller is paid from the context's
    budget, once."""
    purchase, view = bazaar.buy_blind_viewed(user.id, offer_id, idempotency_key=key)
    return PurchasePublic.of(purchase, view)
