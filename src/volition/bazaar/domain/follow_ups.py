"""What of a follow-up context each viewer is shown: amnesia for what inspectors write.

A follow-up (child) context posted by the buyer's inspector (``by_inspector``) is written while
it reads unbought private info: its query, its budget, the offers it is about and the sellers
it names may quote or encode anything its writer read. So they are inside the amnesia boundary
of docs/theory.md §5, and the rule is one of information flow:

- its **buyer** sees them only if the buyer may read everything its writer could have read
  (:func:`writings_revealed`): every inspected offer of the context it was posted on, every
  purchase made below that context (what the inspector knew), and, up the chain, whatever the
  writers of the queries above it could read (a query is shown to the inspectors below it).
  "May read" is the rule of the follow-up's purchases (``visibility.can_read_private``: bought,
  and under ``with_parent`` with a readable parent offer; under ``all`` bought). Asking only
  that the parent offer it concerns was bought would not do: the inspector read its siblings
  too, and a hostile one quotes them. Otherwise the buyer sees that a follow-up was made and
  forgotten (``Disclosure.FORGOTTEN``): a notice for its query, no budget, no parent offers, no
  named sellers, and the previews of its offers the buyer may not read forgotten too
  (sellers answering the query may repeat it). A buyer's own follow-ups are the buyer's
  and shown whole;
- the **sellers asked** (those it names, the sellers of its parent offers) see what they need
  to answer: its query, unless an offer its writer could have read refuses quotation
  (``InfoOffer.quotable``: not only the offers it is about, since a hostile inspector may
  quote their siblings), or one it is about, or one bought on the context it was posted on
  (:func:`quotable`); then a notice instead (``Disclosure.WITHHELD``), with the parent
  offers' public previews. Its budget stays shown to them (they price against it);
- nobody else sees a follow-up at all (``visibility.can_see_context``).

Every buyer-visible output (API, web pages, CLI, ledger) reads contexts through ``Bazaar``,
which applies :func:`disclose`; bot sellers read them through :func:`for_sellers`.
"""

from __future__ import annotations

from dataclasses import replace

from volition.agents.views import ContextView
from volition.bazaar.domain.contexts import DecisionContext, Disclosure, RevealPolicy
from volition.bazaar.domain.offers import InfoOffer
from volition.bazaar.domain.purchases import Purchase
from volition.bazaar.domain.store import UnitOfWork

__all__ = [
    "FORGOTTEN_PREVIEW",
    "FORGOTTEN_QUERY",
    "WITHHELD_QUERY",
    "buyer_reads",
    "disclose",
    "disclosure",
    "for_sellers",
    "parent_readable",
    "quotable",
    "seen_at",
    "sellers_view",
    "writings_revealed",
]

FORGOTTEN_QUERY = (
    "A follow-up was made by your inspector while it read offers you did not buy; what it "
    "asked is forgotten."
)
WITHHELD_QUERY = (
    "The buyer's inspector asks a follow-up question about the offers listed here; an offer "
    "it is about may not be quoted, so the question is not shown. Offer what would confirm or "
    "refute them."
)
FORGOTTEN_PREVIEW = "(an offer on a forgotten follow-up: forgotten with it)"


def disclosure(
    viewer_id: str | None, context: DecisionContext, *, revealed: bool, quotable: bool
) -> Disclosure:
    """How much of ``context`` the viewer ``viewer_id`` (who may see it) is shown.

    ``revealed``: the buyer may see what the inspector wrote there (:func:`writings_revealed`);
    ``quotable``: every parent offer allows quotation (:func:`quotable`).
    """
    if not context.is_child or viewer_id is None:
        return Disclosure.FULL
    if viewer_id == context.buyer_id:
        if not context.by_inspector or revealed:  # the buyer's own follow-up is theirs
            return Disclosure.FULL
        return Disclosure.FORGOTTEN
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


def buyer_reads(uow: UnitOfWork, offer: InfoOffer, context: DecisionContext) -> bool:
    """Whether the buyer of ``context`` may read ``offer`` on it (``can_read_private``)."""
    if uow.purchases.for_offer(offer.id) is None:
        return False
    return (
        not context.is_child or context.reveal is RevealPolicy.ALL or parent_readable(uow, context)
    )


