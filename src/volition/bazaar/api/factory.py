"""Building the app from the environment, for servers that start several worker processes.

``volition serve --workers N`` prepares the database (migrations, demo data) once, then each
uvicorn worker calls ``app_from_env`` to open its own connections. Settings travel in
environment variables: ``VOLITION_DATABASE_URL``, ``VOLITION_STARTING_GRANT`` (cents),
``VOLITION_CORS_ORIGINS`` (comma-separated) and ``VOLITION_THREADS`` (request threads).
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from volition.bazaar.api.app import DEFAULT_THREADS, ApiSettings, create_app
from volition.bazaar.domain import Bazaar, BazaarSettings
from volition.bazaar.security import Argon2Hasher
from volition.bazaar.storage import SqlStore
from volition.errors import InputError

__all__ = ["app_from_env", "settings_from_env"]


def settings_from_env() -> tuple[BazaarSettings, ApiSettings]:
    """The platform and HTTP settings named by the environment."""
    grant = os.environ.get("VOLITION_STARTING_GRANT", "0")
    if not grant.isdigit():
        raise InputError(f"VOLITION_STARTING_GRANT must be whole cents >= 0, not {grant!r}")
    origins = tuple(o for o in os.environ.get("VOLITION_CORS_ORIGINS", "").split(",") if o)
    threads = os.environ.get("VOLITION_THREADS", str(DEFAULT_THREADS))
    if not threads.isdigit() or int(threads) < 1:
        raise InputError(f"VOLITION_THREADS must be a whole number >= 1, not {threads!r}")
    # only server workers use this: freeze the start-up objects out of the GC's view
    api = ApiSettings(cors_origins=origins, freeze_gc=True, threads=int(threads))
    return BazaarSettings(starting_grant=int(grant)), api


def app_from_env() -> FastAPI:
    """An app on the database of ``$VOLITION_DATABASE_URL`` (already migrated)."""
    bazaar_settings, api_settings = settings_from_env()
    store = SqlStore.open(migrate=False)
    bazaar = Bazaar(store, hasher=Argon2Hasher(), settings=bazaar_settings)
    return create_app(bazaar, api_settings)
