"""The bazaar's operations: every change of state, each one atomic unit of work.

``Bazaar`` is the only writer. Each method opens one unit of work on the store, checks
everything, then writes; an error leaves nothing changed. Money-moving methods lock the
acting user's row first (then contexts, then offers, always in that order, so racing requests
queue instead of deadlocking) and accept an idempotency key: a repeated key returns the first
result and moves no money.

The operations live by aggregate, one room each: ``account_service`` (users and tokens),
``money_service``, ``context_service``, ``trade_service`` (offers and purchases),
``inbox_service`` (matchers), over ``service_base`` (the unit of work and shared reads), with
``idempotency`` for retried calls; ``Bazaar`` is all of them.
"""

from __future__ import annotations

from volition.bazaar.domain.account_service import Accounts
from volition.bazaar.domain.context_service import Contexts, ContextSpec
from volition.bazaar.domain.inbox_service import Inbox
from volition.bazaar.domain.money_service import Money
from volition.bazaar.domain.service_base import Balances
from volition.bazaar.domain.trade_service import Trading

__all__ = ["Balances", "Bazaar", "ContextSpec"]


class Bazaar(Accounts, Money, Contexts, Trading, Inbox):
    """The platform's domain service over an abstract ``Store``: every room's operations."""
