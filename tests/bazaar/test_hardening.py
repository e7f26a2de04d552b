"""Issue 4 hardening: expired tokens are purged, sign-ins are rate limited, and the Python
client posts follow-up contexts with their amnesia policy."""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.bazaar.conftest import CHEAP_HASHER, PASSWORD, SQL_KINDS, FakeClock, StoreFactory
from volition.bazaar.api import ApiSettings, create_app
from volition.bazaar.api.ratelimit import SignInGuard, SignInLimits, SlidingWindow
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.client import BazaarClient
from volition.bazaar.domain import Bazaar, BazaarSettings, RevealPolicy, Store
from volition.bazaar.domain.users import hash_token
from volition.bazaar.errors import Unauthorized
from volition.errors import InputError

# ------------------------------------------------------------------ expired tokens


ON_SQL = pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
# the rate limit lives in the HTTP layer: one SQL store is enough
ON_SQLITE = pytest.mark.parametrize("store_factory", ["sqlite"], indirect=True)


def _stored(store: Store, token: str) -> bool:
    with store.begin(write=False) as uow:
        return uow.tokens.get(hash_token(token)) is not None


def test_signing_in_purges_the_users_expired_tokens(
    bazaar: Bazaar, store: Store, clock: FakeClock
) -> None:
    alice = bazaar.register("alice", PASSWORD)
    bazaar.register("bob", PASSWORD)
    old, _ = bazaar.issue_token("alice", PASSWORD)
    bobs, _ = bazaar.issue_token("bob", PASSWORD)
    clock.advance(bazaar.settings.token_lifetime.total_seconds() + 1)
    with pytest.raises(Unauthorized, match="unknown or expired"):
        bazaar.authenticate(old)
    assert _stored(store, old)  # expired, refused, but still stored until a purge

    new, _ = bazaar.issue_token("alice", PASSWORD)
    assert not _stored(store, old)  # alice's dead token went as she signed in again
    assert _stored(store, new) and bazaar.authenticate(new).id == alice.id
    assert _stored(store, bobs)  # another user's expired token waits for the sweep


def test_the_purge_deletes_every_expired_token_and_only_those(
    bazaar: Bazaar, store: Store, clock: FakeClock
) -> None:
    bazaar.register("alice", PASSWORD)
    bazaar.register("bob", PASSWORD)
    expiring = [bazaar.issue_token(name, PASSWORD)[0] for name in ("alice", "bob", "bob")]
    clock.advance(bazaar.settings.token_lifetime.total_seconds() / 2)
    fresh, _ = bazaar.issue_token("alice", PASSWORD)
    clock.advance(bazaar.settings.token_lifetime.total_seconds() / 2 + 1)
    assert bazaar.purge_expired_tokens() == 3
    assert not any(_stored(store, t) for t in expiring)
    assert _stored(store, fresh) and bazaar.authenticate(fresh).name == "alice"
    assert bazaar.purge_expired_tokens() == 0


