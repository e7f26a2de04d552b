"""Where an endpoint a user supplied may be called: public addresses only (docs/design.md, "Trust
model": what a user supplies that the server will call is checked for internal addresses).

A base URL is checked twice. When it is saved, :func:`check_url` refuses a scheme other than
http(s) and a host any of whose addresses is internal. When it is called, DNS may answer
otherwise, so a guarded client (:func:`guarded_http_client`) resolves the host itself, checks
every address and connects to a checked one (TLS still verifies the name), for each
connection, redirects included. An address is internal when it is loopback, private,
link-local, multicast, reserved, unspecified, shared (100.64/10) or otherwise not global,
IPv4 inside IPv6 (``::ffff:127.0.0.1``, NAT64, 6to4) is judged as the IPv4 address, and the
clouds' metadata addresses are named too. Numeric hosts (``2130706433``, ``0x7f.1``) are
read as the system's resolver reads them, which is how the connection would read them.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

# the HTTP stack of the ``openai`` client (its dependency), which the guarded client plugs into
import httpcore2 as httpcore
import httpx2 as httpx

from volition.errors import InputError

__all__ = [
    "InternalAddress",
    "check_url",
    "guarded_http_client",
    "internal_reason",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class InternalAddress(InputError):
    """A URL whose host is (or resolves to) an address inside the server's network."""


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def internal_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` is internal (``"loopback"``, ``"private"``, ...), or None if it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return internal_reason(embedded)
    if ip in METADATA:
        return "a cloud metadata address"
    for name in ("loopback", "unspecified", "link_local", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{name}"):
            return f"a {name.replace('_', '-')} address"
    if not ip.is_global:
        return "not a public address"
    return None


def _resolve(host: str, port: int) -> list[IPAddress]:
    """Every address of ``host``, read as the system's resolver (and so a connection) reads it;
    ``OSError`` if it has none."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: dict[IPAddress, None] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        found[ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])] = None
    return list(found)


def _split(url: str) -> tuple[str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InputError(f"the base URL {url!r} is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise InputError(
            f"the base URL {url!r} is not an http(s) URL: start it with http:// or https:// "
            "(like https://api.example.com/v1)"
        )
    if not parts.hostname:
        raise InputError(f"the base URL {url!r} names no host")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def check_url(url: str, *, allow_internal: bool = False) -> None:
    """Refuse ``url`` unless it is http(s) and (unless ``allow_internal``) its host resolves,
    to public addresses only (``InternalAddress``, the same words whether a name does not
    resolve or resolves inside)."""
    host, port = _split(url)
    if allow_internal:
        return
    try:
        reasons = [internal_reason(ip) for ip in _resolve(host, port)]
    except (OSError, UnicodeError, ValueError):
        reasons = ["it does not resolve"]
    found = next((r for r in reasons if r is not None), None) if reasons else "no address"
    if found is None:
        return
    # A name's own addresses are not told: that would map the server's network for the caller.
    literal = _literal(host)
    why = f"{literal} is {found}" if literal is not None else "its host has no public address"
    raise InternalAddress(
        f"the base URL {url!r} cannot be called from this server ({why}): give the public "
        "URL of your LLM endpoint (the operator may allow internal addresses with "
        "VOLITION_ALLOW_PRIVATE_URLS=1)"
    )


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


class _PublicOnly(httpcore.NetworkBackend):
    """Connects only to public addresses: resolves, checks every address, connects to those."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = _resolve(host, port)
        except (OSError, UnicodeError, ValueError):
            raise httpcore.ConnectError("the host could not be resolved") from None
        if not addresses or any(internal_reason(ip) is not None for ip in addresses):
            # the same words as a refused connection: the caller learns nothing of the inside
            raise httpcore.ConnectError("the address is not public")
        failure: Exception | None = None
        for ip in addresses:
            try:
                return self._inner.connect_tcp(
                    str(ip), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not public addresses")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport on the public-only network backend, without proxies."""

    def __init__(self) -> None:
        super().__init__(trust_env=False)
        limits = httpx.Limits(max_connections=10, max_keepalive_connections=5)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_PublicOnly(),
        )


def guarded_http_client(**kwargs: Any) -> httpx.Client:
    """An ``httpx2.Client`` (what ``openai`` takes) that connects to public addresses only
    (for every redirect too) and ignores the environment's proxy settings; ``kwargs`` as for
    ``httpx2.Client``."""
    return httpx.Client(transport=_GuardedTransport(), trust_env=False, **kwargs)
