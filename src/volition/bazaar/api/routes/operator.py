"""Operator-only actions: funding users, granting the operator role.

Every route takes ``OperatorUser``: the role is checked before the body is read or any name
looked up, so a non-operator gets the same 403 whatever the request names."""

from __future__ import annotations

from fastapi import APIRouter, status

from volition.bazaar.api.deps import BazaarDep, IdempotencyKey, OperatorUser
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
    body: CreditCreate, bazaar: BazaarDep, user: OperatorUser, key: IdempotencyKey = None
) -> EntryPublic:
    """Credit a user's cash from the operator's funding source (operators only)."""
    target = bazaar.find_user(body.user)
    return EntryPublic.of(bazaar.credit(user.id, target.id, body.cents, idempotency_key=key))


@router.post("/operators")
def grant_operator(body: OperatorGrant, bazaar: BazaarDep, user: OperatorUser) -> UserPublic:
    """Make another user an operator (operators only)."""
    target = bazaar.find_user(body.user)
    return UserPublic.of(bazaar.grant_operator(user.id, target.id))


@router.get("/audit")
def audit(bazaar: BazaarDep, user: OperatorUser) -> AuditPublic:
    """Check the books: money conserved, nothing overspent, every purchase paid once."""
    problems = bazaar.audit(user.id)
    return AuditPublic(sound=not problems, problems=problems)
