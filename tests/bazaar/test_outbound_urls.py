"""Users' LLM URLs may not point inside the server's network (issue 10), over real HTTP on
SQLite and PostgreSQL; and a bot's error never tells an open port from a closed one."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.api import ok
from tests.support.bazaar import ApiWorld
from tests.support.databases import SQL_KINDS
from volition.agents.llm.endpoint import UNREACHABLE
from volition.agents.llm.outbound import InternalAddress, check_url, internal_reason
from volition.bazaar.bot_dispatch import BotDispatcher
from volition.bazaar.domain import BotService
from volition.bazaar.domain.outbound import ALLOW_PRIVATE_URLS
from volition.bazaar.secretbox import ENV_VAR, new_key

KEY = "sk-test-VERYSECRET-9876543210"
INTERNAL = [
    "http://127.0.0.1:{port}/v1",
    "http://localhost:{port}/v1",
    "http://2130706433:{port}/",  # 127.0.0.1 as one number
    "http://0x7f.1:{port}/",  # hex, short form
    "http://017700000001:{port}/",  # octal
    "http://[::1]:{port}/v1",
    "http://[::ffff:127.0.0.1]:{port}/v1",  # IPv4-mapped IPv6
    "http://[::ffff:a00:1]/",  # 10.0.0.1, mapped
    "http://[64:ff9b::a9fe:a9fe]/",  # the metadata address through NAT64
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/",
    "http://10.1.2.3/v1",
    "http://172.16.0.1/v1",
    "http://192.168.1.1/v1",
    "http://100.64.0.1/v1",
    "http://0.0.0.0:{port}/",
    "http://[::]:{port}/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
]
PUBLIC = ["https://8.8.8.8/v1", "http://[2001:4860:4860::8888]/v1", "http://1.1.1.1:8080/"]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def open_port() -> Iterator[int]:
    """A port that accepts connections and never answers (listening, but no LLM)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield int(s.getsockname()[1])


