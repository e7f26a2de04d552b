"""Sign-up, sign-in, sign-out, and the signed-in user's purchases and ledger."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from volition.bazaar.api.deps import BazaarDep, SignInGuardDep
from volition.bazaar.api.ratelimit import TooManySignIns, client_address
from volition.bazaar.domain import Bazaar, Token, User
from volition.bazaar.errors import Unauthorized
from volition.bazaar.web.form_models import Posted, SignInForm, SignUpForm
from volition.bazaar.web.rendering import redirect, render
from volition.bazaar.web.routes.common import (
    Field,
    Refusal,
    csrf_refused,
    guard,
    refused_on,
    safe_next,
    user_page,
)
from volition.bazaar.web.session import Visitor, VisitorDep, end_session, start_session
from volition.bazaar.web.views import ledger_rows, purchase_rows
from volition.errors import VolitionError

router = APIRouter()


@router.get("/signup")
def signup_form(request: Request, visitor: VisitorDep) -> Response:
    """The sign-up form."""
    return render(request, visitor, "signup.html", name="", buyer=True, seller=False)


@router.post("/signup")
def signup(
    request: Request,
    bazaar: BazaarDep,
    visitor: VisitorDep,
    form: Posted[SignUpForm],
) -> Response:
    """Create an account and sign in with it."""
    buyer, seller = bool(form.buyer), bool(form.seller)

    def issue() -> tuple[str, Token]:
        name = form.name.strip()
        bazaar.register(name, form.password, buyer=buyer, seller=seller)
        return bazaar.issue_token(name, form.password)

    def again(status: int, message: str) -> Response:
        roles = {"buyer": buyer, "seller": seller}
        return render(
            request, visitor, "signup.html", status, error=message, name=form.name, **roles
        )

    done = "/?notice=signed-up"
    return _signed_in(request, bazaar, visitor, form.csrf_token, issue, done, refused_on(again))


@router.get("/signin")
def signin_form(request: Request, visitor: VisitorDep, next: str = "/") -> Response:
    """The sign-in form."""
    return render(request, visitor, "signin.html", name="", next=safe_next(next))


@router.post("/signin")
def signin(
    request: Request,
    bazaar: BazaarDep,
    limits: SignInGuardDep,  # shared with POST /api/tokens
    visitor: VisitorDep,
    form: Posted[SignInForm],
) -> Response:
    """Check the password and hand the browser a session."""
    name, target = form.name, safe_next(form.next)

    def issue() -> tuple[str, Token]:
        address = client_address(request)
        limits.attempt(name, address)  # TooManySignIns: the form again, with Retry-After
        try:
            issued = bazaar.issue_token(name.strip(), form.password)
        except Unauthorized:
            limits.failed(name, address)
            raise
        limits.succeeded(name, address)
        return issued

    def again(status: int, message: str) -> Response:
        return render(
            request, visitor, "signin.html", status, error=message, name=name, next=target
        )

    done = target if target != "/" else "/?notice=signed-in"
    try:
        return _signed_in(request, bazaar, visitor, form.csrf_token, issue, done, refused_on(again))
    except TooManySignIns as exc:
        page = again(exc.status_code, exc.detail)
        page.headers.update(exc.headers or {})
        return page


def _signed_in(
    request: Request,
    bazaar: Bazaar,
    visitor: Visitor,
    csrf: str,
    issue: Callable[[], tuple[str, Token]],
    target: str,
    refused: Refusal,
) -> Response:
    """An account form POST: the CSRF token, then ``issue()`` a token (``refused(exc)`` when the
    domain refuses), then on to ``target`` with the session of that token."""
    csrf_page = csrf_refused(request, visitor, csrf)
    if csrf_page is not None:
        return csrf_page
    try:
        token, record = issue()
    except VolitionError as exc:
        return refused(exc)
    response = redirect(request, visitor, target)
    start_session(response, request, token, record.expires_at, bazaar.clock())
    return response


@router.post("/signout")
def signout(
    request: Request, bazaar: BazaarDep, visitor: VisitorDep, csrf_token: Field = ""
) -> Response:
    """Revoke the session's token and forget the cookie."""
    user = guard(request, visitor, csrf_token)
    if isinstance(user, Response):
        return user
    assert visitor.token is not None  # a signed-in visitor has one
    bazaar.revoke_token(visitor.token)
    response = redirect(request, visitor, "/?notice=signed-out")
    end_session(response)
    return response


@router.get("/me/purchases")
def purchases(request: Request, bazaar: BazaarDep, visitor: VisitorDep) -> Response:
    """What you bought, with the private info you may now read."""

    def read(user: User) -> dict[str, Any]:
        return {"rows": purchase_rows(bazaar, user)}

    return user_page(request, visitor, "purchases.html", read)


@router.get("/me/ledger")
def ledger(request: Request, bazaar: BazaarDep, visitor: VisitorDep) -> Response:
    """Your journal entries and balances."""

    def read(user: User) -> dict[str, Any]:
        return {"rows": ledger_rows(bazaar, user), "balances": bazaar.balances(user.id)}

    return user_page(request, visitor, "ledger.html", read)
