"""Bot sellers: stored agents that offer through their owner's seller account (docs/theory.md §5).

A bot belongs to a user with the seller role. It offers *as its owner*: its offers are the
owner's offers, its earnings the owner's earnings, and the owner reads its offers' private
info as any seller reads their own. A bot has its own matcher (the rules of
:class:`~volition.bazaar.domain.matchers.Matcher`), is active or paused, and offers **at most
once per context**: a :class:`BotJob` per bot and context (unique) records the answer and is
also the job that several processes share with a lease.

Kinds: ``fixed`` (a preview, private info and price of its own), ``llm`` (a model behind an
OpenAI-compatible endpoint, told ``instructions``, never asking more than ``price``, with the
owner's stored credential) and ``bayesian`` (one offer of a stored ``volition.mechanisms``
market, sold truthfully in a true state: docs/design.md "One mechanism, two worlds"; its fields are
checked by :mod:`volition.bazaar.domain.bot_markets`).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from volition.bazaar.domain import leases
from volition.bazaar.domain.checks import check_text
from volition.bazaar.domain.contexts import DecisionContext
from volition.bazaar.domain.matchers import BuyerRecord, Matcher
from volition.bazaar.domain.outbound import check_base_url
from volition.bazaar.domain.words import check_keyword
from volition.errors import InputError

__all__ = [
    "BotJob",
    "BotKind",
    "BotSeller",
    "JobStatus",
    "bot_may_answer",
    "check_bot",
]

MAX_NAME = 60
MAX_TEXT = 20_000
MAX_URL = 2_000
KINDS = "'fixed', 'llm' or 'bayesian'"


class BotKind(enum.StrEnum):
    """How a bot answers: fixed text, a model, or one offer of a market."""

    FIXED = "fixed"
    LLM = "llm"
    BAYESIAN = "bayesian"


class JobStatus(enum.StrEnum):
    """A bot's answer to one context: pending -> running -> done | failed."""

    PENDING = "pending"  # due, not yet taken
    RUNNING = "running"  # taken by a process until ``lease_until``
    DONE = "done"  # answered (an offer, or a decision not to offer)
    FAILED = "failed"  # gave up after the allowed attempts


@dataclass(frozen=True, slots=True)
class BotSeller:
    """A stored bot. ``price`` is a fixed bot's price, or an LLM bot's price cap (cents).

    Fixed bots use ``preview`` and ``private_info``; LLM bots use ``instructions`` (what the
    model knows and how it should sell) and, optionally, ``base_url`` and ``model`` (else the
    owner's stored credential's). Bayesian bots use ``market`` (a market file's mapping as
    JSON text), ``market_offer`` (the id of the offer it sells), ``market_state`` (the true
    state's label) and ``cents_per_unit``; their ``price`` is the offer's, in cents. Matching
    fields are those of ``Matcher``.
    """

    id: str
    owner_id: str
    name: str
    kind: BotKind
    active: bool
    price: int
    created_at: datetime
    keywords: tuple[str, ...] = ()
    min_budget: int = 0
    min_priority: float = 0.0
    max_age: timedelta | None = None
    min_inspection_rate: float = 0.0
    min_purchase_rate: float = 0.0
    preview: str = ""
    private_info: str = ""
    instructions: str = ""
    base_url: str | None = None
    model: str | None = None
    market: str | None = None
    market_offer: str | None = None
    market_state: str | None = None
    cents_per_unit: int | None = None

    @property
    def matcher(self) -> Matcher:
        """The bot's matching rules as a ``Matcher`` of its owner."""
        return Matcher(
            self.id,
            self.owner_id,
            self.keywords,
            self.min_budget,
            self.min_priority,
            self.max_age,
            self.created_at,
            self.min_inspection_rate,
            self.min_purchase_rate,
        )


