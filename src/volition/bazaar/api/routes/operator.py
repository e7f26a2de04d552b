"""Operator-only actions: funding users, granting the operator role."""

from __future__ import annotations

from fastapi import APIRouter, status

from volition.bazaar.api.deps import BazaarDep, CurrentUser, IdempotencyKey
from volition.bazaar.api.errors import ERROR_RESPONSES
from volition.bazaar.api.schemas import (
    AuditPublic,
    CreditCreate,
    EntryPublic,
    OperatorGrant,
    UserPublic,
)

router = APIRouter(prefix="/operator", tags=["operator"], responses=ERROR_RESPONSES)


@router.post("/credits", status_code=status.HTTP_201_CREATED)
def credit(
    body: CreditCreate, bazaar: BazaarDep, user: CurrentUser, key: IdempotencyKey = None
) -> EntryPublic:
    """Credit a user's cash from the operator's funding source (operators only)."""
    target = bazaar.find_user(body.user)
    return EntryPublic.of(bazaar.credit(user.id, target.id, body.cents, idempotency_key=key))


@router.post("/operators")
def grant_operator(body: OperatorGrant, bazaar: BazaarDep, user: CurrentUser) -> UserPublic:
    """Make another user an operator (operators only)."""
    target = bazaar.find_user(body.user)
    return UserPublic.of(bazaar.grant_operator(user.id, target.id))


@router.get("/audit")
def audit(bazaar: BazaarDep, user: CurrentUser) -> AuditPublic:
    """Check the books: money conserved, nothing overspent, every purchase paid once."""
    problems = bazaar.audit(user.id)
    return AuditPublic(sound=not problems, problems=problems)
