"""Which offers a context's inspector may read, by their sellers' track records
(docs/theory.md §5, Track records and record minimums).

The one place the record minimum (``record_minimum``) meets the offers: the service's
selection of the offers an inspection reads applies ``admitted`` before the attention
auction (``attention.to_read``), in the same unit of work, so an offer whose seller's record
is refused is never marked inspected, never shown to the inspector and never bought through
it. Offers already read stay counted (a record that drops later does not unread them).
"""

from __future__ import annotations

from collections.abc import Sequence

from volition.bazaar.domain.contexts import DecisionContext
from volition.bazaar.domain.forecasts import ForecastRepository, track_record
from volition.bazaar.domain.offers import InfoOffer, OfferStatus
from volition.bazaar.domain.store import UnitOfWork

__all__ = ["admitted", "skipped_by_record"]


def _refused_sellers(
    uow: UnitOfWork, records: ForecastRepository, context: DecisionContext, sellers: set[str]
) -> set[str]:
    minimum = context.record_minimum
    if minimum is None or not sellers:
        return set()
    # the records as this unit of work reads them, in one statement whatever their number
    scores = records.within(uow).sellers_scores(sellers)
    return {seller for seller in sellers if not minimum.admits(track_record(seller, scores))}


def admitted(
    uow: UnitOfWork,
    records: ForecastRepository,
    context: DecisionContext,
    offers: Sequence[InfoOffer],
) -> list[InfoOffer]:
    """The ``offers`` of ``context`` its inspector may read: all of them without a record
    minimum; else those already read and those whose seller's record it admits."""
    unread = {o.seller_id for o in offers if not o.inspected}
    refused = _refused_sellers(uow, records, context, unread)
    return [o for o in offers if o.inspected or o.seller_id not in refused]


def skipped_by_record(
    uow: UnitOfWork,
    records: ForecastRepository,
    context: DecisionContext,
    offers: Sequence[InfoOffer],
) -> int:
    """How many active, unread ``offers`` of ``context`` its inspector skips because their
    sellers' records are below its record minimum (as the records stand now)."""
    unread = [o for o in offers if o.status is OfferStatus.ACTIVE and not o.inspected]
    refused = _refused_sellers(uow, records, context, {o.seller_id for o in unread})
    return sum(1 for o in unread if o.seller_id in refused)
