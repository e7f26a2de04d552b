"""A seller's matchers and inbox."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, status

from volition.bazaar.api.deps import BazaarDep, CurrentUser
from volition.bazaar.api.errors import ERROR_RESPONSES
from volition.bazaar.api.schemas import ContextPublic, MatcherCreate, MatcherPublic

router = APIRouter(prefix="/me", tags=["sellers"], responses=ERROR_RESPONSES)


@router.get("/matchers")
def list_matchers(bazaar: BazaarDep, user: CurrentUser) -> list[MatcherPublic]:
    """Your matchers."""
    return [MatcherPublic.of(m) for m in bazaar.matchers(user.id)]


@router.post("/matchers", status_code=status.HTTP_201_CREATED)
def add_matcher(body: MatcherCreate, bazaar: BazaarDep, user: CurrentUser) -> MatcherPublic:
    """Add a matcher: keywords (any), minimum budget and priority, maximum age, and minimum
    buyer inspection and purchase rates (smoothed; a new buyer counts as 0.5)."""
    age = None if body.max_age_seconds is None else timedelta(seconds=body.max_age_seconds)
    matcher = bazaar.add_matcher(
        user.id,
        keywords=body.keywords,
        min_budget=body.min_budget,
        min_priority=body.min_priority,
        max_age=age,
        min_inspection_rate=body.min_inspection_rate,
        min_purchase_rate=body.min_purchase_rate,
    )
    return MatcherPublic.of(matcher)


@router.delete("/matchers/{matcher_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_matcher(matcher_id: str, bazaar: BazaarDep, user: CurrentUser) -> None:
    """Delete one of your matchers."""
    bazaar.remove_matcher(user.id, matcher_id)


@router.get("/inbox")
def inbox(bazaar: BazaarDep, user: CurrentUser) -> list[ContextPublic]:
    """Active contexts for you: matched, naming you, or asking about your offers."""
    bazaar.expire_due()
    return [ContextPublic.of(c) for c in bazaar.inbox(user.id)]
