"""Request dependencies: the bazaar service and the signed-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from volition.bazaar.domain import Bazaar, User
from volition.bazaar.errors import Unauthorized

__all__ = ["BazaarDep", "CurrentUser", "IdempotencyKey", "OptionalUser", "bearer_token"]

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


def current_user(bazaar: BazaarDep, token: Annotated[str, Depends(bearer_token)]) -> User:
    return bazaar.authenticate(token)


def optional_user(bazaar: BazaarDep, credentials: Credentials) -> User | None:
    if credentials is None:
        return None
    return bazaar.authenticate(credentials.credentials)


CurrentUser = Annotated[User, Depends(current_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="repeat a request with the same key to get its first result, moving no money",
    ),
]
