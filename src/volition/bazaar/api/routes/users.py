"""Sign-up, sign-in, and the signed-in user's account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from volition.bazaar.api import threads
from volition.bazaar.api.deps import (
    BazaarDep,
    CurrentUser,
    IdempotencyKey,
    SignedIn,
    SignInGuardDep,
    bearer_token,
)
from volition.bazaar.api.errors import ERROR_RESPONSES, ErrorBody
from volition.bazaar.api.ratelimit import client_address
from volition.bazaar.api.schemas import (
    BalancesPublic,
    CashOutCreate,
    EntryPublic,
    MePublic,
    PurchasePublic,
    TokenCreate,
    TokenPublic,
    UserCreate,
    UserPublic,
)
from volition.bazaar.errors import Unauthorized

router = APIRouter(tags=["users"], responses=ERROR_RESPONSES)


@router.post("/users", status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, bazaar: BazaarDep) -> UserPublic:
    """Sign up as a buyer, a seller or both. Nobody can sign up as an operator."""
    user = bazaar.register(
        body.name, body.password, buyer="buyer" in body.roles, seller="seller" in body.roles
    )
    return UserPublic.of(user)


@router.post(
    "/tokens",
    status_code=status.HTTP_201_CREATED,
    responses={429: {"model": ErrorBody, "description": "too many sign-in attempts"}},
)
def create_token(
    body: TokenCreate, bazaar: BazaarDep, guard: SignInGuardDep, request: Request
) -> TokenPublic:
    """Sign in: a bearer token, shown once, that expires.

    After a few failed sign-ins for a user name from one address, and after many from one
    address, the next attempt must wait, longer after each failure (429 with ``Retry-After``,
    whatever the password). Failures from other addresses never delay the owner."""
    address = client_address(request)
    guard.attempt(body.name, address)
    try:
        token, record = bazaar.issue_token(body.name, body.password)
    except Unauthorized:
        guard.failed(body.name, address)
        raise
    guard.succeeded(body.name, address)
    return TokenPublic(access_token=token, expires_at=record.expires_at)


@router.delete("/tokens/current", status_code=status.HTTP_204_NO_CONTENT)
def delete_token(
    bazaar: BazaarDep, user: CurrentUser, token: Annotated[str, Depends(bearer_token)]
) -> None:
    """Sign out: the token stops working."""
    bazaar.revoke_token(token)


@router.get("/me")
async def me(caller: SignedIn) -> MePublic:
    """The signed-in user with their balances (cash, reserved, earnings) in cents."""

    def read() -> MePublic:
        user = caller.user()
        balances = BalancesPublic.of(caller.bazaar.balances(user))
        return MePublic.of(user, balances=balances)

    return await threads.run(read)


@router.get("/me/ledger")
def my_ledger(
    bazaar: BazaarDep, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[EntryPublic]:
    """Journal entries touching your accounts, newest first."""
    return [EntryPublic.of(e) for e in bazaar.ledger(user.id, limit)]


@router.get("/me/purchases")
def my_purchases(bazaar: BazaarDep, user: CurrentUser) -> list[PurchasePublic]:
    """What you bought, with the private info you may now read."""
    return [PurchasePublic.of(p, view) for p, view in bazaar.purchases(user.id)]


@router.post("/me/cash-outs", status_code=status.HTTP_201_CREATED)
def cash_out(
    body: CashOutCreate, bazaar: BazaarDep, user: CurrentUser, key: IdempotencyKey = None
) -> EntryPublic:
    """Move some of your earnings to your available cash, to spend them as a buyer."""
    return EntryPublic.of(bazaar.cash_out(user.id, body.cents, idempotency_key=key))
