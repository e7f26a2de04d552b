"""The HTTP API on a platform: routers under ``/api``, errors mapped once, CORS closed.

``create_app`` makes the API half of the server; ``volition.bazaar.server.build_app`` (one
level above both) plugs the web pages into it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import math
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from limits.storage import MemoryStorage, Storage, storage_from_string
from starlette.concurrency import run_in_threadpool
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from volition.bazaar.analysis_limits import AnalysisLimits
from volition.bazaar.api import threads
from volition.bazaar.api.analysis_pool import AnalysisPool
from volition.bazaar.api.deps import Services
from volition.bazaar.api.docs_pages import install_docs_pages
from volition.bazaar.api.errors import install_error_handlers
from volition.bazaar.api.limits import BodyLimit
from volition.bazaar.api.ratelimit import SignInGuard, SignInLimits
from volition.bazaar.api.routes import (
    analysis,
    bots,
    contexts,
    forecasts,
    matchers,
    offers,
    operator,
    users,
)
from volition.bazaar.api.routes import inspections as inspections_routes
from volition.bazaar.api.text import UrlTextCheck
from volition.bazaar.config import DEFAULT_THREADS, PlatformSettings
from volition.bazaar.domain import Bazaar
from volition.bazaar.domain.token_cache import TokenCache
from volition.bazaar.inspection.runner import InspectionRunner
from volition.bazaar.platform import Platform
from volition.bazaar.storage import SqlStore
from volition.bazaar.storage.limits_storage import SqlLimitsStorage
from volition.bazaar.storage.notify import TokenListener, token_listener_for, watch_commits

__all__ = ["DEFAULT_THREADS", "ApiSettings", "create_app"]

log = logging.getLogger("volition.bazaar.api")


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """HTTP settings. CORS is closed unless origins are listed."""

    cors_origins: Sequence[str] = ()
    max_body_bytes: int = 256 * 1024
    expiry_sweep_seconds: float = 5.0  # 0 turns the background sweep off
    run_inspections: bool = True  # step the inspection engine in this process
    threads: int = DEFAULT_THREADS  # request threads (blocking database work): _tune_process
    inline: bool = True  # the busy routes' work on the event loop (api.threads): _tune_process
    freeze_gc: bool = False  # a long-running server: see _tune_process
    # waits after failed sign-ins per (user name, address) and per address (api.ratelimit)
    signin_limits: SignInLimits = field(default_factory=SignInLimits)
    # where every process keeps those counts: a ``limits`` storage URI (``redis://host:6379``,
    # from $VOLITION_REDIS_URL); None: the bazaar's SQL database (memory for a memory store)
    signin_storage: str | None = None
    # addresses or networks of reverse proxies whose X-Forwarded-For/-Proto to believe;
    # none by default: the client address is the connection's peer
    trusted_proxies: Sequence[str] = ()
    # sizes, time and worker processes of /api/analysis (analysis_limits, analysis_pool)
    analysis: AnalysisLimits = field(default_factory=AnalysisLimits)

    @classmethod
    def of(cls, settings: PlatformSettings, **more: Any) -> ApiSettings:
        """The HTTP settings of the operator's ``settings``, with ``more`` in their place."""
        given = cls(
            cors_origins=settings.cors_origins,
            threads=settings.threads,
            inline=settings.inline,
            signin_storage=settings.redis_url,
            trusted_proxies=settings.trusted_proxies,
            analysis=settings.analysis,
        )
        return replace(given, **more)


