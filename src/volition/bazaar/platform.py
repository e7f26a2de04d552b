"""The assembled platform: the bazaar with its stored bots and its inspection engine.

One place builds what ``volition serve``, ``volition worker`` and the server's worker
processes share: the inspection engine on the database (``SqlInspectionRepository``), the
stored bot sellers as its seller pool (``BotDispatcher``, whose job pass also answers contexts
nobody inspects), and each inspection's buyer agent chosen by name on the operator's
inspectors (:class:`BuyerAgents`, ``volition.bazaar.inspectors``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from volition.agents import BuyerAgent, LLMBuyer, OfflineBuyer
from volition.bazaar.bot_dispatch import BotDispatcher, bot_service_for
from volition.bazaar.domain import Bazaar
from volition.bazaar.domain.bot_service import BotService
from volition.bazaar.inspection import Inspection, InspectionEngine, InspectionLimits
from volition.bazaar.inspection.pricing import FREE, Pricing
from volition.bazaar.inspection.runner import Work
from volition.bazaar.inspectors import OFFLINE, InspectorInfo, Inspectors
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
    """Each inspection's buyer agent, from its agent and inspector names (issue 10).

    ``offline``: the deterministic offline buyer (no network). ``llm``: an LLM buyer on one of
    the operator's ``inspectors``, named by the inspection. Never an endpoint a buyer stored:
    whoever runs the model reads every offer the inspection reads (a buyer's own endpoint,
    ``PUT /api/me/llm``, is for that buyer's bots only).
    """

    names = AGENT_NAMES

    def __init__(self, inspectors: Inspectors | None = None) -> None:
        self.inspectors = inspectors or Inspectors()

    def choose(self, agent: str | None, inspector: str | None) -> tuple[str, str | None]:
        """The (agent, inspector) an inspection starts with, or ``InputError`` saying why not.

        No inspector (or ``offline``) means the offline buyer; an operator's inspector means
        the ``llm`` agent on it; ``llm`` without an inspector names none and is refused."""
        if agent is not None and agent not in AGENT_NAMES:
            raise InputError(f"unknown buyer agent {agent!r}; choose {' or '.join(AGENT_NAMES)}")
        names = ", ".join(map(repr, self.inspectors.names))
        if inspector is None or inspector == OFFLINE:
            if agent == "llm":
                raise InputError(
                    "the llm agent runs only on one of the operator's inspectors: name one "
                    f'("inspector": NAME) among {names} (GET /api/inspectors); your own LLM '
                    "endpoint (PUT /api/me/llm) is for your bots and never reads offers for you"
                )
            return "offline", OFFLINE
        if inspector not in self.inspectors:
            raise InputError(
                f"there is no inspector {inspector!r} on this server; choose one of {names}"
            )
        if agent == "offline":
            raise InputError(
                f"the offline agent runs on no model; leave out the inspector {inspector!r} "
                "or ask for the llm agent"
            )
        return "llm", inspector

    def pricing(self, inspection: Inspection) -> Pricing:
        """What the inspection's inspector charges per token (``offline``: nothing)."""
        if inspection.agent != "llm":
            return FREE
        return self.inspectors.pricing(inspection.inspector)

    def catalogue(self) -> list[InspectorInfo]:
        """The inspectors a buyer may choose: names, words and prices only."""
        return self.inspectors.public()

    def __call__(self, inspection: Inspection) -> BuyerAgent:
        if inspection.agent == "offline":
            return cast(BuyerAgent, OfflineBuyer())
        if inspection.agent == "llm":
            if inspection.inspector is None:
                raise InputError(
                    f"inspection {inspection.id} was started with the buyer's own LLM endpoint, "
                    "which no longer inspects; start a new one with an operator's inspector"
                )
            return cast(BuyerAgent, LLMBuyer(self.inspectors.endpoint(inspection.inspector)))
        raise InputError(
            f"unknown buyer agent {inspection.agent!r}; choose {' or '.join(AGENT_NAMES)}"
        )


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
    inspectors: Inspectors | None = None,
    limits: InspectionLimits = DEFAULT_LIMITS,
    lease: timedelta = timedelta(minutes=5),
    worker_id: str | None = None,
) -> Platform:
    """The platform on ``store``: stored bots answer (as the engine's seller pool and in their
    job pass), and inspections run with the agents of :class:`BuyerAgents` on the operator's
    ``inspectors`` (none: only the offline one)."""
    service = bot_service_for(bazaar)
    dispatcher = BotDispatcher(bazaar, service)
    bazaar.subscribe(dispatcher.listen)  # posted contexts are answered first
    sender = sender_for(store, bazaar)
    if sender is not None:  # PostgreSQL: other processes' runners hear this one's events
        bazaar.subscribe(sender)
    engine = InspectionEngine(
        bazaar,
        BuyerAgents(inspectors),
        bots=dispatcher,
        repository=SqlInspectionRepository(store),
        limits=limits,
        lease=lease,
        worker_id=worker_id,
    )
    return Platform(bazaar, service, dispatcher, engine)
