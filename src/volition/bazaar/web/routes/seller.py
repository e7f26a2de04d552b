"""The seller's inbox (contexts their matchers let through) and their matchers."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import Response

from volition.bazaar.api.deps import BazaarDep
from volition.bazaar.domain import Bazaar, User
from volition.bazaar.web.form_models import MatcherForm, Posted
from volition.bazaar.web.rendering import error_page, render
from volition.bazaar.web.routes.common import Field, refused_on, sign_in_first, submit
from volition.bazaar.web.session import Visitor, VisitorDep
from volition.errors import VolitionError

router = APIRouter()


def _inbox(
    request: Request,
    bazaar: Bazaar,
    visitor: Visitor,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    assert visitor.user is not None
    try:
        bazaar.expire_due()
        contexts = bazaar.inbox(visitor.user.id)
        matchers = bazaar.matchers(visitor.user.id)
    except VolitionError as exc:
        return error_page(request, visitor, exc)
    return render(
        request,
        visitor,
        "inbox.html",
        status,
        error=error,
        contexts=contexts,
        matchers=matchers,
        form=form or MatcherForm().echo(),
    )


@router.get("/inbox")
def inbox(request: Request, bazaar: BazaarDep, visitor: VisitorDep) -> Response:
    """Active contexts for you: matched, naming you, or asking about your offers."""
    if visitor.user is None:
        return sign_in_first(request, visitor)
    return _inbox(request, bazaar, visitor)


@router.post("/inbox/matchers")
def add_matcher(
    request: Request,
    bazaar: BazaarDep,
    visitor: VisitorDep,
    form: Posted[MatcherForm],
) -> Response:
    """Add a matcher: any of the keywords, a minimum budget and priority, an age limit."""

    def add(user: User) -> str:
        bazaar.add_matcher(user.id, **form.matcher())
        return "/inbox?notice=matcher-added"

    again = partial(_inbox, request, bazaar, visitor, form=form.echo())
    return submit(request, visitor, form.csrf_token, add, refused_on(again))


@router.post("/inbox/matchers/{matcher_id}/remove")
def remove_matcher(
    matcher_id: str,
    request: Request,
    bazaar: BazaarDep,
    visitor: VisitorDep,
    csrf_token: Field = "",
) -> Response:
    """Delete one of your matchers."""

    def remove(user: User) -> str:
        bazaar.remove_matcher(user.id, matcher_id)
        return "/inbox?notice=matcher-removed"

    again = partial(_inbox, request, bazaar, visitor)
    return submit(request, visitor, csrf_token, remove, refused_on(again))