def create_app(
    platform: Platform,
    settings: ApiSettings | None = None,
    *,
    signin_guard: SignInGuard | None = None,
) -> FastAPI:
    """The HTTP API on ``platform``. Its inspections and bot jobs are stepped in a background
    thread of this process unless ``settings.run_inspections`` is off (``volition worker``
    processes step them then). ``settings``: default ``ApiSettings.of(platform.settings)``;
    ``signin_guard``: the sign-in limits (default: ``settings.signin_limits`` on
    ``settings.signin_storage``)."""
    settings = settings or ApiSettings.of(platform.settings)
    bazaar = platform.bazaar
    runner = None
    if settings.run_inspections:
        # the sweep below expires contexts already
        runner = InspectionRunner(
            platform.engine,
            extra_work=platform.work,
            expire=False,
            watch=watch_commits(bazaar.store, sqlite=False, own=bazaar),
        )
    analysis_pool = AnalysisPool(settings.analysis)
    tokens = _token_listener(bazaar)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _tune_process(settings)
        if tokens is not None:  # checked tokens kept while heard of (domain.token_cache)
            bazaar.token_cache = tokens.cache
            tokens.start()
        task = None
        if settings.expiry_sweep_seconds > 0:
            task = asyncio.create_task(_sweep(bazaar, settings.expiry_sweep_seconds))
        if runner is not None:
            runner.start()
        yield
        if tokens is not None:
            bazaar.token_cache = None
            await run_in_threadpool(tokens.stop)
        analysis_pool.close()
        if runner is not None:
            await run_in_threadpool(runner.stop)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = FastAPI(
        title="volition bazaar",
        summary="A recursive information market: buyers post decision contexts, sellers offer "
        "information with hidden private parts, and a double-entry ledger moves the money.",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url="/api/openapi.json",
        docs_url=None,  # served offline by install_docs_pages, with ReDoc
        redoc_url=None,
    )
    install_docs_pages(app)
    app.state.services = Services(  # read by api.deps only
        platform,
        signin_guard
        or SignInGuard(_signin_storage(bazaar, settings.signin_storage), settings.signin_limits),
        analysis_pool,
        runner,
    )
    install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
        )

    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        prefixes={"/api/analysis/": settings.analysis.max_body_bytes},
    )
    app.add_middleware(UrlTextCheck)  # a NUL in the path or query: 422 before any lookup
    if settings.trusted_proxies:  # outermost: every other layer sees the real client
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))

    routers = (users, contexts, forecasts, offers, matchers, bots, inspections_routes, operator)
    for module in (*routers, analysis):
        app.include_router(module.router, prefix="/api")

    @app.get("/api/health", tags=["health"])
    def health() -> dict[str, str]:
        """Liveness: the server answers."""
        return {"status": "ok"}

    return app


def _signin_storage(bazaar: Bazaar, uri: str | None) -> Storage:
    """The shared ``limits`` storage of the sign-in counts (see ``ApiSettings``)."""
    if uri:
        storage = storage_from_string(uri)
        assert isinstance(storage, Storage)  # a synchronous one: no "async+" schemes
        return storage
    if isinstance(bazaar.store, SqlStore):
        return SqlLimitsStorage(engine=bazaar.store.engine)
    return MemoryStorage()  # one process's memory: only for stores that live in it too


def _token_listener(bazaar: Bazaar) -> TokenListener | None:
    """On PostgreSQL, where every process hears of changes to tokens and users, a cache of the
    checked tokens and its listener (``storage.notify``); None elsewhere."""
    if not isinstance(bazaar.store, SqlStore):
        return None
    return token_listener_for(bazaar.store, TokenCache())


def _tune_process(settings: ApiSettings) -> None:
    """Process settings for serving, applied as the application starts.

    - ``threads`` request threads for the blocking database work (``api.threads`` for the
      busy routes unless ``inline`` runs them on the event loop, anyio's for the others): on
      a small machine a few threads keep the cores busy, and more only contend for the GIL
      and the connection pool (measured in benchmarks/RESULTS.md);
    - ``freeze_gc`` (``volition serve``): ``gc.freeze()`` moves the objects made so far
      (modules, routes, compiled statements: about 300,000) out of the garbage collector's
      view, so that its full collections, which otherwise stop every request for 100-400 ms
      under load, scan only newer objects. Not for tests, which build many apps in a process.
    """
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
    threads.configure(settings.threads, inline=settings.inline)
    if settings.freeze_gc:
        gc.collect()
        gc.freeze()


async def _sweep(bazaar: Bazaar, every: float) -> None:
    """Expire overdue contexts now and then, releasing their budgets; purge expired tokens."""
    purged_at = -math.inf
    while True:
        await asyncio.sleep(every)
        try:
            await run_in_threadpool(bazaar.expire_due)
        except Exception as exc:  # keep sweeping; the next request will also expire
            log.warning("expiry sweep failed: %s", type(exc).__name__)
        purged_at = await _purge_tokens(bazaar, purged_at)


TOKEN_PURGE_SECONDS = 600.0  # expired tokens already fail; deleting them is housekeeping


async def _purge_tokens(bazaar: Bazaar, last: float) -> float:
    """Delete expired tokens if the last purge is ``TOKEN_PURGE_SECONDS`` old; when it ran."""
    now = time.monotonic()
    if now - last < TOKEN_PURGE_SECONDS:
        return last
    try:
        gone = await run_in_threadpool(bazaar.purge_expired_tokens)
    except Exception as exc:  # try again at the next sweep
        log.warning("token purge failed: %s", type(exc).__name__)
        return last
    if gone:
        log.info("purged %d expired tokens", gone)
    return now
