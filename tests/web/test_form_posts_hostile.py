"""Every web form POST, attacked over HTTP after the move to typed form models
(``web/form_models.py``): without its CSRF token or with another session's, a NUL in any
field, a 2 MB body, a field given twice, hostile numbers in the record-minimum and matcher-rate
fields, racing duplicates of one offer, a refused form that must not echo a secret, and the
question page's escrows for anyone but its buyer. Each refusal is a clear 4xx page and
changes nothing: balances, ledgers, contexts, offers, matchers and bots are as before.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from fractions import Fraction
from urllib.parse import urlencode

import pytest

from tests.support.people import PASSWORD
from tests.support.web import Site, WebClient, csrf_of
from volition.bazaar.domain import ContextSpec, audit
from volition.bazaar.domain.escrow_records import EscrowTerms
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.domain.forecasts import ForecastSpec

SECRET = "the bridge is closed at 6 pm"  # a seller's private info


class World:
    """A served site with a buyer (alice), a seller (carol), a question and an offer."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.alice = site.sign_up("alice")
        self.carol = site.sign_up("carol", buyer=False, seller=True)
        self.mallory = site.sign_up("mallory", seller=True)
        site.credit("alice", 5_000)
        b = site.bazaar
        self.buyer = b.find_user("alice")
        self.seller = b.find_user("carol")
        closes = b.clock() + timedelta(minutes=30)
        question, _ = Forecasts(b).post(
            self.buyer.id,
            ContextSpec("Will the bridge open?", 1_000),
            ForecastSpec(("open", "closed"), closes, max_escrow=300),
        )
        self.context = question.id
        self.offer = b.post_offer(
            self.seller.id, self.context, preview="bridge news", private_info=SECRET, price=100
        ).id

    def state(self) -> tuple[object, ...]:
        """Everything a form could change."""
        b = self.site.bazaar
        people = [self.buyer.id, self.seller.id, b.find_user("mallory").id]
        with b.store.begin(write=False) as uow:
            bots = sorted(bot.id for bot in uow.bots.all())
        return (
            [b.balances(p) for p in people],
            [len(b.ledger(p)) for p in people],
            sorted(c.id for p in people for c in b.contexts(p, mine=True)),
            [(o.id, o.status) for o in b.offers(self.buyer.id, self.context)],
            [m.id for p in people for m in b.matchers(p)],
            bots,
            b.context(self.buyer.id, self.context).status,
        )


def _forms(w: World) -> list[tuple[WebClient, str, str, dict[str, str]]]:
    """(who, page with the form, action, good fields) for every form POST of the pages."""
    c, o = w.context, w.offer
    here = f"/contexts/{c}"
    return [
        (w.alice, "/contexts/new", "/contexts", {"query": "Rain?", "budget": "1.00"}),
        (
            w.mallory,
            here,
            f"{here}/offers",
            {"preview": "p", "private_info": "i", "price": "0.10", "escrow_rate": "0.5"}
            | {"escrow_cap": "1.00"},
        ),
        (w.alice, here, f"{here}/offers/{o}/buy", {}),
        (w.carol, here, f"{here}/offers/{o}/withdraw", {}),
        (w.alice, here, f"{here}/cancel", {}),
        (w.carol, "/inbox", "/inbox/matchers", {"keywords": "rain", "min_purchase_rate": "0.5"}),
        (
            w.carol,
            "/bots/new/fixed",
            "/bots",
            {"name": "b1", "preview": "p", "private_info": "i", "price": "0.10"},
        ),
        (
            w.carol,
            "/bots/new/llm",
            "/bots/llm",
            {"name": "b2", "instructions": "x"}
            | {"price": "0.10", "base_url": "http://127.0.0.1:9/v1", "model": "m"},
        ),
        (
            w.carol,
            "/bots/llm-endpoint",
            "/bots/llm-endpoint",
            {"base_url": "http://127.0.0.1:9/v1", "model": "m", "api_key": "sk-hostile"},
        ),
        (w.alice, here, f"{here}/inspect", {"inspector": "offline"}),
    ]


def test_no_form_acts_without_its_own_sessions_csrf_token(site: Site) -> None:
    w = World(site)
    other_token = csrf_of(site.sign_up("eve").get("/").text)  # a token of eve's session
    before = w.state()
    for who, _, action, fields in _forms(w):
        for token in ("", "forged", other_token):
            r = who.post(action, data={"csrf_token": token, **fields})
            assert r.status_code == 403, (action, token, r.status_code)
            assert "did not come from this site" in r.text
    anonymous = site.client()
    for _, _page, action, fields in _forms(w):
        r = anonymous.post(
            action, data={"csrf_token": csrf_of(anonymous.get("/signin").text), **fields}
        )
        assert r.status_code == 303 and r.headers["location"].startswith("/signin"), action
    assert w.state() == before
    assert audit(site.bazaar.store) == []