@dataclass(frozen=True, slots=True)
class BotJob:
    """Bot ``bot_id``'s answer to context ``context_id``: at most one per pair.

    ``lease_until`` is when a running job may be taken over (its process presumably died), or
    when a pending job that failed may be tried again;
    ``offer_id`` the offer posted, if any; ``error`` a short reason (never secret) when failed.
    """

    bot_id: str
    context_id: str
    status: JobStatus
    attempts: int
    created_at: datetime
    updated_at: datetime
    lease_until: datetime | None = None
    offer_id: str | None = None
    error: str | None = None

    def claimable(self, now: datetime, max_attempts: int) -> bool:
        """Whether a process may take this job now."""
        if self.attempts >= max_attempts:
            return False
        if self.status is JobStatus.PENDING:  # a retry's wait is a lease held by nobody
            return leases.is_free(self.lease_until, now)
        return self.status is JobStatus.RUNNING and leases.run_out(self.lease_until, now)


def bot_may_answer(
    bot: BotSeller,
    context: DecisionContext,
    now: datetime,
    *,
    buyer: BuyerRecord | None,
    parent_seller_ids: frozenset[str],
) -> bool:
    """Whether ``bot`` should answer ``context`` now.

    The bot must be active; the context active, not due, not its owner's, open to the owner
    (a context naming sellers must name the owner; a follow-up must be visible to the owner,
    and one about the owner's own offers is left to the owner: a bot does not vouch for its
    owner) and passing the bot's matcher.
    """
    if not bot.active or not context.is_active or context.is_due(now):
        return False
    if context.buyer_id == bot.owner_id:
        return False
    if context.named_seller_ids and bot.owner_id not in context.named_seller_ids:
        return False
    if context.is_child:
        if bot.owner_id in parent_seller_ids:
            return False
        if bot.owner_id not in context.named_seller_ids:
            return False
    return bot.matcher.matches(context, now, buyer)


def _rate(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{what} must be a number in [0, 1], not {value!r}")
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise InputError(f"{what} must be in [0, 1], not {value}")
    return float(value)


def check_bot(bot: BotSeller, *, max_keywords: int, max_budget: int) -> BotSeller:
    """Validate a bot's fields; return it with rates as floats and keywords stripped.

    Raises ``InputError`` naming the first field that is wrong.
    """
    check_text(bot.name, "the bot's name", MAX_NAME)
    if not isinstance(bot.kind, BotKind):
        raise InputError(f"a bot's kind must be one of {KINDS}, not {bot.kind!r}")
    if isinstance(bot.price, bool) or not isinstance(bot.price, int):
        raise InputError(f"the price must be a whole number of cents, not {bot.price!r}")
    if not 0 <= bot.price <= max_budget:
        raise InputError(f"the price must be between 0 and {max_budget} cents, not {bot.price}")
    if isinstance(bot.min_budget, bool) or not isinstance(bot.min_budget, int):
        raise InputError(f"the minimum budget must be whole cents, not {bot.min_budget!r}")
    if bot.min_budget < 0:
        raise InputError("the minimum budget cannot be negative")
    if len(bot.keywords) > max_keywords:
        raise InputError(f"at most {max_keywords} keywords per bot")
    words = tuple(check_keyword(check_text(w, "a keyword", 100)) for w in bot.keywords)
    if bot.max_age is not None and bot.max_age <= timedelta(0):
        raise InputError("the age limit must be positive")
    market_fields = (bot.market, bot.market_offer, bot.market_state, bot.cents_per_unit)
    if bot.kind is not BotKind.BAYESIAN and any(f is not None for f in market_fields):
        raise InputError(f"only a bayesian bot has a market; this is a {bot.kind.value} bot")
    if bot.kind is BotKind.FIXED:
        check_text(bot.preview, "a fixed bot's preview", 2_000)
        check_text(bot.private_info, "a fixed bot's private info", MAX_TEXT)
    elif bot.kind is BotKind.LLM:
        check_text(bot.instructions, "an LLM bot's instructions", MAX_TEXT)
        if bot.base_url is not None:
            check_text(bot.base_url, "the base URL", MAX_URL)
            check_base_url(bot.base_url)
        if bot.model is not None:
            check_text(bot.model, "the model", 200)
    return replace(
        bot,
        keywords=words,
        min_priority=_rate(bot.min_priority, "the minimum priority"),
        min_inspection_rate=_rate(bot.min_inspection_rate, "the minimum buyer inspection rate"),
        min_purchase_rate=_rate(bot.min_purchase_rate, "the minimum buyer purchase rate"),
    )
