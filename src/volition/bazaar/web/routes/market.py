"""The market: open contexts, posting a context, a context's page and what can be done there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from volition.bazaar.api.deps import BazaarDep
from volition.bazaar.domain import Bazaar, User
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.web.form_models import ContextForm, OfferForm, Posted
from volition.bazaar.web.rendering import error_page, render
from volition.bazaar.web.routes.common import Field, refused_on, sign_in_first, submit
from volition.bazaar.web.routes.inspections import inspect_panel
from volition.bazaar.web.session import Visitor, VisitorDep
from volition.bazaar.web.views import ACTIVE_STATUSES, context_page
from volition.errors import VolitionError

router = APIRouter()


@router.get("/")
def home(request: Request, bazaar: BazaarDep, visitor: VisitorDep) -> Response:
    """Open public contexts (never follow-ups); your balances and contexts when signed in.

    "Your contexts" are those you posted: the follow-ups your inspector posted are shown
    inside their inspection, not here as if you had written them."""
    try:
        bazaar.expire_due()
        open_contexts = bazaar.contexts(None, statuses=ACTIVE_STATUSES)
        balances = mine = None
        if visitor.user is not None:
            balances = bazaar.balances(visitor.user.id)
            posted = bazaar.contexts(visitor.user.id, mine=True, limit=50)
            mine = [c for c in posted if not c.by_inspector]
    except VolitionError as exc:
        return error_page(request, visitor, exc)
    return render(
        request, visitor, "home.html", contexts=open_contexts, balances=balances, mine=mine
    )


_BLANK_CONTEXT = ContextForm(priority="0.5", reveal="with_parent").echo()


@router.get("/contexts/new")
def new_context_form(request: Request, visitor: VisitorDep, about: str = "") -> Response:
    """The form to post a decision context; ``?about=OFFER_ID`` starts a follow-up about an
    offer on one of your contexts."""
    if visitor.user is None:
        return sign_in_first(request, visitor)
    form = {**_BLANK_CONTEXT, "parents": about[:2000]}
    return render(request, visitor, "context_new.html", form=form)


@router.post("/contexts")
def post_context(
    request: Request,
    bazaar: BazaarDep,
    visitor: VisitorDep,
    form: Posted[ContextForm],
) -> Response:
    """Post a context; its budget is reserved from your cash, or, for a follow-up about offers
    on one of your contexts, from that context's budget, with the amnesia policy chosen."""

    def post(user: User) -> str:
        key = form.idempotency_key or None
        context = bazaar.post_context(user.id, form.spec(bazaar.clock()), idempotency_key=key)
        return f"/contexts/{context.id}?notice=posted"

    def again(status: int, message: str) -> Response:
        echo = form.echo()
        return render(request, visitor, "context_new.html", status, error=message, form=echo)

    return submit(request, visitor, form.csrf_token, post, refused_on(again))


def _context(
    request: Request,
    bazaar: Bazaar,
    visitor: Visitor,
    context_id: str,
    status: int = 200,
    **values: Any,
) -> Response:
    try:
        page = context_page(bazaar, visitor.user, context_id)
    except VolitionError as exc:
        return error_page(request, visitor, exc)
    values.setdefault("offer_form", OfferForm().echo())
    values.setdefault("inspect", inspect_panel(request, page))
    question = Forecasts(bazaar).question(context_id)
    values.setdefault("is_question", question is not None)
    values.setdefault("question_max_escrow", question.max_escrow if question else 0)
    return render(request, visitor, "context.html", status, page=page, **values)


@router.get("/contexts/{context_id}")
def show_context(
    context_id: str, request: Request, bazaar: BazaarDep, visitor: VisitorDep
) -> Response:
    """A context with its offers; private info only where the viewer may read it."""
    try:
        bazaar.expire_due()
    except VolitionError as exc:
        return error_page(request, visitor, exc)
    return _context(request, bazaar, visitor, context_id)


@router.post("/contexts/{context_id}/offers")
def post_offer(
    context_id: str,
    request: Request,
    bazaar: BazaarDep,
    visitor: VisitorDep,
    form: Posted[OfferForm],
) -> Response:
    """Offer information on a context: a preview, private info, a price, whether an
    inspector in doubt may quote it to fact-checkers (unless ``no_quotation`` is ticked), and
    a bid to be read (the attention auction; blank: none)."""

    def offer(user: User) -> str:
        posted = bazaar.post_offer(user.id, context_id, **form.terms())
        return f"/contexts/{posted.context_id}?notice=offered"

    def again(status: int, message: str) -> Response:
        echo = form.echo()
        return _context(
            request, bazaar, visitor, context_id, status, error=message, offer_form=echo
        )

    return submit(request, visitor, form.csrf_token, offer, refused_on(again))


class _OnContext:
    """A button on a context's page (buy, withdraw, cancel): the context, the visitor and the
    form's CSRF token, gathered by FastAPI as the route's dependency."""

    def __init__(
        self,
        context_id: str,
        request: Request,
        bazaar: BazaarDep,
        visitor: VisitorDep,
        csrf_token: Field = "",
    ) -> None:
        self.context_id, self.request, self.bazaar = context_id, request, bazaar
        self.visitor, self.csrf_token = visitor, csrf_token

    def act(self, action: Callable[[User], str], notice: str) -> Response:
        """``action(user)`` for the signed-in user, which returns the context's id: back to its
        page with a notice, or the page again with the domain's error (nothing changed)."""

        def again(status: int, message: str) -> Response:
            return _context(
                self.request, self.bazaar, self.visitor, self.context_id, status, error=message
            )

        return submit(
            self.request,
            self.visitor,
            self.csrf_token,
            lambda user: f"/contexts/{action(user)}?notice={notice}",
            refused_on(again),
        )


OnContext = Annotated[_OnContext, Depends()]


@router.post("/contexts/{context_id}/offers/{offer_id}/buy")
def buy_blind(offer_id: str, on: OnContext, idempotency_key: Field = "") -> Response:
    """Buy an offer on its preview alone (the naive market)."""
    key = idempotency_key or None
    return on.act(
        lambda user: on.bazaar.buy_blind(user.id, offer_id, idempotency_key=key).context_id,
        "bought",
    )


@router.post("/contexts/{context_id}/offers/{offer_id}/withdraw")
def withdraw_offer(offer_id: str, on: OnContext) -> Response:
    """Withdraw your offer (before anyone inspected or bought it)."""
    return on.act(lambda user: on.bazaar.withdraw_offer(user.id, offer_id).context_id, "withdrawn")


@router.post("/contexts/{context_id}/cancel")
def cancel_context(on: OnContext) -> Response:
    """Cancel your context; what is left of its budget returns to your cash."""
    return on.act(lambda user: on.bazaar.cancel_context(user.id, on.context_id).id, "cancelled")