def test_a_nul_in_any_field_a_huge_body_or_repeated_fields_change_nothing(site: Site) -> None:
    w = World(site)
    before = w.state()
    for who, page, action, fields in _forms(w):
        for name in fields or {"csrf_token": ""}:  # a form of a button: its token
            r = who.submit(page, action, fields | {name: "a\x00b"})
            assert r.status_code in (403, 422) if not fields else r.status_code == 422, (
                action,
                name,
                r.status_code,
            )
            assert not fields or name in r.text
        r = who.submit(page, action, fields | {"preview": "x" * 2_100_000})
        assert r.status_code == 413, (action, r.status_code)
        assert w.state() == before, action
    token = csrf_of(w.alice.get("/contexts/new").text)
    repeated = [("csrf_token", token), ("query", "Rain?"), ("budget", "1.00"), ("budget", "9e99")]
    form = {"content-type": "application/x-www-form-urlencoded"}
    r = w.alice.post("/contexts", content=urlencode(repeated), headers=form)
    assert r.status_code == 422  # a field given twice is malformed: which one was meant?
    assert w.state() == before
    assert audit(site.bazaar.store) == []


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("record_min_offers", "-1", "whole number"),
        ("record_min_offers", "9" * 40, "whole number"),
        ("record_min_offers", "1.5", "whole number"),
        ("record_min_value", "nan", "value per dollar"),
        ("record_min_value", "inf", "value per dollar"),
        ("record_min_value", "1e309", "value per dollar"),
        ("record_max_gap", "1.5", "calibration gap"),
        ("record_max_gap", "-0.1", "calibration gap"),
        ("record_max_gap", "lots", "calibration gap"),
    ],
)
def test_hostile_record_minimums_are_refused_with_nothing_reserved(
    site: Site, field: str, value: str, words: str
) -> None:
    alice = site.sign_up("alice")
    site.credit("alice", 1_000)
    fields = {"query": "Rain?", "budget": "5.00", field: value}
    r = alice.submit("/contexts/new", "/contexts", fields)
    assert r.status_code == 422 and words in r.text, r.text[-600:]
    buyer = site.bazaar.find_user("alice")
    assert site.bazaar.contexts(buyer.id, mine=True) == []
    assert site.bazaar.balances(buyer.id).cash == 1_000


@pytest.mark.parametrize("value", ["nan", "inf", "-0.1", "1.5", "1e999", "half"])
@pytest.mark.parametrize("field", ["min_inspection_rate", "min_purchase_rate"])
def test_hostile_matcher_rates_are_refused_and_add_nothing(
    site: Site, field: str, value: str
) -> None:
    carol = site.sign_up("carol", buyer=False, seller=True)
    r = carol.submit("/inbox", "/inbox/matchers", {"keywords": "rain", field: value})
    assert r.status_code == 422 and "rate" in r.text
    assert site.bazaar.matchers(site.bazaar.find_user("carol").id) == []


def test_racing_duplicates_of_one_offer_post_it_once(site: Site) -> None:
    w = World(site)
    page = f"/contexts/{w.context}"
    token = csrf_of(w.mallory.get(page).text)
    fields = {"csrf_token": token, "preview": "dup", "private_info": "dup info", "price": "0.20"}
    fields |= {"escrow_rate": "0.25", "escrow_cap": "2.00", "idempotency_key": "one-offer"}
    barrier = threading.Barrier(4)
    codes: list[int] = []

    def post() -> None:
        barrier.wait()
        codes.append(w.mallory.post(f"{page}/offers", data=fields).status_code)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes.count(303) >= 1 and all(c in (303, 409) for c in codes), codes
    mine = [o for o in site.bazaar.offers(w.buyer.id, w.context) if o.preview == "dup"]
    assert len(mine) == 1
    assert audit(site.bazaar.store) == []


def test_a_refused_form_never_echoes_a_password_or_an_api_key(site: Site) -> None:
    w = World(site)
    r = site.client().submit("/signin", "/signin", {"name": "alice", "password": "wrong-Pa55"})
    assert r.status_code == 401 and "wrong-Pa55" not in r.text
    r = site.client().submit("/signup", "/signup", {"name": "a", "password": "short-Pa55"})
    assert r.status_code == 422 and "short-Pa55" not in r.text
    fields = {"base_url": "ftp://nowhere", "model": "m", "api_key": "sk-very-secret-key"}
    r = w.carol.submit("/bots/llm-endpoint", "/bots/llm-endpoint", fields)
    assert r.status_code == 422 and "sk-very-secret-key" not in r.text
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        r = site.client().submit(
            "/signin", "/signin", {"name": "alice", "password": PASSWORD, "next": target}
        )
        assert r.status_code == 303 and "evil" not in r.headers["location"], target


