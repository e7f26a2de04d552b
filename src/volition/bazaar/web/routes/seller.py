"""The seller's inbox (contexts their matchers let through) and their matchers."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from volition.bazaar.api.deps import BazaarDep
from volition.bazaar.domain import Bazaar, User
from volition.bazaar.web.form_models import MatcherForm, Posted
from volition.bazaar.web.routes.common import Field, Page, refused_on, submit, user_page
from volition.bazaar.web.session import Visitor, VisitorDep

router = APIRouter()
_BLANK = MatcherForm().echo()


def _inbox(request: Request, bazaar: Bazaar, visitor: Visitor) -> Page:
    """The inbox page (``user_page``): the contexts for you, your matchers, and the matcher form
    (blank unless given as typed)."""

    def read(user: User) -> dict[str, Any]:
        bazaar.expire_due()
        return {"contexts": bazaar.inbox(user.id), "matchers": bazaar.matchers(user.id)}

    return partial(user_page, request, visitor, "inbox.html", read, form=_BLANK)


@router.get("/inbox")
def inbox(request: Request, bazaar: BazaarDep, visitor: VisitorDep) -> Response:
    """Active contexts for you: matched, naming you, or asking about your offers."""
    return _inbox(request, bazaar, visitor)()


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

    again = partial(_inbox(request, bazaar, visitor), form=form.echo())
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

    again = _inbox(request, bazaar, visitor)
    return submit(request, visitor, csrf_token, remove, refused_on(again))
