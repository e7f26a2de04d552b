"""The assembled platform: the bazaar with its stored bots and its inspection engine.

One place builds what ``volition serve``, ``volition worker`` and the server's worker
processes share: the inspection engine on the database (``SqlInspectionRepository``), the
stored bot sellers as its seller pool (``BotDispatcher``, whose job pass also answers contexts
nobody inspects), and each inspection's buyer agent chosen by name (:class:`BuyerAgents`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from volition.agents import BuyerAgent, Endpoint, LLMBuyer, OfflineBuyer
from volition.bazaar.bot_dispatch import BotDispatcher, bot_service_for, endpoint_for
from volition.bazaar.domain import Bazaar
from volition.bazaar.domain.bot_service import BotService
from volition.bazaar.errors import NotFound
from volition.bazaar.inspection import Inspection, InspectionEngine, InspectionLimits
from volition.bazaar.inspection.runner import Work
from volition.bazaar.storage import SqlInspectionRepository, SqlStore
from volition.bazaar.storage.notify import sender_for
from volition.errors import InputError

__all__ = ["AGENT_NAMES", "DEFAULT_LIMITS", "DEMO_LIMITS", "BuyerAgents", "Platform", "assemble"]

AGENT_NAMES = ("offline", "llm")

DEFAULT_LIMITS = InspectionLimits(max_depth=1, min_offers=3, gather_timeout=timedelta(minutes=2))
"""A server's inspections unless the buyer asks otherwise: one level of follow-ups; each node
decides with three offers, or after two minutes (bots answer at once, people need time)."""

DEMO_LIMITS = InspectionLimits(max_depth=1, min_offers=3, gather_timeout=timedelta(seconds=3))
"""``volition serve --demo``: the demo's sellers are bots, so a node waits three seconds, long
enough to watch the tree grow."""


class BuyerAgents:
    """Each inspection's buyer agent, by the name it was started with.

    ``offline``: the deterministic offline buyer (no network). ``llm``: an LLM buyer on the
    buyer's own stored endpoint (``PUT /api/me/llm``; its key decrypted for that one agent), or
    on ``endpoint`` when the operator gives one to all. ``forced`` runs every inspection with
    one agent, whatever it was started with.
    """

    names = AGENT_NAMES

    def __init__(
        self,
        service: BotService,
        *,
        endpoint: Endpoint | None = None,
        forced: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        if forced is not None and forced not in AGENT_NAMES:
            raise InputError(f"the agent must be one of {', '.join(AGENT_NAMES)}, not {forced!r}")
        self.service = service
        self.endpoint = endpoint
        self.forced = forced
        self.timeout = timeout

    def check(self, buyer_id: str, name: str) -> None:
        """Refuse, before anything starts, an agent the buyer cannot use."""
        if name not in AGENT_NAMES:
            raise InputError(f"unknown buyer agent {name!r}; choose {' or '.join(AGENT_NAMES)}")
        if (self.forced or name) == "llm" and self.endpoint is None:
            try:
                self.service.credential(buyer_id)
            except NotFound:
                raise InputError(
                    "the llm agent uses your own LLM endpoint: store it first "
                    "(PUT /api/me/llm, or the bots page), or inspect with the offline agent"
                ) from None

    def __call__(self, inspection: Inspection) -> BuyerAgent:
        name = self.forced or inspection.agent
        if name == "offline":
            return cast(BuyerAgent, OfflineBuyer())
        if name == "llm":
            endpoint = self.endpoint or endpoint_for(
                self.service, inspection.buyer_id, timeout=self.timeout
            )
            return cast(BuyerAgent, LLMBuyer(endpoint))
        raise InputError(f"unknown buyer agent {name!r}; choose {' or '.join(AGENT_NAMES)}")


@dataclass(frozen=True, slots=True)
class Platform:
    """The parts one process runs: the bots' service and dispatcher, the inspection engine."""

    bazaar: Bazaar
    bots: BotService
    dispatcher: BotDispatcher
    engine: InspectionEngine

    @property
    def work(self) -> tuple[Work, ...]:
        """The background jobs besides the inspection steps: the bots' job pass."""
        return (self.dispatcher.run_due,)


def assemble(
    bazaar: Bazaar,
    store: SqlStore,
    *,
    endpoint: Endpoint | None = None,
    forced_agent: str | None = None,
    limits: InspectionLimits = DEFAULT_LIMITS,
    lease: timedelta = timedelta(minutes=5),
    worker_id: str | None = None,
) -> Platform:
    """The platform on ``store``: stored bots answer (as the engine's seller pool and in their
    job pass), and inspections run with the agents of :class:`BuyerAgents`."""
    service = bot_service_for(bazaar)
    dispatcher = BotDispatcher(bazaar, service)
    bazaar.subscribe(dispatcher.listen)  # posted contexts are answered first
    sender = sender_for(store, bazaar)
    if sender is not None:  # PostgreSQL: other processes' runners hear this one's events
        bazaar.subscribe(sender)
    engine = InspectionEngine(
        bazaar,
        BuyerAgents(service, endpoint=endpoint, forced=forced_agent),
        bots=dispatcher,
        repository=SqlInspectionRepository(store),
        limits=limits,
        lease=lease,
        worker_id=worker_id,
    )
    return Platform(bazaar, service, dispatcher, engine)
