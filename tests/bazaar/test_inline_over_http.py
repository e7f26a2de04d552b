"""The busy routes over real HTTP, inline (the default) and in request threads (--no-inline):
the same answers, the work where the setting puts it."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tests.support.api import Api, ok
from tests.support.people import CHEAP_HASHER
from volition.bazaar.api import ApiSettings
from volition.bazaar.api.deps import Caller
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.domain import Bazaar, MemoryStore, User
from volition.bazaar.platform import assemble
from volition.bazaar.server import build_app


@pytest.fixture
def where(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the threads the busy routes' work (its authentication) ran in."""
    names: list[str] = []
    user, optional_user = Caller.user, Caller.optional_user

    def recorded_user(self: Caller) -> User:
        names.append(threading.current_thread().name)
        return user(self)

    def recorded_optional(self: Caller) -> User | None:
        names.append(threading.current_thread().name)
        return optional_user(self)

    monkeypatch.setattr(Caller, "user", recorded_user)
    monkeypatch.setattr(Caller, "optional_user", recorded_optional)
    yield names


@pytest.mark.parametrize("inline", [True, False])
def test_the_busy_routes_answer_alike_inline_or_in_request_threads(
    inline: bool, where: list[str]
) -> None:
    bazaar = Bazaar(MemoryStore(), hasher=CHEAP_HASHER)
    root = bazaar.bootstrap_operator("root", "password123")
    settings = ApiSettings(run_inspections=False, expiry_sweep_seconds=0, inline=inline)
    with serve_in_thread(build_app(assemble(bazaar), settings)) as url:
        api = Api(url)
        buyer = api.sign_up("alice", ("buyer",))
        seller = api.sign_up("bob", ("seller",))
        bazaar.credit(root.id, bazaar.find_user("alice").id, 1_000)
        ctx = ok(buyer.post("/api/contexts", json={"query": "rain?", "budget": 500}), 201)
        assert [c["id"] for c in ok(seller.get("/api/contexts"))] == [ctx["id"]]
        body = {"preview": "radar", "private_info": "rain at 3", "price": 200}
        offer = ok(seller.post(f"/api/contexts/{ctx['id']}/offers", json=body), 201)
        assert ok(buyer.get(f"/api/contexts/{ctx['id']}/offers"))[0]["private_info"] is None
        ok(buyer.post(f"/api/offers/{offer['id']}/purchase"), 201)
        assert ok(buyer.get(f"/api/offers/{offer['id']}"))["private_info"] == "rain at 3"
        assert ok(buyer.get("/api/me"))["balances"] == {"cash": 500, "reserved": 300, "earnings": 0}
        api.close()
    assert len(where) == 7
    in_threads = [name.startswith("request") for name in where]
    assert in_threads == [not inline] * 7, where
