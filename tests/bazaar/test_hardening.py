"""Issue 4 hardening: expired tokens are purged, and the Python client posts follow-up
contexts with their amnesia policy (the sign-in limits: test_signin_limits.py)."""

from __future__ import annotations

import importlib

import httpx
import pytest

from tests.support.databases import SQL_KINDS, StoreFactory
from tests.support.people import CHEAP_HASHER, PASSWORD, FakeClock
from tests.support.servers import wait_for
from volition.bazaar.api import ApiSettings
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.client import BazaarClient
from volition.bazaar.domain import Bazaar, BazaarSettings, RevealPolicy, Store
from volition.bazaar.domain.users import hash_token
from volition.bazaar.errors import Unauthorized
from volition.bazaar.platform import assemble
from volition.bazaar.server import build_app
from volition.errors import InputError

# ------------------------------------------------------------------ expired tokens


ON_SQL = pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)


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
    purges: list[int] = []  # what each purge of the server's sweep deleted
    purge = bazaar.purge_expired_tokens

    def counted() -> int:
        purges.append(purge())
        return purges[-1]

    monkeypatch.setattr(bazaar, "purge_expired_tokens", counted)
    with serve_in_thread(
        build_app(assemble(bazaar), ApiSettings(expiry_sweep_seconds=0.05))
    ) as url:
        r = httpx.post(f"{url}/api/tokens", json={"name": "alice", "password": PASSWORD})
        assert r.status_code == 201
        token = r.json()["access_token"]
        ran = len(purges)
        wait_for(lambda: len(purges) >= ran + 2, "two purges after the sign-in")
        assert _stored(store, token)  # the token is live, so it stays
        clock.advance(bazaar.settings.token_lifetime.total_seconds() + 1)
        wait_for(lambda: not _stored(store, token), "the expired token's purge", timeout=10)
        me = httpx.get(f"{url}/api/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 401


# ------------------------------------------------------------------ client: reveal policy


@ON_SQL  # the client talks HTTP to the SQL stores
def test_the_client_posts_follow_ups_with_their_reveal_policy(store_factory: StoreFactory) -> None:
    bazaar = Bazaar(store_factory(), hasher=CHEAP_HASHER)
    operator = bazaar.bootstrap_operator("root", PASSWORD)
    alice = bazaar.register("alice", PASSWORD)
    bazaar.register("carol", PASSWORD, buyer=False, seller=True)
    bazaar.credit(operator.id, alice.id, 10_000)
    with (
        serve_in_thread(build_app(assemble(bazaar), ApiSettings(expiry_sweep_seconds=0))) as url,
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
