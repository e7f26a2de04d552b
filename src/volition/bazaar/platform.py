"""The assembled platform: the one place that builds a bazaar's services (docs/design.md).

:func:`open_platform` builds, from the operator's :class:`PlatformSettings`, what ``volition
serve``, ``volition worker``, the server's worker processes, the tests and the benchmarks
share: the store and the bazaar service on it, the stored bots' service and dispatcher (the
engine's seller pool, whose job pass also answers contexts nobody inspects), the inspection
engine (state in the database: ``SqlInspectionRepository``) and each inspection's buyer agent
chosen by name on the operator's inspectors (:class:`BuyerAgents`,
``volition.bazaar.inspectors``). :func:`assemble` builds the same on a bazaar already open (a
test's in-memory one). The HTTP app on a platform is made one level up, in
``volition.bazaar.server``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from volition.agents import BuyerAgent, LLMBuyer, OfflineBuyer
from volition.bazaar.bot_dispatch import BotDispatcher, bot_service_for
from volition.bazaar.config import PlatformSettings
from volition.bazaar.domain import Bazaar, BazaarSettings
from volition.bazaar.domain.bot_service import BotService
from volition.bazaar.domain.passwords import PasswordHasher
from volition.bazaar.inspection import Inspection, InspectionEngine, InspectionLimits
from volition.bazaar.inspection.pricing import FREE, Pricing
from volition.bazaar.inspection.runner import Work
from volition.bazaar.inspectors import OFFLINE, InspectorInfo, Inspectors
from volition.bazaar.security import Argon2Hasher
from volition.bazaar.storage import SqlInspectionRepository, SqlStore
from volition.bazaar.storage.notify import sender_for
from volition.errors import InputError

__all__ = [
    "AGENT_NAMES",
    "DEFAULT_LIMITS",
    "DEMO_LIMITS",
    "BuyerAgents",
    "Platform",
    "assemble",
    "open_bazaar",
    "open_platform",
]

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
    """A bazaar's services in one process: what routes and workers use, typed."""

    bazaar: Bazaar
    agents: BuyerAgents
    bots: BotService
    dispatcher: BotDispatcher
    engine: InspectionEngine
    settings: PlatformSettings

    @property
    def store(self) -> SqlStore:
        """The database the bazaar keeps everything in (``TypeError`` on a memory store)."""
        store = self.bazaar.store
        if not isinstance(store, SqlStore):
            raise TypeError("this platform keeps its bazaar in memory, not in a database")
        return store

    @property
    def work(self) -> tuple[Work, ...]:
        """The background jobs besides the inspection steps: the bots' job pass."""
        return (self.dispatcher.run_due,)

    def close(self) -> None:
        """Close the store's connections (a platform on a database)."""
        if isinstance(self.bazaar.store, SqlStore):
            self.bazaar.store.close()


def open_bazaar(
    settings: PlatformSettings,
    *,
    migrate: bool = True,
    hasher: PasswordHasher | None = None,
) -> Bazaar:
    """The bazaar service on the database of ``settings`` (its schema upgraded unless
    ``migrate`` is off: a server's worker processes find it done)."""
    store = SqlStore.open(settings.database_url, migrate=migrate)
    grant = BazaarSettings(starting_grant=settings.starting_grant)
    return Bazaar(store, hasher=hasher or Argon2Hasher(), settings=grant)


def open_platform(
    settings: PlatformSettings | None = None,
    *,
    migrate: bool = True,
    hasher: PasswordHasher | None = None,
    limits: InspectionLimits = DEFAULT_LIMITS,
    lease: timedelta = timedelta(minutes=5),
    worker_id: str | None = None,
) -> Platform:
    """The platform of ``settings`` (default: the environment's) on its database."""
    settings = settings if settings is not None else PlatformSettings.from_env()
    bazaar = open_bazaar(settings, migrate=migrate, hasher=hasher)
    return assemble(bazaar, settings, limits=limits, lease=lease, worker_id=worker_id)


def assemble(
    bazaar: Bazaar,
    settings: PlatformSettings | None = None,
    *,
    limits: InspectionLimits = DEFAULT_LIMITS,
    lease: timedelta = timedelta(minutes=5),
    worker_id: str | None = None,
) -> Platform:
    """The platform on ``bazaar``: stored bots answer (as the engine's seller pool and in their
    job pass), and inspections run with the agents of :class:`BuyerAgents` on the operator's
    inspectors of ``settings`` (default: the environment's). On a database the inspections'
    state is stored beside the bazaar's; on a memory store, in memory."""
    settings = settings if settings is not None else PlatformSettings.from_env()
    store = bazaar.store
    service = bot_service_for(bazaar, secret_key=settings.secret_key)
    dispatcher = BotDispatcher(bazaar, service)
    bazaar.subscribe(dispatcher.listen)  # posted contexts are answered first
    repository = None
    if isinstance(store, SqlStore):
        repository = SqlInspectionRepository(store)
        sender = sender_for(store, bazaar)
        if sender is not None:  # PostgreSQL: other processes' runners hear this one's events
            bazaar.subscribe(sender)
    agents = BuyerAgents(settings.inspectors)
    engine = InspectionEngine(
        bazaar,
        agents,
        bots=dispatcher,
        repository=repository,
        limits=limits,
        lease=lease,
        worker_id=worker_id,
    )
    return Platform(bazaar, agents, service, dispatcher, engine, settings)
