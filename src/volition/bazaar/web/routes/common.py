"""What every page route shares: form field types, the POST guard, sign-in redirects,
``user_page``, the one shape of a signed-in visitor's page, and ``submit``, the one shape of a
signed-in form POST (guard, act, go on or show the refusal)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Form, Request
from fastapi.responses import Response
from pydantic import AfterValidator

from volition.bazaar.api.text import storable_form
from volition.bazaar.domain import User
from volition.bazaar.web.rendering import error_page, failure, redirect, render
from volition.bazaar.web.session import Visitor
from volition.errors import VolitionError

__all__ = [
    "CSRF_REFUSED",
    "Field",
    "Page",
    "Refusal",
    "csrf_refused",
    "guard",
    "refused_on",
    "safe_next",
    "sign_in_first",
    "submit",
    "user_page",
]

# Every field is optional text: a missing or malformed one becomes the page's own message.
Field = Annotated[str, Form(), AfterValidator(storable_form)]  # storable text, else 422


CSRF_REFUSED = (
    "This form has expired or did not come from this site, so nothing was done. "
    "Reload the page and try again."
)


def safe_next(target: str) -> str:
    """A local path to go to after signing in; anything else (another site) becomes ``/``."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def sign_in_first(request: Request, visitor: Visitor) -> Response:
    """Send an anonymous visitor to the sign-in page, coming back here afterwards."""
    here = request.url.path if request.method == "GET" else "/"
    return redirect(request, visitor, f"/signin?next={quote(here, safe='/')}")


def csrf_refused(request: Request, visitor: Visitor, csrf: str) -> Response | None:
    """None when a form POST carries the visitor's CSRF token; else the 403 page to send."""
    if visitor.csrf_ok(csrf):
        return None
    return render(request, visitor, "error.html", 403, error=CSRF_REFUSED)


def guard(request: Request, visitor: Visitor, csrf: str) -> User | Response:
    """Check a signed-in form POST: the CSRF token first, then that someone is signed in.

    Returns the user, or the response to send instead (403 page, or the sign-in page).
    """
    refused = csrf_refused(request, visitor, csrf)
    if refused is not None:
        return refused
    if visitor.user is None:
        return sign_in_first(request, visitor)
    return visitor.user


# A page bound to its request and contents, shown as ``page(status, error, **values)``.
Page = Callable[..., Response]


def user_page(
    request: Request,
    visitor: Visitor,
    template: str,
    read: Callable[[User], dict[str, Any]],
    status: int = 200,
    error: str | None = None,
    **values: Any,
) -> Response:
    """A signed-in visitor's page: ``template`` with what ``read(user)`` finds and ``values``
    (the error page when the domain refuses); an anonymous visitor is sent to sign in first.
    """
    if visitor.user is None:
        return sign_in_first(request, visitor)
    try:
        found = read(visitor.user)
    except VolitionError as exc:
        return error_page(request, visitor, exc)
    return render(request, visitor, template, status, error=error, **found, **values)


# What a form POST answers when the domain refuses it: usually its page again, with the
# status and message of the error (``failure``) and the form as typed.
Refusal = Callable[[VolitionError], Response]


def refused_on(page: Callable[[int, str], Response]) -> Refusal:
    """The refusal that shows ``page(status, message)``: the form's own page, with the error."""
    return lambda exc: page(*failure(exc))


def submit(
    request: Request,
    visitor: Visitor,
    csrf: str,
    action: Callable[[User], str],
    refused: Refusal | None = None,
) -> Response:
    """A signed-in form POST: the guard (CSRF token, then sign-in), then ``action(user)``,
    which does the work and returns where to go next; when the domain refuses it
    (``VolitionError``: nothing changed), ``refused(exc)`` is shown (default: the error page).
    """
    user = guard(request, visitor, csrf)
    if isinstance(user, Response):
        return user
    try:
        target = action(user)
    except VolitionError as exc:
        if refused is None:
            return error_page(request, visitor, exc)
        return refused(exc)
    return redirect(request, visitor, target)
