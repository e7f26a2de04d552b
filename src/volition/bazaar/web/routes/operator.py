"""The operator's page: credit money to a user (funding), and check the books."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from volition.bazaar.api.deps import BazaarDep
from volition.bazaar.domain import Bazaar, User
from volition.bazaar.errors import Forbidden
from volition.bazaar.web.form_models import CreditForm, Posted
from volition.bazaar.web.forms import parse_money
from volition.bazaar.web.rendering import error_page
from volition.bazaar.web.routes.common import Page, refused_on, submit, user_page
from volition.bazaar.web.session import Visitor, VisitorDep
from volition.errors import VolitionError

router = APIRouter()
_BLANK = CreditForm().echo()


def _page(request: Request, bazaar: Bazaar, visitor: Visitor) -> Page:
    """The operator page (``user_page``): the ledger audit and the credit form (blank unless
    given as typed); operators only."""

    def read(user: User) -> dict[str, Any]:
        if not user.is_operator:
            raise Forbidden("only an operator can see this page")
        return {"problems": bazaar.audit(user.id)}

    return partial(user_page, request, visitor, "operator.html", read, form=_BLANK)


@router.get("/operator")
def operator_page(request: Request, bazaar: BazaarDep, visitor: VisitorDep) -> Response:
    """The credit form and the ledger audit; operators only."""
    return _page(request, bazaar, visitor)()


@router.post("/operator/credits")
def credit_form(
    request: Request,
    bazaar: BazaarDep,
    visitor: VisitorDep,
    form: Posted[CreditForm],
) -> Response:
    """Credit a user's cash from the funding source."""

    def credit(actor: User) -> str:
        if not actor.is_operator:  # before looking up the name: a refusal names no one
            raise Forbidden("only an operator can credit money")
        target = bazaar.find_user(form.user.strip())
        cents = parse_money(form.amount, "the amount")
        bazaar.credit(actor.id, target.id, cents, idempotency_key=form.idempotency_key or None)
        return "/operator?notice=credited"

    def refused(exc: VolitionError) -> Response:
        if isinstance(exc, Forbidden):
            return error_page(request, visitor, exc)
        return refused_on(partial(_page(request, bazaar, visitor), form=form.echo()))(exc)

    return submit(request, visitor, form.csrf_token, credit, refused)
