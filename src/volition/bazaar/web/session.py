"""Who is visiting: the session cookie (the API's own bearer token) and the CSRF token.

A signed-in browser holds its bearer token in an HttpOnly, SameSite=Lax cookie, so the pages
authenticate exactly as the API does. Every form POST carries a CSRF token: for a signed-in
visitor an HMAC keyed by their bearer token (another site cannot compute it without reading
the cookie); before sign-in a random double-submit value, also kept in an HttpOnly cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request, Response

from volition.bazaar.api.deps import BazaarDep
from volition.bazaar.domain import User
from volition.bazaar.errors import Unauthorized

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "SESSION_COOKIE",
    "Visitor",
    "VisitorDep",
    "apply_cookies",
    "end_session",
    "start_session",
]

SESSION_COOKIE = "volition_session"
CSRF_COOKIE = "volition_csrf"
CSRF_FIELD = "csrf_token"
_ANON_BYTES = 32


@dataclass(frozen=True, slots=True)
class Visitor:
    """The browser behind a request: a signed-in user (with their token) or anonymous.

    ``anon_csrf`` is the pre-sign-in double-submit value; ``new_anon`` says it was just made
    and must be set as a cookie; ``stale_session`` says the session cookie held an unknown or
    expired token and must be cleared.
    """

    user: User | None
    token: str | None
    anon_csrf: str
    new_anon: bool = False
    stale_session: bool = False

    @property
    def csrf(self) -> str:
        """The token every form of this visitor must send back."""
        if self.token is not None:
            return hmac.new(self.token.encode(), b"volition web form", hashlib.sha256).hexdigest()
        return self.anon_csrf

    def csrf_ok(self, submitted: str) -> bool:
        """Whether a form's CSRF token is this visitor's (compared in constant time)."""
        if self.token is None and self.new_anon:
            return False  # no cookie came with the form: nothing to compare against
        return bool(submitted) and hmac.compare_digest(self.csrf, submitted)


def visitor(request: Request, bazaar: BazaarDep) -> Visitor:
    """The visitor of ``request``: authenticated from the session cookie, if any."""
    token = request.cookies.get(SESSION_COOKIE) or None
    user = None
    stale = False
    if token is not None:
        try:
            user = bazaar.authenticate(token)
        except Unauthorized:
            token, stale = None, True
    anon = request.cookies.get(CSRF_COOKIE, "")
    new_anon = not (20 <= len(anon) <= 100)
    if new_anon:
        anon = secrets.token_urlsafe(_ANON_BYTES)
    return Visitor(user, token, anon, new_anon=new_anon, stale_session=stale)


VisitorDep = Annotated[Visitor, Depends(visitor)]


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def apply_cookies(response: Response, visitor: Visitor, request: Request) -> None:
    """Set the anonymous CSRF cookie when it was just made; clear a stale session cookie."""
    if visitor.new_anon:
        response.set_cookie(
            CSRF_COOKIE,
            visitor.anon_csrf,
            httponly=True,
            samesite="lax",
            secure=_secure(request),
            path="/",
        )
    if visitor.stale_session:
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


def start_session(
    response: Response, request: Request, token: str, expires_at: datetime, now: datetime
) -> None:
    """Hand the browser its bearer token as the session cookie, expiring with the token."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max(0, int((expires_at - now).total_seconds())),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )


def end_session(response: Response) -> None:
    """Clear the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
