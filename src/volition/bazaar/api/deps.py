"""Request dependencies: the platform's services, typed, and the signed-in user.

The app keeps one :class:`Services` (the :class:`~volition.bazaar.platform.Platform` and the
HTTP parts made with the app); a route names what it needs by an ``Annotated`` alias and
never reads ``app.state`` itself. A route that needs a service::

    from volition.bazaar.api.deps import BotsDep, CurrentUser

    @router.get("/bots/{bot_id}")
    def get_bot(bot_id: str, bots: BotsDep, user: CurrentUser) -> BotPublic:
        return BotPublic.of(bots.bot(user.id, bot_id))

A new service (say a ``ForecastService``): build it in ``assemble`` and add it as a field of
``Platform`` (``volition.bazaar.platform``), then give it a getter and an alias here::

    async def get_forecasts(services: ServicesDep) -> ForecastService:
        return services.platform.forecasts

    ForecastsDep = Annotated[ForecastService, Depends(get_forecasts)]

A route written against ``request.app.state.x`` converts by taking ``x: XDep`` instead; the
bazaar service itself is ``BazaarDep``; the web pages use the same aliases. Tests build the
app on the real assembly: ``build_app(assemble(bazaar))`` (``volition.bazaar.server``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.applications import Starlette

from volition.bazaar.api.analysis_pool import AnalysisPool
from volition.bazaar.api.ratelimit import SignInGuard
from volition.bazaar.domain import Bazaar, BotService, User
from volition.bazaar.errors import Forbidden, Unauthorized
from volition.bazaar.inspection import InspectionEngine
from volition.bazaar.inspection.runner import InspectionRunner
from volition.bazaar.platform import Platform

__all__ = [
    "AnalysisPoolDep",
    "Anyone",
    "BazaarDep",
    "BotsDep",
    "Caller",
    "CurrentUser",
    "EngineDep",
    "IdempotencyKey",
    "OperatorUser",
    "OptionalUser",
    "PlatformDep",
    "RunnerDep",
    "Services",
    "ServicesDep",
    "SignInGuardDep",
    "SignedIn",
    "bearer_token",
    "services_of",
]


@dataclass(frozen=True, slots=True)
class Services:
    """What the routes of one app use: the platform, and the HTTP parts ``create_app`` makes
    (the sign-in limits, the analysis pool, and the runner stepping inspections in this
    process, None where ``volition worker`` processes step them)."""

    platform: Platform
    signin_guard: SignInGuard
    analysis_pool: AnalysisPool
    runner: InspectionRunner | None


# The dependencies that do no I/O are ``async``: FastAPI runs a plain ``def`` dependency in the
# thread pool, a hand-over per dependency per request.
def services_of(app: Starlette) -> Services:
    """The services of ``app`` (made by ``create_app``), for code outside a route's
    dependencies: an error page, a test."""
    services = app.state.services  # the one read of app.state
    assert isinstance(services, Services)
    return services


async def get_services(request: Request) -> Services:
    return services_of(request.app)


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_platform(services: ServicesDep) -> Platform:
    return services.platform


async def get_bazaar(services: ServicesDep) -> Bazaar:
    return services.platform.bazaar


async def get_bots(services: ServicesDep) -> BotService:
    return services.platform.bots


async def get_engine(services: ServicesDep) -> InspectionEngine:
    return services.platform.engine


async def get_runner(services: ServicesDep) -> InspectionRunner | None:
    return services.runner


async def get_signin_guard(services: ServicesDep) -> SignInGuard:
    return services.signin_guard


async def get_analysis_pool(services: ServicesDep) -> AnalysisPool:
    return services.analysis_pool


PlatformDep = Annotated[Platform, Depends(get_platform)]
BotsDep = Annotated[BotService, Depends(get_bots)]
EngineDep = Annotated[InspectionEngine, Depends(get_engine)]
RunnerDep = Annotated[InspectionRunner | None, Depends(get_runner)]
SignInGuardDep = Annotated[SignInGuard, Depends(get_signin_guard)]
AnalysisPoolDep = Annotated[AnalysisPool, Depends(get_analysis_pool)]

_bearer = HTTPBearer(auto_error=False, description="a token from POST /api/tokens")


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


# The busy routes' callers read the app's services and the bearer token in one dependency
# (beside the ``HTTPBearer`` scheme that the OpenAPI document shows): a chain of dependencies
# (services, bazaar, token) cost a tenth of a request's CPU in FastAPI's solving (issue 15).
async def signed_in(request: Request, credentials: Credentials) -> Caller:
    if credentials is None or not credentials.credentials:
        raise Unauthorized("sign in: send 'Authorization: Bearer <token>' from POST /api/tokens")
    return Caller(services_of(request.app).platform.bazaar, credentials.credentials)


async def anyone(request: Request, credentials: Credentials) -> Caller:
    token = credentials.credentials if credentials is not None else None
    return Caller(services_of(request.app).platform.bazaar, token)


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
