"""Sign-up, sign-in, sign-out, and the signed-in user's purchases and ledger."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from volition.bazaar.api.deps import BazaarDep, SignInGuardDep
from volition.bazaar.api.ratelimit import TooManySignIns, client_address
from volition.bazaar.errors import Unauthorized
from volition.bazaar.web.form_models import Posted, SignInForm, SignUpForm
from volition.bazaar.web.rendering import error_page, failure, redirect, render
from volition.bazaar.web.routes.common import (
    Field,
    csrf_refused,
    guard,
    safe_next,
    sign_in_first,
)
from volition.bazaar.web.session import VisitorDep, end_session, start_session
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
    refused = csrf_refused(request, visitor, form.csrf_token)
    if refused is not None:
        return refused
    name, password, buyer, seller = form.name.strip(), form.password, form.buyer, form.seller
    try:
        bazaar.register(name, password, buyer=bool(buyer), seller=bool(seller))
        token, record = bazaar.issue_token(name, password)
    except VolitionError as exc:
        status, message = failure(exc)
        roles = {"buyer": bool(buyer), "seller": bool(seller)}
        return render(
            request, visitor, "signup.html", status, error=message, name=form.name, **roles
        )
    response = redirect(request, visitor, "/?notice=signed-up")
    start_session(response, request, token, record.expires_at, bazaar.clock())
    return response


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
    refused = csrf_refused(request, visitor, form.csrf_token)
    if refused is not None:
        return refused
    name, password, next = form.name, form.password, form.next
    address = client_address(request)
    try:
        limits.attempt(name, address)
    except TooManySignIns as exc:
        page = render(
            request,
            visitor,
            "signin.html",
            exc.status_code,
            error=exc.detail,
            name=name,
            next=safe_next(next),
        )
        page.headers.update(exc.headers or {})
        return page
    try:
        token, record = bazaar.issue_token(name.strip(), password)
    except VolitionError as exc:
        if isinstance(exc, Unauthorized):
            limits.failed(name, address)
        status, message = failure(exc)
        return render(
            request, visitor, "signin.html", status, error=message, name=name, next=safe_next(next)
        )
    limits.succeeded(name, address)
    target = safe_next(next)
    response = redirect(request, visitor, target if target != "/" else "/?notice=signed-in")
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
    if visitor.user is None:
        return sign_in_first(request, visitor)
    try:
        rows = purchase_rows(bazaar, visitor.user)
    except VolitionError as exc:
        return error_page(request, visitor, exc)
    return render(request, visitor, "purchases.html", rows=rows)


@router.get("/me/ledger")
def ledger(request: Request, bazaar: BazaarDep, visitor: VisitorDep) -> Response:
    """Your journal entries and balances."""
    if visitor.user is None:
        return sign_in_first(request, visitor)
    try:
        rows = ledger_rows(bazaar, visitor.user)
        balances = bazaar.balances(visitor.user.id)
    except VolitionError as exc:
        return error_page(request, visitor, exc)
    return render(request, visitor, "ledger.html", rows=rows, balances=balances)