def test_only_the_buyer_sees_a_questions_escrows_or_its_private_info(site: Site) -> None:
    w = World(site)
    escrowed = site.bazaar.post_offer(
        w.seller.id,
        w.context,
        preview="escrowed note",
        private_info="the escrowed secret",
        price=10,
        pay_on_resolution=EscrowTerms(Fraction(1, 2), 200),
    )
    site.bazaar.buy_blind(w.buyer.id, escrowed.id)
    page = f"/contexts/{w.context}/forecast"
    mine = w.alice.get(page).text
    assert 'data-testid="escrows"' in mine
    for who in (w.carol, w.mallory, site.client()):  # the seller, a stranger, anyone
        seen = who.get(page).text + who.get(f"/contexts/{w.context}").text
        assert 'data-testid="escrows"' not in seen
        if who is not w.carol:  # carol reads her own offers' info; nobody else
            assert "the escrowed secret" not in seen and SECRET not in seen
    assert "the escrowed secret" in w.alice.get("/me/purchases").text
    assert SECRET not in w.alice.get("/me/purchases").text + mine  # not bought


def test_context_buttons_refuse_another_users_ids_with_nothing_changed(site: Site) -> None:
    """Mallory, signed in with her own valid token, presses the buttons of alice's context and
    carol's offer, also under a URL naming her own context, and an offer that does not exist:
    each is refused with a 4xx page naming why, and nothing changes."""
    w = World(site)
    mallory_ctx = site.bazaar.post_context(
        site.bazaar.find_user("mallory").id, ContextSpec("Mine?", 0)
    ).id
    here, mine, o = f"/contexts/{w.context}", f"/contexts/{mallory_ctx}", w.offer
    before = w.state()
    token = csrf_of(w.mallory.get(here).text)
    for action in (
        f"{here}/offers/{o}/buy",  # alice's offer: only alice buys on her context
        f"{mine}/offers/{o}/buy",  # the same offer under a URL of mallory's own context
        f"{here}/offers/{o}/withdraw",  # carol's offer
        f"{mine}/offers/{o}/withdraw",
        f"{here}/cancel",  # alice's context
        f"{here}/offers/off_does_not_exist/buy",
    ):
        r = w.mallory.post(action, data={"csrf_token": token})
        assert r.status_code in (403, 404), (action, r.status_code)
        assert "error" in r.text.lower(), action
    assert w.state() == before
    assert site.bazaar.context(w.buyer.id, w.context).status.value == "open"
    assert audit(site.bazaar.store) == []


def test_signed_in_pages_and_matcher_removal_refuse_strangers(site: Site) -> None:
    """The pages built by ``routes.common.user_page`` (inbox, operator, bots, purchases,
    ledger): anonymous visitors are sent to sign in, a non-operator is refused the operator's
    page, and nobody shows another user's matchers, purchases or ledger. Removing another
    seller's matcher, by its id with one's own valid token, is refused and removes nothing."""
    w = World(site)
    site.bazaar.buy_blind(w.buyer.id, w.offer)  # alice's purchase: carol's secret is hers
    carol_matcher = site.bazaar.add_matcher(w.seller.id, keywords=("bridge-words",))
    anonymous = site.client()
    for page in ("/inbox", "/operator", "/bots", "/me/purchases", "/me/ledger"):
        r = anonymous.get(page)
        assert r.status_code == 303 and r.headers["location"].startswith("/signin"), page
    assert w.mallory.get("/operator").status_code == 403
    for page in ("/inbox", "/bots", "/me/purchases", "/me/ledger"):
        shown = w.mallory.get(page)
        assert shown.status_code == 200, page
        assert SECRET not in shown.text and "bridge-words" not in shown.text, page
    assert SECRET in w.alice.get("/me/purchases").text  # the buyer reads what she bought
    before = w.state()
    token = csrf_of(w.mallory.get("/inbox").text)
    for matcher_id in (carol_matcher.id, "mat_does_not_exist", "x" * 3_000):
        r = w.mallory.post(f"/inbox/matchers/{matcher_id}/remove", data={"csrf_token": token})
        assert r.status_code in (403, 404, 422), (matcher_id[:20], r.status_code)
    assert w.state() == before
    assert [m.id for m in site.bazaar.matchers(w.seller.id)] == [carol_matcher.id]
