"""Small reads the web pages need and ``Bazaar`` does not give: which offers an inspector read,
and which purchase a seller's earnings came from.

Both check visibility as ``Bazaar`` does: an inspected offer is named only on a context the
viewer may see (``Bazaar.context`` raises ``NotFound`` otherwise), and a seller reads only the
purchases of their own offers. Neither returns private info (docs/design.md, "Trust model of
the platform").
"""

from __future__ import annotations

from volition.bazaar.domain.purchases import Purchase
from volition.bazaar.domain.service import Bazaar

__all__ = ["inspected_offer_ids", "sales_by_entry"]


def inspected_offer_ids(bazaar: Bazaar, viewer_id: str, context_id: str) -> frozenset[str]:
    """The ids of the offers on ``context_id`` an inspector has read (``InfoOffer.inspected``),
    if ``viewer_id`` may see the context; ``NotFound`` otherwise."""
    bazaar.context(viewer_id, context_id)
    with bazaar.store.begin(write=False) as uow:
        return frozenset(o.id for o in uow.offers.for_context(context_id) if o.inspected)


def sales_by_entry(bazaar: Bazaar, seller_id: str) -> dict[str, tuple[Purchase, str]]:
    """The purchases of ``seller_id``'s offers by the ledger entry that paid them, each with
    the offer's public preview (the seller wrote it)."""
    found: dict[str, tuple[Purchase, str]] = {}
    with bazaar.store.begin(write=False) as uow:
        for offer in uow.offers.by_seller(seller_id):
            purchase = uow.purchases.for_offer(offer.id)
            if purchase is not None and purchase.entry_id is not None:
                found[purchase.entry_id] = (purchase, offer.preview)
    return found
