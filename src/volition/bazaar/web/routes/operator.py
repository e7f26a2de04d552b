"""The operator's page: credit money to a user (funding), and check the books."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from volition.bazaar.api.deps import BazaarDep
from volition.bazaar.domain import Bazaar
from volition.bazaar.errors import Forbidden
from volition.bazaar.web.forms import parse_money
from volition.bazaar.web.rendering import error_page, failure, redirect, render
from volition.bazaar.web.routes.common import Field, guard, sign_in_first
from volition.bazaar.web.session import Visitor, VisitorDep
from volition.errors import VolitionError

router = APIRouter()


def _page(
    request: Request,
    bazaar: Bazaar,
    visitor: Visitor,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    assert visitor.user is not None
    try:
        problems = bazaar.audit(visitor.user.id)
    except VolitionError as exc:
        return error_page(request, visitor, exc)
    form = form or {"user": "", "amount": ""}
    return render(
        request, visitor, "operator.html", status, error=error, problems=problems, form=form
    )


@router.get("/operator")
def operator_page(request: Request, bazaar: BazaarDep, visitor: VisitorDep) -> Response:
    """The credit form and the ledger audit; operators only."""
    if visitor.user is None:
        return sign_in_first(request, visitor)
    if not visitor.user.is_operator:
        return error_page(request, visitor, Forbidden("only an operator can see this page"))
    return _page(request, bazaar, visitor)


@router.post("/operator/credits")
def credit(
    request: Request,
    bazaar: BazaarDep,
    visitor: VisitorDep,
    csrf_token: Field = "",
    idempotency_key: Field = "",
    user: Field = "",
    amount: Field = "",
) -> Response:
    """Credit a user's cash from the funding source."""
    actor = guard(request, visitor, csrf_token)
    if isinstance(actor, Response):
        return actor
    if not actor.is_operator:  # before looking up the name: a refusal names no one
        return error_page(request, visitor, Forbidden("only an operator can credit money"))
    try:
        target = bazaar.find_user(user.strip())
        bazaar.credit(
            actor.id,
            target.id,
            parse_money(amount, "the amount"),
            idempotency_key=idempotency_key or None,
        )
    except VolitionError as exc:
        status, message = failure(exc)
        return _page(request, bazaar, visitor, status, message, {"user": user, "amount": amount})
    return redirect(request, visitor, "/operator?notice=credited")
