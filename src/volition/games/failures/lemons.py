"""Akerlof's market for lemons: information asymmetry unravels trade (docs/theory.md §2).

Sellers know the quality q of what they sell and value it at ``seller_value * q``; buyers
value it at ``buyer_value * q`` > seller value, so every trade creates surplus, but buyers
see only the quality distribution. Competitive buyers pay the expected value of what is
offered, p = buyer_value * E[q | seller_value * q <= p], and sellers of quality worth more
than p withdraw.

:func:`lemons_equilibrium` starts from the naive price (the average quality) and lets the
best sellers withdraw round by round until no one else does: the **unravelling** path, which
ends at the equilibrium with the most trade. It reports the trade, the welfare and what is
lost against the first best; with **inspection** (the buyer can verify quality at a cost per
trade) every quality trades at its own price whenever the surplus covers the cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from volition.errors import InputError, ProbabilityError

__all__ = ["LemonsMarket", "LemonsOutcome", "lemons_equilibrium"]


@dataclass(frozen=True, eq=False)
class LemonsMarket:
    """Qualities with their probabilities, and how sellers and buyers value quality."""

    qualities: NDArray[np.float64]
    probabilities: NDArray[np.float64]
    seller_value: float
    buyer_value: float
    inspection_cost: float = 0.0

    @classmethod
    def build(
        cls,
        qualities: ArrayLike,
        probabilities: ArrayLike | None = None,
        *,
        seller_value: float = 1.0,
        buyer_value: float = 1.5,
        inspection_cost: float = 0.0,
    ) -> LemonsMarket:
        """A validated market; probabilities default to uniform over the qualities."""
        q = np.asarray(qualities, dtype=np.float64)
        if q.ndim != 1 or q.size == 0 or not np.isfinite(q).all() or (q <= 0).any():
            raise InputError("qualities must be a non-empty list of positive numbers")
        p = (
            np.full(q.size, 1.0 / q.size)
            if probabilities is None
            else np.asarray(probabilities, dtype=np.float64)
        )
        if p.shape != q.shape:
            raise InputError(f"give {q.size} probabilities, one per quality")
        if not np.isfinite(p).all() or (p < 0).any() or abs(p.sum() - 1.0) > 1e-9:
            raise ProbabilityError("quality probabilities must be >= 0 and sum to 1")
        if not (0 < seller_value < buyer_value):
            raise InputError(
                "need 0 < seller_value < buyer_value (buyers value quality more, so trade pays)"
            )
        if inspection_cost < 0:
            raise InputError("the inspection cost must be >= 0")
        order = np.argsort(q, kind="stable")
        return cls(q[order], p[order], float(seller_value), float(buyer_value), inspection_cost)


@dataclass(frozen=True, eq=False)
class LemonsOutcome:
    """The unravelled equilibrium, its welfare, and the market with inspection."""

    price: float
    price_path: tuple[float, ...]
    traded: NDArray[np.bool_]
    trade_probability: float
    welfare: float
    first_best_welfare: float
    welfare_lost: float
    inspected_traded: NDArray[np.bool_]
    inspected_welfare: float


def lemons_equilibrium(market: LemonsMarket) -> LemonsOutcome:
    """Unravel the market from the naive price to its equilibrium; compare with inspection."""
    q, p = market.qualities, market.probabilities
    s, b = market.seller_value, market.buyer_value
    selling = np.ones(q.size, dtype=bool)
    path = []
    while True:
        price = b * float(p[selling] @ q[selling]) / float(p[selling].sum())
        path.append(price)
        stay = selling & (s * q <= price * (1 + 1e-12))  # sellers indifferent stay
        if stay.sum() == selling.sum():
            break
        selling = stay  # the lowest quality always stays: b q_min > s q_min
    surplus = (b - s) * q * p
    welfare = float(surplus[selling].sum())
    first_best = float(surplus.sum())
    worth_inspecting = (b - s) * q > market.inspection_cost
    inspected = float((surplus - market.inspection_cost * p)[worth_inspecting].sum())
    return LemonsOutcome(
        price=price,
        price_path=tuple(path),
        traded=selling,
        trade_probability=float(p[selling].sum()),
        welfare=welfare,
        first_best_welfare=first_best,
        welfare_lost=first_best - welfare,
        inspected_traded=worth_inspecting,
        inspected_welfare=max(inspected, welfare),
    )
