"""``domain.token_cache``: checked tokens kept only while every change to them is heard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from volition.bazaar.domain.token_cache import TokenCache
from volition.bazaar.domain.users import User

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
LATER = NOW + timedelta(days=1)


def _user(name: str = "alice", operator: bool = False) -> User:
    return User(f"usr_{name}", name, "hash", True, False, operator, NOW)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _listening(**options: object) -> TokenCache:
    cache = TokenCache(**options)  # type: ignore[arg-type]
    cache.listening(True)
    return cache


def test_nothing_is_kept_before_the_listener_connects_or_after_it_is_lost() -> None:
    cache = TokenCache()
    assert cache.ticket() is None
    cache.keep(cache.ticket(), "h", _user(), LATER)
    assert cache.user("h", NOW) is None and len(cache) == 0
    cache.listening(True)
    cache.keep(cache.ticket(), "h", _user(), LATER)
    assert cache.user("h", NOW) == _user()
    cache.listening(False)  # lost: forget all, keep nothing
    assert cache.user("h", NOW) is None and cache.ticket() is None
    cache.keep(0, "h", _user(), LATER)
    assert len(cache) == 0


def test_a_read_begun_before_a_notice_is_not_kept_after_it() -> None:
    cache = _listening()
    ticket = cache.ticket()  # a request starts reading the token...
    cache.forget_all()  # ...its sign-out commits and is heard...
    cache.keep(ticket, "h", _user(), LATER)  # ...and what the request read is dropped
    assert cache.user("h", NOW) is None
    cache.keep(cache.ticket(), "h", _user(), LATER)
    assert cache.user("h", NOW) == _user()


def test_a_reconnection_drops_reads_begun_before_it() -> None:
    cache = _listening()
    ticket = cache.ticket()
    cache.listening(False)
    cache.listening(True)  # notices may have been missed in between
    cache.keep(ticket, "h", _user(), LATER)
    assert len(cache) == 0


def test_a_notice_forgets_every_token() -> None:
    cache = _listening()
    for name in ("a", "b", "c"):
        cache.keep(cache.ticket(), name, _user(name), LATER)
    assert len(cache) == 3
    cache.forget_all()
    assert len(cache) == 0 and all(cache.user(n, NOW) is None for n in "abc")


def test_a_kept_token_expires_at_its_own_time() -> None:
    cache = _listening()
    cache.keep(cache.ticket(), "h", _user(), NOW + timedelta(seconds=5))
    assert cache.user("h", NOW + timedelta(seconds=4)) == _user()
    assert cache.user("h", NOW + timedelta(seconds=5)) is None
    assert len(cache) == 0


def test_an_entry_is_read_again_after_max_age() -> None:
    clock = Clock()
    cache = _listening(max_age=10.0, clock=clock)
    cache.keep(cache.ticket(), "h", _user(), LATER)
    clock.now = 9.9
    assert cache.user("h", NOW) is not None
    clock.now = 10.0
    assert cache.user("h", NOW) is None


def test_the_least_recently_kept_go_first_beyond_the_size() -> None:
    cache = _listening(size=2)
    for name in ("a", "b", "c"):
        cache.keep(cache.ticket(), name, _user(name), LATER)
    assert cache.user("a", NOW) is None
    assert cache.user("b", NOW) == _user("b") and cache.user("c", NOW) == _user("c")


@pytest.mark.parametrize("options", [{"max_age": 0}, {"max_age": -1}, {"size": 0}])
def test_a_cache_that_could_keep_nothing_is_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="max_age > 0 and size >= 1"):
        TokenCache(**options)  # type: ignore[arg-type]


# A random interleaving of requests (each: take a ticket, read the database, keep what it read)
# with sign-outs and listener losses (a sign-out while the listener is down is never heard).
# The database's truth is ``valid``; a request keeps what was true when it read. Invariant: a
# lookup never returns a token that is no longer valid.
_Op = st.one_of(
    st.tuples(st.just("begin"), st.integers(0, 1)),  # a request takes a ticket, reads token i
    st.tuples(st.just("end"), st.integers(0, 3)),  # request j keeps what it read
    st.tuples(st.just("revoke"), st.integers(0, 1)),  # token i signed out (heard if listening)
    st.tuples(st.just("grant"), st.integers(0, 1)),  # a new sign-in makes token i valid again
    st.tuples(st.just("lose"), st.just(0)),
    st.tuples(st.just("connect"), st.just(0)),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_Op, max_size=60))
def test_no_interleaving_serves_a_token_after_its_sign_out_was_heard(
    ops: list[tuple[str, int]],
) -> None:
    cache = TokenCache()
    listening = False
    valid = {0: True, 1: True}
    pending: list[tuple[int | None, int, bool]] = []  # (ticket, token, what the read saw)
    for op, arg in ops:
        if op == "begin":
            ticket = cache.ticket()
            pending.append((ticket, arg, valid[arg]))  # the read, after the ticket
        elif op == "end" and pending:
            ticket, token, seen = pending.pop(arg % len(pending))
            if seen:
                cache.keep(ticket, str(token), _user(str(token)), LATER)
        elif op == "revoke":
            valid[arg] = False
            if listening:  # the trigger's notice, heard; lost while the listener is down
                cache.forget_all()
        elif op == "grant":
            valid[arg] = True  # a token added: no notice, nobody can have kept it
        elif op in ("lose", "connect"):
            listening = op == "connect"
            cache.listening(listening)
        for token, still in valid.items():  # every request now would be answered thus
            if cache.user(str(token), NOW) is not None:
                assert still, f"token {token} served after its sign-out"
