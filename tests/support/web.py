"""The web pages as a browser-like client sees them: a served site, forms with CSRF tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from tests.support.people import PASSWORD

if TYPE_CHECKING:
    from volition.bazaar.domain import Bazaar, User

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    match = _CSRF.search(html)
    assert match is not None, "the page has no form with a CSRF token"
    return match.group(1)


def id_in(location: str, kind: str) -> str:
    """The id after ``/{kind}/`` in a URL (a redirect's location, a page's address)."""
    match = re.search(rf"/{kind}/([A-Za-z0-9_-]+)", location)
    assert match is not None, location
    return match.group(1)


class WebClient(httpx.Client):
    """A browser-like client: keeps cookies and sends forms with the CSRF token of a page."""

    def submit(self, page: str, action: str, data: dict[str, str]) -> httpx.Response:
        """Load ``page``, then post ``data`` to ``action`` with that page's CSRF token."""
        token = csrf_of(self.get(page).text)
        return self.post(action, data={"csrf_token": token, **data})


def post_context(buyer: WebClient, budget: str = "20.00", query: str = "Will it rain?") -> str:
    """The buyer posts a context through its form; its id."""
    r = buyer.submit(
        "/contexts/new",
        "/contexts",
        {"query": query, "budget": budget, "priority": "0.7", "idempotency_key": ""},
    )
    assert r.status_code == 303, r.text
    return id_in(r.headers["location"], "contexts")


@dataclass
class Site:
    """A served bazaar with its operator."""

    url: str
    bazaar: Bazaar
    operator: User

    def client(self) -> WebClient:
        return WebClient(base_url=self.url, timeout=10)

    def sign_up(self, name: str, *, buyer: bool = True, seller: bool = False) -> WebClient:
        """A new user, signed up through the page and signed in."""
        client = self.client()
        roles = {"buyer": "1"} if buyer else {}
        roles |= {"seller": "1"} if seller else {}
        r = client.submit("/signup", "/signup", {"name": name, "password": PASSWORD, **roles})
        assert r.status_code == 303, r.text
        return client

    def credit(self, name: str, cents: int) -> None:
        """The operator credits ``name`` (the domain call behind the operator API)."""
        self.bazaar.credit(self.operator.id, self.bazaar.find_user(name).id, cents)
