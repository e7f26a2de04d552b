"""Hostile posts to the forecast question's resolution form (issue 13), as a browser would
send them: no CSRF token, a stranger, the buyer (not the resolver), unknown, NUL and enormous
outcomes, an unknown question; each is refused with an HTML page saying why (or a sign-in
redirect) and the question stays unresolved until its resolver resolves it once."""

from __future__ import annotations

from datetime import timedelta

from tests.support.people import PASSWORD
from tests.support.web import Site, WebClient, csrf_of
from volition.bazaar.domain import ContextSpec
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.domain.forecasts import ForecastSpec


def _signed_in(site: Site, name: str) -> WebClient:
    client = site.client()
    r = client.submit("/signin", "/signin", {"name": name, "password": PASSWORD})
    assert r.status_code == 303, r.text
    return client


def test_the_resolution_form_refuses_every_hostile_post_and_resolves_once(site: Site) -> None:
    site.sign_up("alice")
    mallory = site.sign_up("mallory")
    site.credit("alice", 1_000)
    b = site.bazaar
    forecasts = Forecasts(b)
    closes = b.clock() + timedelta(seconds=30)
    context, _ = forecasts.post(
        b.find_user("alice").id,
        ContextSpec("Will it rain?", 100),
        ForecastSpec(("rain", "dry"), closes),
    )
    real_clock = b.clock
    b.clock = lambda: real_clock() + timedelta(hours=1)  # past its close time
    page, action = f"/contexts/{context.id}/forecast", f"/contexts/{context.id}/resolve"
    root = _signed_in(site, "root")
    alice = _signed_in(site, "alice")

    def unresolved() -> bool:
        question = forecasts.question(context.id)
        return question is not None and question.resolution is None

    # no CSRF token, and a token of another session
    assert root.post(action, data={"outcome": "rain"}).status_code in (400, 403)
    stolen = csrf_of(mallory.get("/contexts/new").text)
    r = root.post(action, data={"csrf_token": stolen, "outcome": "rain"})
    assert r.status_code in (400, 403)
    # not signed in: asked to sign in, nothing resolved
    with site.client() as anonymous:
        r = anonymous.post(action, data={"outcome": "rain"})
        assert r.status_code in (303, 401, 403)
    # a stranger and the buyer are not the resolver (the operator is)
    for who in (mallory, alice):
        r = who.submit("/contexts/new", action, {"outcome": "rain"})
        assert r.status_code == 403 and "operator" in r.text and "<html" in r.text.lower()
    # unknown, NUL, empty and enormous outcomes; an unknown question
    for outcome in ("snow", "rain\x00", "", "rain" * 20_000):
        r = root.submit(page, action, {"outcome": outcome})
        assert 400 <= r.status_code < 500, (outcome[:20], r.status_code)
        assert "<html" in r.text.lower()
    r = root.submit(page, "/contexts/ctx_nope/resolve", {"outcome": "rain"})
    assert r.status_code == 404
    assert unresolved()

    r = root.submit(page, action, {"outcome": "rain"})
    assert r.status_code == 303
    question = forecasts.question(context.id)
    assert question is not None and question.resolution is not None
    assert question.resolution.outcome == "rain"
    r = root.submit(page, action, {"annulled": "1"})
    assert r.status_code == 409 and "already resolved" in r.text
    question = forecasts.question(context.id)
    assert question is not None and question.resolution is not None
    assert question.resolution.outcome == "rain"
