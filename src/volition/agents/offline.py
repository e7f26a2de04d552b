"""The offline default buyer: deterministic, no network, explainable.

It is used by ``volition serve --demo`` and whenever no LLM endpoint is configured. At a
node it

1. scores each offer's **relevance** to the query chain: the cosine similarity of TF-IDF
   vectors (``volition.agents.tfidf``) of the queries and of the offer's preview plus private info;
2. turns relevance into a **value** in cents: relevance x the node's remaining budget (the
   budget is what the buyer said a fully relevant answer is worth), scaled down when info
   bought in a child context *refutes* the offer (words such as "false", "misleading") and up
   when it *confirms* it ("confirmed", "accurate");
3. **follows up** once, when allowed, about the best offer if it is expensive (at least
   ``verify_share`` of the remaining budget) and nothing is known about it yet: the child
   query asks whether that offer is accurate, with ``follow_up_share`` of what remains;
4. otherwise **buys** greedily by surplus (value minus price), discounting an offer's value
   by its TF-IDF similarity to offers already chosen (redundant info is worth less), never
   beyond the budget and never at a loss.

On a forecast question the purchase carries a forecast: the forecast so far, each outcome's
probability weighted by 1 + the times its label is mentioned in what is bought, normalised.

Every decision carries a reason that lists the scores it used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from volition.agents.base import BuyerReply
from volition.agents.tfidf import cosine_similarities, tfidf_matrix
from volition.agents.views import Buy, FollowUp, KnownInfo, NodeView, OfferView, Usage
from volition.errors import InputError

__all__ = ["CONFIRMING", "REFUTING", "OfflineBuyer"]

REFUTING = frozenset(
    {
        "false", "wrong", "incorrect", "misleading", "inaccurate", "outdated", "fake",
        "debunked", "untrue", "refuted", "fabricated", "unreliable", "mistaken",
    }
)  # fmt: skip
CONFIRMING = frozenset(
    {"confirmed", "accurate", "correct", "verified", "true", "reliable", "corroborated"}
)
_WORD = re.compile(r"[a-z']+")


@dataclass(frozen=True)
class OfflineBuyer:
    """A deterministic TF-IDF relevance buyer with a budget-constrained greedy choice."""

    name: str = "offline"
    verify_share: float = 0.25
    follow_up_share: float = 0.25
    refuted_factor: float = 0.1
    confirmed_factor: float = 1.25

    def decide(self, view: NodeView) -> BuyerReply:
        if not view.offers:
            return BuyerReply(Buy((), "no offers to consider"), Usage(calls=1))
        relevance, similarity = self._scores(view)
        values = {
            offer.id: relevance[i] * view.remaining_budget * self._evidence_factor(offer, view)
            for i, offer in enumerate(view.offers)
        }
        follow_up = self._follow_up(view, values)
        if follow_up is not None:
            return BuyerReply(follow_up, Usage(calls=1))
        return BuyerReply(self._choose(view, values, similarity, relevance), Usage(calls=1))

    def _scores(self, view: NodeView) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        query = " ".join(view.query_chain) + " " + view.query  # the node's own query counts twice
        docs = [f"{o.preview} {o.private_info}" for o in view.offers]
        try:
            matrix = tfidf_matrix([query, *docs])
        except InputError:  # no words at all (empty vocabulary)
            n = len(docs)
            return np.zeros(n), np.zeros((n, n))
        relevance = cosine_similarities(matrix[:1], matrix[1:]).ravel()
        similarity = cosine_similarities(matrix[1:], matrix[1:])
        return relevance, similarity

    def _evidence_factor(self, offer: OfferView, view: NodeView) -> float:
        factor = 1.0
        for info in _about(view.known, offer.id):
            words = set(_WORD.findall(f"{info.preview} {info.private_info}".lower()))
            if words & REFUTING:
                factor *= self.refuted_factor
            elif words & CONFIRMING:
                factor *= self.confirmed_factor
        return factor

    def _follow_up(self, view: NodeView, values: dict[str, float]) -> FollowUp | None:
        if not view.can_follow_up or view.known:
            return None
        best = max(view.offers, key=lambda o: (values[o.id] - o.cost, -_rank(view, o)))
        if values[best.id] <= best.cost or best.cost < self.verify_share * view.remaining_budget:
            return None
        budget = int((view.remaining_budget - best.cost) * self.follow_up_share)
        if budget < 1:
            return None
        return FollowUp(
            query=f"Is this accurate: {best.preview}",
            budget=budget,
            about=(best.id,),
            reason=(
                f"offer {best.id} looks worth {values[best.id]:.0f} cents at price {best.price}, "
                "a large share of the budget: checking it first"
            ),
        )

    def _choose(
        self,
        view: NodeView,
        values: dict[str, float],
        similarity: NDArray[np.float64],
        relevance: NDArray[np.float64],
    ) -> Buy:
        chosen: list[int] = []
        budget = view.remaining_budget
        remaining = list(range(len(view.offers)))
        while remaining:

            def surplus(i: int) -> float:
                overlap = max((similarity[i, j] for j in chosen), default=0.0)
                return values[view.offers[i].id] * (1.0 - overlap) - view.offers[i].cost

            best = max(remaining, key=lambda i: (surplus(i), -i))
            if surplus(best) <= 0:
                break
            remaining.remove(best)
            if view.offers[best].cost <= budget:  # a pay-on-resolution cap is held too
                chosen.append(best)
                budget -= view.offers[best].cost
        scores = ", ".join(
            f"{o.id}: relevance {relevance[i]:.2f}, value {values[o.id]:.0f}c, price {o.price}c"
            for i, o in enumerate(view.offers)
        )
        ids = tuple(view.offers[i].id for i in chosen)
        verdict = f"buying {', '.join(ids)}" if ids else "buying nothing"
        forecast = _forecast(view, [view.offers[i] for i in chosen]) if view.outcomes else None
        return Buy(ids, f"{verdict} ({scores})", forecast)


def _forecast(view: NodeView, bought: list[OfferView]) -> tuple[float, ...]:
    """The forecast once ``bought`` is read: the forecast so far (uniform if none) times
    1 + how often each outcome's label (a word or a phrase) is mentioned in what is bought,
    normalised."""
    n = len(view.outcomes)
    start = view.forecast if len(view.forecast) == n else (1.0 / n,) * n
    text = " ".join(f"{o.preview} {o.private_info}" for o in bought).lower()
    weights = [
        p * (1 + len(re.findall(rf"(?<![\w']){re.escape(label.lower())}(?![\w'])", text)))
        for p, label in zip(start, view.outcomes, strict=True)
    ]
    total = sum(weights)
    return tuple(w / total for w in weights) if total > 0 else start


def _about(known: tuple[KnownInfo, ...], offer_id: str) -> list[KnownInfo]:
    return [k for k in known if offer_id in k.about]


def _rank(view: NodeView, offer: OfferView) -> int:
    return view.offers.index(offer)
