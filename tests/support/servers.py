"""Waiting on servers, processes and threads: readiness polled with a deadline, never a fixed
sleep."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable

import httpx


def wait_until_ready(
    server: subprocess.Popen[str], base: str, timeout: float, poll: float = 0.2
) -> None:
    """Wait until the server at ``base`` answers ``/api/health``; fail with its output if it
    exits first, or after ``timeout`` seconds (readiness, never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base}/api/health").is_success:
                return
        except httpx.TransportError:
            pass
        assert server.poll() is None, server.communicate()[0]
        assert time.monotonic() < deadline, "volition serve did not start"
        time.sleep(poll)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 just now (for a server started in a subprocess)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(
    condition: Callable[[], object], what: str, timeout: float = 30, poll: float = 0.02
) -> None:
    """Poll ``condition`` until it holds; fail saying ``what`` did not happen in ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(poll)
