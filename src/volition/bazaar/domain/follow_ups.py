"""What of a follow-up context each viewer is shown: amnesia for what inspectors write.

A follow-up (child) context is written by the buyer's inspector while it reads unbought private
info: its query, its budget, the offers it is about and the sellers it names may quote or
encode that info. So they are inside the amnesia boundary of THEORY.md §5, under the rule that
governs the follow-up's purchases (``visibility.can_read_private``):

- its **buyer** sees them only if the policy would reveal the follow-up's purchases: under
  ``all`` always; under ``with_parent`` only if the buyer may read a parent offer it concerns
  (bought, along a chain of readable contexts). Otherwise the buyer sees that a follow-up was
  made and forgotten (``Disclosure.FORGOTTEN``): a notice for its query, no budget, no parent
  offers, no named sellers, and its offers' previews forgotten too (sellers answering the query
  may repeat it);
- the **sellers asked** (those it names, the sellers of its parent offers) see what they need
  to answer: its query, unless an offer it is about refuses quotation (``InfoOffer.quotable``);
  then a notice instead (``Disclosure.WITHHELD``), with the parent offers' public previews;
- nobody else sees a follow-up at all (``visibility.can_see_context``).

Every buyer-visible output (API, web pages, CLI, ledger memos) reads contexts through
``Bazaar``, which applies :func:`disclose`; bot sellers read them through :func:`for_sellers`.
"""

from __future__ import annotations

from dataclasses import replace

from volition.bazaar.domain.contexts import DecisionContext, Disclosure, RevealPolicy
from volition.bazaar.domain.store import UnitOfWork

__all__ = [
    "FORGOTTEN_PREVIEW",
    "FORGOTTEN_QUERY",
    "WITHHELD_QUERY",
    "disclose",
    "disclosure",
    "for_sellers",
    "parent_readable",
    "quotable",
]

FORGOTTEN_QUERY = "A follow-up was made about an offer you did not buy; what it asked is forgotten."
WITHHELD_QUERY = (
    "The buyer's inspector asks a follow-up question about the offers listed here; an offer "
    "it is about may not be quoted, so the question is not shown. Offer what would confirm or "
    "refute them."
)
FORGOTTEN_PREVIEW = "(an offer on a forgotten follow-up: forgotten with it)"


def disclosure(
    viewer_id: str | None, context: DecisionContext, *, parent_readable: bool, quotable: bool
) -> Disclosure:
    """How much of ``context`` the viewer ``viewer_id`` (who may see it) is shown.

    ``parent_readable``: the buyer may read a parent offer of it (``parent_readable``);
    ``quotable``: every parent offer allows quotation (``quotable``).
    """
    if not context.is_child or viewer_id is None:
        return Disclosure.FULL
    if viewer_id == context.buyer_id:
        revealed = context.reveal is RevealPolicy.ALL or parent_readable
        return Disclosure.FULL if revealed else Disclosure.FORGOTTEN
    return Disclosure.FULL if quotable else Disclosure.WITHHELD


def disclose(context: DecisionContext, shown: Disclosure) -> DecisionContext:
    """``context`` with what its viewer may not see replaced (``Disclosure``)."""
    if shown is Disclosure.FORGOTTEN:
        return replace(
            context,
            query=FORGOTTEN_QUERY,
            pages=(),
            budget=0,
            named_seller_ids=(),
            parent_offer_ids=(),
            disclosure=shown,
        )
    if shown is Disclosure.WITHHELD:
        return replace(context, query=WITHHELD_QUERY, pages=(), disclosure=shown)
    return context


def parent_readable(uow: UnitOfWork, context: DecisionContext) -> bool:
    """Amnesia: whether the buyer may read some parent offer of this child context.

    A parent offer is readable once bought, if its own context is top-level, or a child
    with policy ``all``, or a child some parent offer of which is readable in turn.
    """
    parent = uow.contexts.get(context.parent_context_id or "")
    if parent is None:
        return False
    for parent_offer_id in context.parent_offer_ids:
        offer = uow.offers.get(parent_offer_id)
        if offer is None or uow.purchases.for_offer(offer.id) is None:
            continue
        if not parent.is_child or parent.reveal is RevealPolicy.ALL or parent_readable(uow, parent):
            return True
    return False


def quotable(uow: UnitOfWork, context: DecisionContext) -> bool:
    """Whether every offer the follow-up ``context`` is about allows quotation."""
    for offer_id in context.parent_offer_ids:
        offer = uow.offers.get(offer_id)
        if offer is None or not offer.quotable:
            return False
    return True


def for_sellers(uow: UnitOfWork, context: DecisionContext) -> DecisionContext:
    """``context`` as the sellers asked to answer it see it (bots included)."""
    if not context.is_child:
        return context
    shown = Disclosure.FULL if quotable(uow, context) else Disclosure.WITHHELD
    return disclose(context, shown)