@pytest.fixture
def strict(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default policy: no internal addresses (the tests' conftest allows them)."""
    monkeypatch.delenv(ALLOW_PRIVATE_URLS, raising=False)


# ------------------------------------------------------------------ the policy itself


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_in_every_spelling_are_refused(url: str) -> None:
    with pytest.raises(InternalAddress, match="VOLITION_ALLOW_PRIVATE_URLS=1"):
        check_url(url.format(port=8080))
    check_url(url.format(port=8080), allow_internal=True)  # the operator may allow them


@pytest.mark.parametrize("url", PUBLIC)
def test_public_addresses_pass(url: str) -> None:
    check_url(url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://x/", "ftp://8.8.8.8/", "//x/"])
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(Exception, match="http:// or https://"):
        check_url(url, allow_internal=True)


def test_a_name_that_does_not_resolve_is_told_like_an_internal_one() -> None:
    """Else a user could learn which internal names exist."""
    messages = []
    for url in ("http://nothing-here.invalid/v1", "http://localhost/v1"):
        with pytest.raises(InternalAddress) as err:
            check_url(url)
        messages.append(str(err.value).replace(url, "URL"))
    assert messages[0] == messages[1]
    assert "127.0.0.1" not in messages[1]


@given(st.integers(0, 2**32 - 1))
def test_an_ipv4_address_inside_ipv6_is_judged_as_itself(n: int) -> None:
    v4 = ipaddress.IPv4Address(n)
    mapped = ipaddress.IPv6Address(f"::ffff:{v4}")
    nat64 = ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) + n)
    assert internal_reason(mapped) == internal_reason(v4) == internal_reason(nat64)
    assert (internal_reason(v4) is None) == (v4.is_global and not v4.is_multicast)


@given(st.sampled_from(["127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                        "169.254.0.0/16"]), st.integers(0, 2**24 - 1))  # fmt: skip
def test_every_private_ipv4_is_refused_as_a_plain_number(network: str, offset: int) -> None:
    net = ipaddress.IPv4Network(network)
    ip = net.network_address + offset % net.num_addresses
    with pytest.raises(InternalAddress):
        check_url(f"http://{int(ip)}/v1")


# ------------------------------------------------------------------ over HTTP


@pytest.fixture
def master_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, new_key())


def _llm_bot(base_url: str) -> dict[str, Any]:
    return {
        "name": "probe",
        "kind": "llm",
        "price": 10,
        "instructions": "sell",
        "base_url": base_url,
        "model": "m",
    }


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
def test_saving_internal_urls_is_refused_unless_the_operator_allows_them(
    w: ApiWorld, monkeypatch: pytest.MonkeyPatch, master_key: None, strict: None, open_port: int
) -> None:
    for template in INTERNAL:
        url = template.format(port=open_port)
        r = w.seller.put("/api/me/llm", json={"base_url": url, "model": "m", "api_key": KEY})
        assert r.status_code == 422, (url, r.text)
        message = r.json()["message"]
        assert "cannot be called from this server" in message
        assert "public URL" in message and "VOLITION_ALLOW_PRIVATE_URLS=1" in message
        r = w.seller.post("/api/bots", json=_llm_bot(url))
        assert r.status_code == 422, (url, r.text)
        assert "cannot be called from this server" in r.json()["message"]
    assert w.seller.get("/api/me/llm").status_code == 404
    assert ok(w.seller.get("/api/bots")) == []
    # a bot saved with a public URL cannot be moved inside later
    bot = ok(w.seller.post("/api/bots", json=_llm_bot(PUBLIC[0])), 201)
    r = w.seller.patch(f"/api/bots/{bot['id']}", json={"base_url": INTERNAL[0].format(port=1)})
    assert r.status_code == 422, r.text
    assert ok(w.seller.get(f"/api/bots/{bot['id']}"))["base_url"] == PUBLIC[0]
    # the operator allows them
    monkeypatch.setenv(ALLOW_PRIVATE_URLS, "1")
    local = INTERNAL[0].format(port=open_port)
    body = {"base_url": local, "model": "m", "api_key": KEY}
    assert ok(w.seller.put("/api/me/llm", json=body))["base_url"] == local
    assert ok(w.seller.post("/api/bots", json=_llm_bot(local)), 201)["base_url"] == local


def _job_errors(w: ApiWorld, bot_ids: list[str], timeout: float = 0.5) -> list[str]:
    ok(w.buyer.post("/api/contexts", json={"query": "Will it rain?", "budget": 1_000}), 201)
    BotDispatcher(w.bazaar, BotService(w.bazaar), llm_timeout=timeout).run_due()
    errors = []
    for bot_id in bot_ids:
        job = ok(w.seller.get(f"/api/bots/{bot_id}/jobs"))[0]  # the newest
        assert job["status"] == "pending", job  # to be retried later
        errors.append(job["error"])
    return errors


@pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
def test_a_bot_error_never_tells_an_open_port_from_a_closed_one(
    w: ApiWorld, monkeypatch: pytest.MonkeyPatch, open_port: int, closed_port: int
) -> None:
    # saved while the operator allowed internal URLs (or a name that resolved outside then)
    monkeypatch.setenv(ALLOW_PRIVATE_URLS, "1")
    urls = [
        f"http://127.0.0.1:{open_port}/v1",
        f"http://127.0.0.1:{closed_port}/v1",
        "http://nothing-here.invalid/v1",
    ]
    ids = [ok(w.seller.post("/api/bots", json=_llm_bot(u)), 201)["id"] for u in urls]
    # allowed: the calls are made; refused, timed out and unresolved read the same
    allowed = _job_errors(w, ids)
    assert allowed == [f"{UNREACHABLE} (0.5s)"] * 3
    # no longer allowed: the call-time check refuses them all before connecting, alike
    monkeypatch.delenv(ALLOW_PRIVATE_URLS)
    strict_errors = _job_errors(w, ids)
    assert strict_errors == allowed
    text = " ".join(strict_errors + allowed)
    for leak in (str(open_port), str(closed_port), "refused", "Timeout", "Connect"):
        assert leak not in text


def test_the_guarded_client_checks_every_address_and_never_connects_inside(
    monkeypatch: pytest.MonkeyPatch, open_port: int
) -> None:
    """DNS may answer otherwise at call time than at save time: each connection resolves,
    checks every address, and connects to a checked one only."""
    import httpx2

    from volition.agents.llm import outbound

    with outbound.guarded_http_client(timeout=2) as client:
        with pytest.raises(httpx2.ConnectError):
            client.get(f"http://127.0.0.1:{open_port}/v1/models")
        real = socket.getaddrinfo

        def rebinding(host: str, port: int, *args: Any, **kwargs: Any) -> Any:
            if host == "rebinding.example":  # one public and one internal address
                return [*real("8.8.8.8", port, *args, **kwargs), *real("127.0.0.1", port)]
            return real(host, port, *args, **kwargs)

        monkeypatch.setattr(outbound.socket, "getaddrinfo", rebinding)
        with pytest.raises(httpx2.ConnectError):
            client.get(f"http://rebinding.example:{open_port}/v1/models")
    with socket.create_connection(("127.0.0.1", open_port)):
        pass  # the port was open all along: the refusals were the guard's
