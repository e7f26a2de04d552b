"""The client's agent calls: bot sellers, their LLM endpoint, and inspections."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from volition.bazaar.api.schemas_bots import (
    BotJobPublic,
    BotPublic,
    BotSummary,
    CredentialPublic,
)
from volition.bazaar.api.schemas_inspections import (
    AgentCallPublic,
    InspectionPublic,
    InspectorPublic,
)
from volition.bazaar.client_transport import Transport
from volition.errors import ComputationError

__all__ = ["AgentCalls", "InspectionTimeout"]


class AgentCalls(Transport):
    """The agents' endpoints: your bots and the operator's inspectors working for you."""

    # ------------------------------------------------------------------- bots

    def create_bot(self, name: str, kind: str, price: int, **fields: Any) -> BotPublic:
        """Create a bot seller that offers as you (``fields``: matcher, texts, endpoint)."""
        body = {"name": name, "kind": kind, "price": price, **fields}
        return self._one(BotPublic, self._call("POST", "/bots", json=body))

    def bots(self) -> list[BotPublic]:
        """Your bots."""
        return self._many(BotPublic, self._call("GET", "/bots"))

    def all_bots(self) -> list[BotSummary]:
        """Every user's bots, without private info (operators only)."""
        return self._many(BotSummary, self._call("GET", "/bots", params={"all": "true"}))

    def bot(self, bot_id: str) -> BotPublic:
        """One of your bots."""
        return self._one(BotPublic, self._call("GET", f"/bots/{bot_id}"))

    def update_bot(self, bot_id: str, **changes: Any) -> BotPublic:
        """Change some fields of your bot."""
        return self._one(BotPublic, self._call("PATCH", f"/bots/{bot_id}", json=changes))

    def pause_bot(self, bot_id: str) -> BotPublic:
        """Pause your bot."""
        return self._one(BotPublic, self._call("POST", f"/bots/{bot_id}/pause"))

    def resume_bot(self, bot_id: str) -> BotPublic:
        """Resume your paused bot."""
        return self._one(BotPublic, self._call("POST", f"/bots/{bot_id}/resume"))

    def delete_bot(self, bot_id: str) -> None:
        """Delete your bot (its offers stay)."""
        self._call("DELETE", f"/bots/{bot_id}")

    def bot_jobs(self, bot_id: str) -> list[BotJobPublic]:
        """What your bot answered, per context."""
        return self._many(BotJobPublic, self._call("GET", f"/bots/{bot_id}/jobs"))

    def set_llm(self, base_url: str, model: str, api_key: str) -> CredentialPublic:
        """Store your bots' OpenAI-compatible endpoint (the key is encrypted at rest). Only
        your LLM bots use it, to write offers; it never inspects (see ``inspectors``)."""
        body = {"base_url": base_url, "model": model, "api_key": api_key}
        return self._one(CredentialPublic, self._call("PUT", "/me/llm", json=body))

    def llm(self) -> CredentialPublic:
        """Your bots' stored endpoint, with a hint of the key."""
        return self._one(CredentialPublic, self._call("GET", "/me/llm"))

    def delete_llm(self) -> None:
        """Forget your bots' stored endpoint and key."""
        self._call("DELETE", "/me/llm")

    # ------------------------------------------------------------ inspections

    def start_inspection(
        self,
        context_id: str,
        *,
        agent: str | None = None,
        inspector: str | None = None,
        max_depth: int | None = None,
        max_follow_ups: int | None = None,
        min_offers: int | None = None,
        gather_seconds: float | None = None,
        max_retries: int | None = None,
        policy: str | None = None,
    ) -> InspectionPublic:
        """Have one of the operator's inspectors (``inspector``, see ``inspectors``; default
        the offline buyer) inspect your open context; limits left out take the server's
        defaults. Returns at once; follow it with ``inspection`` or ``wait``."""
        given = {
            "agent": agent,
            "inspector": inspector,
            "max_depth": max_depth,
            "max_follow_ups": max_follow_ups,
            "min_offers": min_offers,
            "gather_seconds": gather_seconds,
            "max_retries": max_retries,
            "policy": policy,
        }
        body = {k: v for k, v in given.items() if v is not None}
        data = self._call("POST", f"/contexts/{context_id}/inspections", json=body)
        return self._one(InspectionPublic, data)

    def inspectors(self) -> list[InspectorPublic]:
        """The operator's inspectors (names, descriptions, prices), the offline one first."""
        return self._many(InspectorPublic, self._call("GET", "/inspectors"))

    def inspection(self, inspection_id: str) -> InspectionPublic:
        """An inspection's status, tree, purchases (ids and prices) and agent usage."""
        return self._one(InspectionPublic, self._call("GET", f"/inspections/{inspection_id}"))

    def context_inspection(self, context_id: str) -> InspectionPublic:
        """The inspection of one of your contexts."""
        return self._one(InspectionPublic, self._call("GET", f"/contexts/{context_id}/inspection"))

    def inspection_audit(self, inspection_id: str) -> list[AgentCallPublic]:
        """The audit trail of an inspection (operators only): ids and numbers, no content."""
        data = self._call("GET", f"/inspections/{inspection_id}/audit")
        return self._many(AgentCallPublic, data)

    def wait_for_inspection(
        self,
        inspection_id: str,
        *,
        timeout: float = 60.0,
        interval: float = 0.5,
        on_poll: Callable[[InspectionPublic], None] | None = None,
    ) -> InspectionPublic:
        """Poll an inspection until it is done (``on_poll`` sees each answer); raise
        ``InspectionTimeout`` if it is still running after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.inspection(inspection_id)
            if on_poll is not None:
                on_poll(found)
            if found.status == "done":
                return found
            if time.monotonic() >= deadline:
                raise InspectionTimeout(
                    f"inspection {inspection_id} is still running after {timeout:g} s "
                    f"({len(found.nodes)} nodes so far); wait longer or look again later"
                )
            time.sleep(min(interval, max(0.0, deadline - time.monotonic())))


class InspectionTimeout(ComputationError):
    """An inspection did not finish within the time the caller was willing to wait."""
