"""Bot sellers: asked once each when a context of an inspection is posted (docs/theory.md §5)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from volition.agents import SellerAgent
from volition.bazaar.domain import Bazaar, DecisionContext, UnitOfWork
from volition.bazaar.domain.bot_job_service import BotJobs
from volition.errors import VolitionError

__all__ = ["Bot", "BotPool", "SellerPool", "Then", "solicit"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Bot:
    """A seller agent acting as the bazaar user ``user_id`` (who must have the seller role)."""

    user_id: str
    agent: SellerAgent


Then = Callable[[UnitOfWork], None]
"""What the engine writes in the unit of work that posts the bots' offers (its node moved)."""


@runtime_checkable
class SellerPool(Protocol):
    """Where the engine's bot sellers come from (fixed in memory, or stored in the bazaar)."""

    def solicit(self, context: DecisionContext, then: Then | None = None) -> int:
        """Have every bot that matches ``context`` answer it once; return the offers posted.
        ``then``: called in the unit of work of the last offers posted (or a unit of its
        own), after them."""
        ...

    def seller_ids(self) -> tuple[str, ...]:
        """The bazaar user ids of the bots, named as sellers of the follow-up contexts."""
        ...


class BotPool:
    """A fixed set of :class:`Bot`, asked with :func:`solicit`."""

    def __init__(self, bazaar: Bazaar, bots: Sequence[Bot] = ()) -> None:
        self.bazaar = bazaar
        self.bots = tuple(bots)

    def solicit(self, context: DecisionContext, then: Then | None = None) -> int:
        return solicit(self.bazaar, self.bots, context, then)

    def seller_ids(self) -> tuple[str, ...]:
        return tuple(b.user_id for b in self.bots)


def solicit(
    bazaar: Bazaar, bots: tuple[Bot, ...], context: DecisionContext, then: Then | None = None
) -> int:
    """Ask each bot once for an offer on ``context`` and post it; return how many were posted.

    A bot that already offered on the context, is its buyer, or is not among the sellers the
    context names is not asked (at most one offer per bot per context), nor any when the
    context closed meanwhile (read with what the bots are shown). A bot that fails or
    whose offer the bazaar refuses is skipped: a seller cannot stop an inspection. Every bot
    is asked first, then their offers are posted in one unit of work (``Bazaar.unit``), with
    what ``then`` writes.
    """
    fresh, view, already = BotJobs(bazaar).asking(context)  # a follow-up's query if quotable
    offered = set(already)
    drafts = []
    if fresh is None or not fresh.is_active:  # closed meanwhile: nobody is asked
        bots = ()
    for bot in bots:  # asked with no transaction open: a bot may be a slow model
        if bot.user_id in offered or bot.user_id == context.buyer_id:
            continue
        if context.named_seller_ids and bot.user_id not in context.named_seller_ids:
            continue
        offered.add(bot.user_id)
        try:
            reply = bot.agent.respond(view)
        except Exception as exc:  # a seller's failure must not stop the buyer's inspection
            log.warning("bot %s failed on %s: %s", bot.user_id, context.id, type(exc).__name__)
            continue
        if reply.offer is not None:
            drafts.append((bot, reply.offer))
    posted = 0
    with bazaar.unit() as uow:  # the bots' offers, each its seller's own checked post, together
        for bot, draft in drafts:
            try:
                bazaar.post_offer(
                    bot.user_id,
                    context.id,
                    preview=draft.preview,
                    private_info=draft.private_info,
                    price=draft.price,
                )
            except VolitionError as exc:  # a refusal wrote nothing: the others still post
                log.info("offer of bot %s on %s refused: %s", bot.user_id, context.id, exc)
                continue
            posted += 1
        if then is not None:
            then(uow)
    return posted
