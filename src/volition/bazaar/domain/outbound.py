"""The operator's policy for the URLs users give the server to call (docs/design.md, "Trust model").

A seller's LLM bot base URL and a user's stored LLM endpoint must be public http(s) URLs
(``volition.agents.llm.outbound``), checked when saved and again, by the endpoint's client,
when called. ``$VOLITION_ALLOW_PRIVATE_URLS=1`` allows internal addresses: for a server whose
users' models run on its own network, for the demo and for the tests' local model servers.
"""

from __future__ import annotations

import os

from volition.agents.llm.outbound import check_url

__all__ = ["ALLOW_PRIVATE_URLS", "check_base_url", "private_urls_allowed", "truthy"]

ALLOW_PRIVATE_URLS = "VOLITION_ALLOW_PRIVATE_URLS"


def truthy(text: str) -> bool:
    """Whether a setting's text says yes: ``1``, ``true`` or ``yes``."""
    return text.strip().lower() in ("1", "true", "yes")


def private_urls_allowed() -> bool:
    """Whether the operator allows internal addresses (read at each use)."""
    return truthy(os.environ.get(ALLOW_PRIVATE_URLS, ""))


def check_base_url(url: str) -> None:
    """Refuse a user's base URL that is not http(s), or (unless allowed) not public."""
    check_url(url, allow_internal=private_urls_allowed())
