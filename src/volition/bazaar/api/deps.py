"""Request dependencies: the bazaar service and the signed-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from volition.bazaar.domain import Bazaar, User
from volition.bazaar.errors import Forbidden, Unauthorized

__all__ = [
    "Anyone",
    "BazaarDep",
    "Caller",
    "CurrentUser",
    "IdempotencyKey",
    "OperatorUser",
    "OptionalUser",
    "SignedIn",
    "bearer_token",
]

_bearer = HTTPBearer(auto_error=False, description="a token from POST /api/tokens")


# The dependencies that do no I/O are ``async``: FastAPI runs a plain ``def`` dependency in the
# thread pool, a hand-over per dependency per request.
async def get_bazaar(request: Request) -> Bazaar:
    bazaar = request.app.state.bazaar
    assert isinstance(bazaar, Bazaar)
    return bazaar


BazaarDep = Annotated[Bazaar, Depends(get_bazaar)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def bearer_token(credentials: Credentials) -> str:
    """The bearer token of the request; ``Unauthorized`` when there is none."""
    if credentials is None or not credentials.credentials:
        raise Unauthorized("sign in: send 'Authorization: Bearer <token>' from POST /api/tokens")
    return credentials.credentials


class Caller:
    """Who calls, checked in the thread that serves the request.

    The busiest routes are ``async`` and do their blocking work in one thread-pool call that
    also authenticates (``user()``/``optional_user()``): a sync dependency, a sync endpoint and
    its response check would be three hand-overs between the event loop and the pool.
    """

    __slots__ = ("bazaar", "token")

    def __init__(self, bazaar: Bazaar, token: str | None) -> None:
        self.bazaar = bazaar
        self.token = token

    def user(self) -> User:
        """The signed-in user; ``Unauthorized`` without a valid token."""
        if self.token is None:
            raise Unauthorized(
                "sign in: send 'Authorization: Bearer <token>' from POST /api/tokens"
            )
        return self.bazaar.authenticate(self.token)

    def optional_user(self) -> User | None:
        """The signed-in user, or None for an anonymous caller (a bad token is refused)."""
        return None if self.token is None else self.bazaar.authenticate(self.token)


async def signed_in(bazaar: BazaarDep, token: Annotated[str, Depends(bearer_token)]) -> Caller:
    return Caller(bazaar, token)


async def anyone(bazaar: BazaarDep, credentials: Credentials) -> Caller:
    return Caller(bazaar, credentials.credentials if credentials is not None else None)


SignedIn = Annotated[Caller, Depends(signed_in)]  # a token is required (401 before the body)
Anyone = Annotated[Caller, Depends(anyone)]


def current_user(bazaar: BazaarDep, token: Annotated[str, Depends(bearer_token)]) -> User:
    return bazaar.authenticate(token)


def optional_user(bazaar: BazaarDep, credentials: Credentials) -> User | None:
    if credentials is None:
        return None
    return bazaar.authenticate(credentials.credentials)


CurrentUser = Annotated[User, Depends(current_user)]


def operator_user(user: CurrentUser) -> User:
    """The signed-in user if an operator; ``Forbidden`` otherwise, before the route reads its
    body or looks anything up (so that a refusal says nothing about the names it mentions)."""
    if not user.is_operator:
        raise Forbidden("only an operator can do this; ask an operator to grant you the role")
    return user


OperatorUser = Annotated[User, Depends(operator_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="repeat a request with the same key to get its first result, moving no money",
    ),
]
