"""A Python client for the bazaar's HTTP API (httpx).

>>> with BazaarClient("http://127.0.0.1:8000") as bazaar:  # doctest: +SKIP
...     bazaar.sign_in("alice", "demo-password")
...     ctx = bazaar.post_context("Will it rain in Oslo tomorrow?", budget=500)

Errors come back as volition's own exceptions (``NotFound``, ``InsufficientFunds``, ...) with
the server's message, so code using the client reads like code using the domain. The calls
live by room: the transport (``client_transport``), the market (``client_market``) and the
agents (``client_agents``); ``BazaarClient`` is all of them.
"""

from __future__ import annotations

from volition.bazaar.client_agents import AgentCalls, InspectionTimeout
from volition.bazaar.client_market import MarketCalls

__all__ = ["BazaarClient", "InspectionTimeout"]


class BazaarClient(MarketCalls, AgentCalls):
    """One user's session with a bazaar server: every endpoint of the API as a method."""

    def __enter__(self) -> BazaarClient:
        return self
