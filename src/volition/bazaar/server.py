"""The bazaar's whole HTTP app: the API on a platform, with the web pages plugged in on top.

The one app factory (docs/design.md, "Layers"): above both ``api`` and ``web``, so that
neither imports the other's app. ``volition serve`` builds its app here on the platform it
opened; with ``--workers N`` it prepares the database (migrations, demo data) once, and each
uvicorn worker calls :func:`app_from_env`, which opens its own connections with the settings
of the environment (``PlatformSettings``; the serving process writes its options there).

Uvicorn workers never step inspections: their apps can start and show them, and the stepping
is done by one runner in the process that supervises them (``volition serve``), or by
``volition worker`` processes (``volition serve --no-inspections``); both share the work
through the leases of ``SqlInspectionRepository``.
"""

from __future__ import annotations

from fastapi import FastAPI

from volition.bazaar import web
from volition.bazaar.api import ApiSettings, create_app
from volition.bazaar.api.ratelimit import SignInGuard
from volition.bazaar.config import PlatformSettings
from volition.bazaar.platform import Platform, open_platform

__all__ = ["app_from_env", "build_app"]


def build_app(
    platform: Platform,
    settings: ApiSettings | None = None,
    *,
    signin_guard: SignInGuard | None = None,
) -> FastAPI:
    """The API on ``platform`` (``volition.bazaar.api.create_app``) and the web pages."""
    app = create_app(platform, settings, signin_guard=signin_guard)
    web.install(app)
    return app


def app_from_env() -> FastAPI:
    """A worker's app on the database of ``$VOLITION_DATABASE_URL`` (already migrated)."""
    settings = PlatformSettings.from_env()
    platform = open_platform(settings, migrate=False)
    # only server workers come here: freeze the start-up objects out of the GC's view
    return build_app(platform, ApiSettings.of(settings, freeze_gc=True, run_inspections=False))
