"""The SQL repositories of the bazaar's core tables, one module per aggregate, gathered here.

Users, tokens and idempotency keys: ``user_repositories``; contexts: ``context_repository``;
offers, purchases and matchers: ``offer_repositories``; the ledger: ``ledger_repository``.
Bots, bot jobs and credentials are in ``bot_repositories``; inspections and forecasts in
``inspection_repository`` and ``forecast_repository``.
"""

from __future__ import annotations

from volition.bazaar.storage.context_repository import SqlContexts
from volition.bazaar.storage.ledger_repository import SqlLedger
from volition.bazaar.storage.offer_repositories import SqlMatchers, SqlOffers, SqlPurchases
from volition.bazaar.storage.user_repositories import SqlIdempotency, SqlTokens, SqlUsers

__all__ = [
    "SqlContexts",
    "SqlIdempotency",
    "SqlLedger",
    "SqlMatchers",
    "SqlOffers",
    "SqlPurchases",
    "SqlTokens",
    "SqlUsers",
]
