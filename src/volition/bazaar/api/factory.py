"""Building the app and its inspection engine, also for servers with several worker processes.

``volition serve --workers N`` prepares the database (migrations, demo data) once, then each
uvicorn worker calls ``app_from_env`` to open its own connections. Settings travel in
environment variables: ``VOLITION_DATABASE_URL``, ``VOLITION_STARTING_GRANT`` (cents),
``VOLITION_CORS_ORIGINS`` (comma-separated), ``VOLITION_THREADS`` (request threads),
``VOLITION_REDIS_URL`` (the sign-in counts in Redis instead of the database),
``VOLITION_TRUSTED_PROXIES`` (comma-separated addresses or networks whose X-Forwarded-For
to believe) and ``VOLITION_INSPECTORS`` (the operator's LLM inspectors,
``volition.bazaar.inspectors``).

Uvicorn workers never step inspections: their apps can start and show them, and the stepping
is done by one runner in the process that supervises them (``volition serve``), or by
``volition worker`` processes (``volition serve --no-inspections``); both share the work
through the leases of ``SqlInspectionRepository``.
"""

from __future__ import annotations

import os
from datetime import timedelta

from fastapi import FastAPI

from volition.agents import BuyerAgent
from volition.bazaar.api.app import DEFAULT_THREADS, ApiSettings, create_app
from volition.bazaar.domain import Bazaar, BazaarSettings
from volition.bazaar.inspection import InspectionEngine, SellerPool
from volition.bazaar.inspection.engine import AgentResolver
from volition.bazaar.inspectors import Inspectors
from volition.bazaar.platform import assemble
from volition.bazaar.security import Argon2Hasher
from volition.bazaar.storage import SqlInspectionRepository, SqlStore
from volition.errors import InputError

__all__ = ["app_from_env", "inspection_engine", "settings_from_env", "trusted_proxies_from_env"]


def settings_from_env() -> tuple[BazaarSettings, ApiSettings]:
    """The platform and HTTP settings named by the environment (workers never step)."""
    grant = os.environ.get("VOLITION_STARTING_GRANT", "0")
    if not grant.isdigit():
        raise InputError(f"VOLITION_STARTING_GRANT must be whole cents >= 0, not {grant!r}")
    origins = tuple(o for o in os.environ.get("VOLITION_CORS_ORIGINS", "").split(",") if o)
    threads = os.environ.get("VOLITION_THREADS", str(DEFAULT_THREADS))
    if not threads.isdigit() or int(threads) < 1:
        raise InputError(f"VOLITION_THREADS must be a whole number >= 1, not {threads!r}")
    # only server workers use this: freeze the start-up objects out of the GC's view
    api = ApiSettings(
        cors_origins=origins,
        freeze_gc=True,
        threads=int(threads),
        run_inspections=False,
        signin_storage=os.environ.get("VOLITION_REDIS_URL") or None,
        trusted_proxies=trusted_proxies_from_env(),
    )
    return BazaarSettings(starting_grant=int(grant)), api


def trusted_proxies_from_env() -> tuple[str, ...]:
    """``$VOLITION_TRUSTED_PROXIES``: comma-separated addresses or networks (none: trust no
    X-Forwarded-For header)."""
    raw = os.environ.get("VOLITION_TRUSTED_PROXIES", "")
    return tuple(p.strip() for p in raw.split(",") if p.strip())


def inspection_engine(
    bazaar: Bazaar,
    store: SqlStore,
    buyer: BuyerAgent | AgentResolver | None = None,
    *,
    bots: SellerPool | None = None,
    lease: timedelta = timedelta(minutes=5),
    worker_id: str | None = None,
) -> InspectionEngine:
    """The inspection engine of a server or worker: state in ``store``'s database; ``buyer``:
    one agent, or a function choosing each inspection's (default: the offline buyer)."""
    return InspectionEngine(
        bazaar,
        buyer,
        bots=bots if bots is not None else (),
        repository=SqlInspectionRepository(store),
        lease=lease,
        worker_id=worker_id,
    )


def app_from_env() -> FastAPI:
    """An app on the database of ``$VOLITION_DATABASE_URL`` (already migrated)."""
    bazaar_settings, api_settings = settings_from_env()
    store = SqlStore.open(migrate=False)
    bazaar = Bazaar(store, hasher=Argon2Hasher(), settings=bazaar_settings)
    platform = assemble(bazaar, store, inspectors=Inspectors.from_env())
    app = create_app(bazaar, api_settings, inspections=platform.engine)
    app.state.bot_service = platform.bots
    return app