@ON_SQL  # the HTTP API is served on the SQL stores
def test_the_servers_sweep_purges_expired_tokens(
    store_factory: StoreFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_module = importlib.import_module("volition.bazaar.api.app")
    monkeypatch.setattr(app_module, "TOKEN_PURGE_SECONDS", 0.1)  # not every 10 minutes
    clock = FakeClock()
    store = store_factory()
    bazaar = Bazaar(store, hasher=CHEAP_HASHER, settings=BazaarSettings(), clock=clock)
    bazaar.register("alice", PASSWORD)
    with serve_in_thread(create_app(bazaar, ApiSettings(expiry_sweep_seconds=0.05))) as url:
        r = httpx.post(f"{url}/api/tokens", json={"name": "alice", "password": PASSWORD})
        assert r.status_code == 201
        token = r.json()["access_token"]
        time.sleep(0.3)  # sweeps ran: the token is live, so it stays
        assert _stored(store, token)
        clock.advance(bazaar.settings.token_lifetime.total_seconds() + 1)
        deadline = time.monotonic() + 10
        while _stored(store, token) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _stored(store, token)
        me = httpx.get(f"{url}/api/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 401


# ------------------------------------------------------------------ sign-in rate limit


class Ticks:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_sliding_window_refuses_past_its_limit_until_the_oldest_event_leaves() -> None:
    ticks = Ticks()
    window = SlidingWindow(limit=2, window=60, clock=ticks)
    assert window.wait("k") == 0
    first = window.add("k")
    ticks.now += 10
    window.add("k")
    assert window.wait("k") == pytest.approx(50)  # the first event leaves at t0 + 60
    assert window.wait("other") == 0  # keys are counted apart
    ticks.now += 50
    assert window.wait("k") == 0
    window.add("k")
    assert window.wait("k") == pytest.approx(10)
    window.forgive("k", first)  # already gone from the window: nothing else changes
    assert window.wait("k") == pytest.approx(10)


def test_forgiven_attempts_do_not_count() -> None:
    guard = SignInGuard(SignInLimits(per_name=2, per_address=100, window_seconds=60), Ticks())
    for _ in range(5):
        stamps = guard.attempt("alice", "10.0.0.1")
        guard.succeeded("alice", "10.0.0.1", stamps)
    guard.attempt("Alice", "10.0.0.1")  # names are counted case-blind
    guard.attempt("alice", "10.0.0.2")
    with pytest.raises(Exception, match="too many sign-in attempts for this user name"):
        guard.attempt("alice", "10.0.0.3")


@pytest.fixture
def limited(store_factory: StoreFactory) -> Iterator[tuple[str, Bazaar]]:
    bazaar = Bazaar(store_factory(), hasher=CHEAP_HASHER)
    for name in ("alice", "bob", "carol"):
        bazaar.register(name, PASSWORD)
    limits = SignInLimits(per_name=3, per_address=5, window_seconds=60)
    settings = ApiSettings(expiry_sweep_seconds=0, signin_limits=limits)
    with serve_in_thread(create_app(bazaar, settings)) as url:
        yield url, bazaar


def _sign_in(url: str, name: str, password: str) -> httpx.Response:
    return httpx.post(f"{url}/api/tokens", json={"name": name, "password": password})


@ON_SQLITE
def test_failed_sign_ins_are_limited_per_user_name(limited: tuple[str, Bazaar]) -> None:
    url, _ = limited
    for _ in range(3):
        assert _sign_in(url, "alice", "wrong password!").status_code == 401
    r = _sign_in(url, "alice", PASSWORD)  # even the right password waits now
    assert r.status_code == 429
    assert r.json()["error"] == "too_many_requests"
    message = r.json()["message"]
    assert "too many sign-in attempts for this user name" in message
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert f"wait {r.headers['Retry-After']} s" in message
    assert PASSWORD not in r.text and "wrong password" not in r.text
    assert _sign_in(url, "bob", PASSWORD).status_code == 201  # another name still signs in


@ON_SQLITE
def test_failed_sign_ins_are_limited_per_client_address(limited: tuple[str, Bazaar]) -> None:
    url, _ = limited
    for name in ("alice", "alice", "bob", "bob"):
        assert _sign_in(url, name, "wrong password!").status_code == 401
    assert _sign_in(url, "nobody", "wrong password!").status_code == 401  # unknown names count
    r = _sign_in(url, "carol", PASSWORD)  # carol never failed, but this address did, 5 times
    assert r.status_code == 429
    assert "too many sign-in attempts for this client address" in r.json()["message"]
    assert int(r.headers["Retry-After"]) >= 1


@ON_SQLITE
def test_successful_sign_ins_are_not_limited(limited: tuple[str, Bazaar]) -> None:
    url, bazaar = limited
    tokens = set()
    for _ in range(8):  # over both limits, all with the right password
        r = _sign_in(url, "alice", PASSWORD)
        assert r.status_code == 201
        tokens.add(r.json()["access_token"])
    assert len(tokens) == 8
    assert all(bazaar.authenticate(t).name == "alice" for t in tokens)


@ON_SQLITE
def test_the_openapi_schema_documents_the_429(limited: tuple[str, Bazaar]) -> None:
    url, _ = limited
    spec = httpx.get(f"{url}/api/openapi.json").json()
    assert "429" in spec["paths"]["/api/tokens"]["post"]["responses"]


# ------------------------------------------------------------------ client: reveal policy


@ON_SQL  # the client talks HTTP to the SQL stores
def test_the_client_posts_follow_ups_with_their_reveal_policy(store_factory: StoreFactory) -> None:
    bazaar = Bazaar(store_factory(), hasher=CHEAP_HASHER)
    operator = bazaar.bootstrap_operator("root", PASSWORD)
    alice = bazaar.register("alice", PASSWORD)
    bazaar.register("carol", PASSWORD, buyer=False, seller=True)
    bazaar.credit(operator.id, alice.id, 10_000)
    with (
        serve_in_thread(create_app(bazaar, ApiSettings(expiry_sweep_seconds=0))) as url,
        BazaarClient(url) as buyer,
        BazaarClient(url) as seller,
    ):
        buyer.sign_in("alice", PASSWORD)
        seller.sign_in("carol", PASSWORD)
        top = buyer.post_context("Will it rain?", 1_000)
        offer = seller.post_offer(top.id, preview="radar", private_info="rain at 3", price=100)
        plain = buyer.post_context("Is the radar right?", 200, parent_offer_ids=[offer.id])
        everything = buyer.post_context(
            "Is the radar right, all told?", 200, parent_offer_ids=[offer.id], reveal="all"
        )
        assert plain.reveal == "with_parent" and everything.reveal == "all"
        assert bazaar.context(alice.id, plain.id).reveal is RevealPolicy.WITH_PARENT
        assert bazaar.context(alice.id, everything.id).reveal is RevealPolicy.ALL
        assert buyer.me().balances.reserved == 1_000  # the follow-ups drew on the parent
        with pytest.raises(InputError, match="reveal"):
            buyer.post_context("Bad policy", 10, parent_offer_ids=[offer.id], reveal="some")
        assert len(bazaar.contexts(alice.id, mine=True)) == 3
