"""Who may see what: the privacy rules of the bazaar (docs/theory.md §5, Amnesia).

- A top-level context and its offers' public fields are public.
- A child context (and its offers) is visible only to its buyer, to the sellers of the
  parent offers it is about, and to the sellers it names (the inspection engine names the bot
  sellers it asks); it never appears in public lists.
- An offer's private info is readable by its seller; by the buyer only once bought, and, in
  a child context, by the context's ``RevealPolicy``: under ``with_parent`` (the default) only
  if the buyer may also read a parent offer it concerns (so what an inspector bought below an
  offer the buyer did not buy stays forgotten); under ``all`` always, as in the formal RIP.
  Nobody else, not even an operator, reads private info.
"""

from __future__ import annotations

from volition.bazaar.domain.contexts import DecisionContext, RevealPolicy
from volition.bazaar.domain.offers import InfoOffer
from volition.bazaar.domain.users import User

__all__ = ["can_read_private", "can_see_context"]


def can_see_context(
    viewer: User | None, context: DecisionContext, parent_seller_ids: frozenset[str]
) -> bool:
    """Whether ``viewer`` (None: anonymous) may see ``context`` at all."""
    if not context.is_child:
        return True
    if viewer is None:
        return False
    return (
        viewer.id == context.buyer_id
        or viewer.id in parent_seller_ids
        or viewer.id in context.named_seller_ids
    )


def can_read_private(
    viewer: User | None,
    offer: InfoOffer,
    context: DecisionContext,
    purchased: bool,
    parent_readable: bool,
) -> bool:
    """Whether ``viewer`` may read ``offer.private_info``.

    ``purchased``: the offer has been bought. ``parent_readable``: for a child context, the
    buyer may read at least one of its parent offers (ignored for top-level contexts and for
    child contexts whose policy is ``all``).
    """
    if viewer is None:
        return False
    if viewer.id == offer.seller_id:
        return True
    if viewer.id != context.buyer_id or not purchased:
        return False
    return not context.is_child or context.reveal is RevealPolicy.ALL or parent_readable