def writings_revealed(uow: UnitOfWork, context: DecisionContext) -> bool:
    """Whether the buyer may see what the inspector wrote in the follow-up ``context``: the
    buyer may read everything its writer could have read (see the module's docstring)."""
    parent = uow.contexts.get(context.parent_context_id or "")
    return parent is not None and all(buyer_reads(uow, o, c) for o, c in seen_at(uow, parent))


def quotable(uow: UnitOfWork, context: DecisionContext) -> bool:
    """Whether the sellers asked in the follow-up ``context`` may read its query: every offer
    its writer could have read allows quotation (a hostile inspector asking about a quotable
    offer may quote a sibling that refuses), and so do the offers it is about and those
    bought on the context it was posted on (bought blind, never inspected: a buyer writing
    their own follow-up has read them; stop 22 found such a query shown whole)."""
    parent = uow.contexts.get(context.parent_context_id or "")
    if parent is None:
        return False
    seen, offers, purchases = _reach(uow, parent)
    bought = {p.offer_id for p in purchases if p.context_id == parent.id}
    about = set(context.parent_offer_ids)
    there = [o for o in offers if o.context_id == parent.id and (o.id in bought or o.id in about)]
    return all(o.quotable for o, _ in seen) and all(o.quotable for o in there)


def seen_at(uow: UnitOfWork, context: DecisionContext) -> list[tuple[InfoOffer, DecisionContext]]:
    """Every offer (with its context) an inspector deciding on ``context`` could have read.

    The offers inspected there, what was bought below it (the inspector's ``known``), and, as
    a follow-up's query is shown to the inspector below it, all that the writers of the
    queries above it could read. A superset: an offer inspected after a follow-up was written
    counts too, so the rule errs on the side of forgetting.

    Read in a fixed number of statements whatever the tree's size (issue 15): the chain of
    writers up (one read each, rarely more than two), every context below the highest of
    them (one read), and the offers of all of these with their purchases (one read). What
    is bought below any writer of the chain is bought below the highest."""
    return _reach(uow, context)[0]


def _reach(
    uow: UnitOfWork, context: DecisionContext
) -> tuple[list[tuple[InfoOffer, DecisionContext]], list[InfoOffer], list[Purchase]]:
    """:func:`seen_at`, with the offers of the chain and below it and their purchases read
    on the way (for :func:`quotable`, in the same statements)."""
    chain: list[DecisionContext] = [context]
    while chain[-1].by_inspector:  # a top-level query (or a buyer's own) is the buyer's
        parent = uow.contexts.get(chain[-1].parent_context_id or "")
        if parent is None:
            break
        chain.append(parent)
    below = {c.id: c for c in uow.contexts.descendants(chain[-1].id)}
    offers, purchases = uow.offers.with_purchases([c.id for c in chain] + list(below))
    by_id = {o.id: o for o in offers}
    seen = [(o, c) for c in chain for o in offers if o.context_id == c.id and o.inspected]
    for purchase in purchases:
        bought, where = by_id.get(purchase.offer_id), below.get(purchase.context_id)
        if bought is not None and where is not None:
            seen.append((bought, where))
    return seen, offers, purchases


def for_sellers(uow: UnitOfWork, context: DecisionContext) -> DecisionContext:
    """``context`` as the sellers asked to answer it see it (bots included)."""
    if not context.is_child:
        return context
    shown = Disclosure.FULL if quotable(uow, context) else Disclosure.WITHHELD
    return disclose(context, shown)


def sellers_view(uow: UnitOfWork, context: DecisionContext, budget: int) -> ContextView:
    """What a seller asked to answer ``context`` is shown (:func:`for_sellers`), with the
    previews of the offers it is about and ``budget`` as the most the buyer may pay."""
    context = for_sellers(uow, context)
    about = tuple(
        o.preview for i in context.parent_offer_ids if (o := uow.offers.get(i)) is not None
    )
    return ContextView(
        context_id=context.id,
        query=context.query,
        max_budget=budget,
        priority=context.priority,
        context_pages=context.pages,
        about_previews=about,
    )
