"""What each page shows, read from the domain service as one viewer may see it.

The context page is a sequence of panels (summary, offers, the seller's offer form), each a
template fed the same ``ContextPage``: further views of a context, such as the state of its
inspection, join as panels of their own without touching the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from volition.bazaar.domain import (
    AccountKind,
    Bazaar,
    BotService,
    ContextStatus,
    DecisionContext,
    Disclosure,
    JournalEntry,
    OfferStatus,
    OfferView,
    Purchase,
    User,
)
from volition.bazaar.web.budget import BudgetUse, budget_use
from volition.bazaar.web.ledger_words import Wording, Words

__all__ = [
    "ContextPage",
    "LedgerRow",
    "OfferRow",
    "Panel",
    "PurchaseRow",
    "context_page",
    "ledger_rows",
    "purchase_rows",
]

ACTIVE_STATUSES = (ContextStatus.OPEN, ContextStatus.INSPECTING)


class _Names:
    """User names by id, each read once per page."""

    def __init__(self, bazaar: Bazaar) -> None:
        self._bazaar = bazaar
        self._known: dict[str, str] = {}

    def __call__(self, user_id: str) -> str:
        if user_id not in self._known:
            self._known[user_id] = self._bazaar.user(user_id).name
        return self._known[user_id]


@dataclass(frozen=True, slots=True)
class OfferRow:
    """One offer on the context page, with what the viewer may do to it."""

    offer: OfferView
    seller: str
    mine: bool
    can_buy: bool
    can_withdraw: bool
    bot: str | None = None  # the viewer's own bot that posted it (shown to its owner only)


@dataclass(frozen=True, slots=True)
class Panel:
    """One section of the context page: its anchor, heading, and the template that draws it."""

    anchor: str
    title: str
    template: str


@dataclass(frozen=True, slots=True)
class ContextPage:
    """A context as the viewer may see it. ``remaining`` (unspent budget) is the buyer's only."""

    context: DecisionContext
    buyer: str
    remaining: int | None
    offers: tuple[OfferRow, ...]
    viewer_is_buyer: bool
    can_offer: bool
    can_cancel: bool
    panels: tuple[Panel, ...]
    budget_use: BudgetUse | None = None  # where the budget went, for its buyer


# How many of a bot's answers, newest first, are looked through for the offers on one page.
_JOBS_LOOKED_AT = 1000


def _posted_by_bots(bazaar: Bazaar, viewer: User | None, offers: list[OfferView]) -> dict[str, str]:
    """The viewer's own offers here that their bots posted: offer id -> the bot's name.

    Bots post with their owner's seller id; only the bot's job records which offer it posted,
    and only the owner may read them, so to anyone else the offer is simply the seller's.
    """
    if viewer is None or not viewer.is_seller:
        return {}
    wanted = {o.id for o in offers if o.seller_id == viewer.id}
    if not wanted:
        return {}
    service = BotService(bazaar)
    found: dict[str, str] = {}
    for bot in service.bots(viewer.id):
        for job in service.jobs(viewer.id, bot.id, limit=_JOBS_LOOKED_AT):
            if job.offer_id in wanted:
                found[job.offer_id] = bot.name
    return found


def context_page(bazaar: Bazaar, viewer: User | None, context_id: str) -> ContextPage:
    """The context page of ``context_id`` for ``viewer``; ``NotFound`` if they may not see it."""
    viewer_id = viewer.id if viewer else None
    context = bazaar.context(viewer_id, context_id)
    offers = bazaar.offers(viewer_id, context_id)
    names = _Names(bazaar)
    is_buyer = viewer is not None and viewer.id == context.buyer_id
    active = context.is_active and not context.is_due(bazaar.clock())
    by_bot = _posted_by_bots(bazaar, viewer, offers)
    rows = tuple(
        OfferRow(
            offer=o,
            seller=names(o.seller_id),
            mine=viewer is not None and viewer.id == o.seller_id,
            can_buy=is_buyer and active and o.status is OfferStatus.ACTIVE and not o.purchased,
            can_withdraw=viewer is not None
            and viewer.id == o.seller_id
            and o.status is OfferStatus.ACTIVE
            and not o.purchased,
            bot=by_bot.get(o.id),
        )
        for o in offers
    )
    can_offer = (
        viewer is not None
        and viewer.is_seller
        and not is_buyer
        and active
        and (not context.named_seller_ids or viewer.id in context.named_seller_ids)
    )
    panels = [
        Panel("question", "The question", "_context_summary.html"),
        Panel("offers", "Offers", "_offers.html"),
    ]
    if can_offer:
        panels.append(Panel("offer", "Offer information", "_offer_form.html"))
    # a forgotten follow-up's reservation is the budget its inspector chose: forgotten
    shown_budget = is_buyer and context.disclosure is Disclosure.FULL
    remaining = bazaar.remaining(context.id) if shown_budget else None
    return ContextPage(
        context=context,
        buyer=names(context.buyer_id),
        remaining=remaining,
        offers=rows,
        viewer_is_buyer=is_buyer,
        can_offer=can_offer,
        can_cancel=is_buyer and context.is_active,
        panels=tuple(panels),
        budget_use=(  # read from the ledger only once some of the budget has moved
            budget_use(bazaar, viewer, context, remaining)
            if viewer is not None and remaining is not None and remaining != context.budget
            else None
        ),
    )


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """A journal entry as it changed the user's cash, reservations and earnings."""

    entry: JournalEntry
    cash: int
    reserved: int
    earnings: int
    words: Wording  # what happened, in a sentence, and the amount moved


def ledger_rows(bazaar: Bazaar, user: User, limit: int = 200) -> list[LedgerRow]:
    """The user's journal entries, newest first, split by the user's kinds of account."""
    own = {c.id for c in bazaar.contexts(user.id, mine=True, limit=10**6)}
    words = Words(bazaar, user)
    rows = []
    for entry in bazaar.ledger(user.id, limit):
        cash = reserved = earned = 0
        for p in entry.postings:
            kind, owner = p.account.kind, p.account.owner
            if kind is AccountKind.CASH and owner == user.id:
                cash += p.amount
            elif kind is AccountKind.EARNINGS and owner == user.id:
                earned += p.amount
            elif kind is AccountKind.HOLD and owner in own:
                reserved += p.amount
        rows.append(LedgerRow(entry, cash, reserved, earned, words(entry)))
    return rows


@dataclass(frozen=True, slots=True)
class PurchaseRow:
    """A purchase with the offer as the buyer may now read it and the question it answered."""

    purchase: Purchase
    offer: OfferView
    query: str
    seller: str


def purchase_rows(bazaar: Bazaar, user: User) -> list[PurchaseRow]:
    """The user's purchases, newest first."""
    names = _Names(bazaar)
    return [
        PurchaseRow(p, view, bazaar.context(user.id, p.context_id).query, names(p.seller_id))
        for p, view in bazaar.purchases(user.id)
    ]
