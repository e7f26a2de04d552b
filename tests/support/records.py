"""Track records made to order: a seller's record over resolved questions, written through the
forecast repository (a question of the buyer's, one offer per score, resolved at once)."""

from __future__ import annotations

from datetime import timedelta

from volition.bazaar.domain import Bazaar, ContextSpec
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.domain.forecasts import ForecastSpec, OfferScore, Resolution


def give_record(
    bazaar: Bazaar,
    buyer_id: str,
    seller_id: str,
    *,
    offers: int,
    value: float,
    price: int = 100,
    confidence: float = 0.7,
    hit: bool = True,
) -> None:
    """Give ``seller_id`` ``offers`` offers bought and scored on one resolved question of
    ``buyer_id``'s: each of realised value ``value`` at ``price`` cents, after a forecast that
    gave ``confidence`` to its likeliest outcome, which happened when ``hit``."""
    forecasts = Forecasts(bazaar)
    closes = bazaar.clock() + timedelta(hours=1)
    spec = ContextSpec("a question for the record", budget=0)
    context, _ = forecasts.post(buyer_id, spec, ForecastSpec(("yes", "no"), closes))
    scores = []
    for n in range(offers):
        offer = bazaar.post_offer(
            seller_id, context.id, preview=f"record {n}", private_info=f"record {n}", price=price
        )
        after = (confidence, 1 - confidence)
        scores.append(
            OfferScore(context.id, offer.id, seller_id, price, n + 1, value, after, 0 if hit else 1)
        )
    resolution = Resolution("yes" if hit else "no", False, buyer_id, bazaar.clock(), 0.0)
    assert forecasts.repository.resolve(context.id, resolution, scores, 0)
    bazaar.cancel_context(buyer_id, context.id)
