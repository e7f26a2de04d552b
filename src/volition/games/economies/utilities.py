"""Utility functions of an exchange economy: Cobb-Douglas, CES and linear (docs/theory.md §2).

All three are concave and homogeneous of degree one, so the Eisenberg-Gale and welfare
programmes below are convex. Each gives its value, gradient and Marshallian demand at prices
``p`` and income ``m``; for linear utility (whose demand is a set) ``demand`` returns the
bundle that splits the income equally among the goods of best bang-per-buck, and
``indirect`` the utility that every optimal bundle reaches.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from volition.errors import InputError

__all__ = ["CES", "CobbDouglas", "Linear", "Utility"]

Vector = NDArray[np.float64]


def _weights(a: ArrayLike, what: str) -> Vector:
    w = np.asarray(a, dtype=np.float64)
    if w.ndim != 1 or w.size == 0 or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise InputError(f"{what} weights must be non-negative numbers, not all zero")
    return w


class Utility(ABC):
    """A concave utility over bundles of goods, homogeneous of degree one."""

    weights: Vector

    @property
    def n_goods(self) -> int:
        return int(self.weights.shape[0])

    @abstractmethod
    def value(self, x: ArrayLike) -> float:
        """u(x)."""

    @abstractmethod
    def gradient(self, x: ArrayLike) -> Vector:
        """The gradient of u at x (marginal utilities)."""

    @abstractmethod
    def demand(self, prices: Vector, income: float) -> Vector:
        """A utility-maximising bundle at these prices and income."""

    def indirect(self, prices: Vector, income: float) -> float:
        """The highest utility affordable: v(p, m) = u(demand(p, m))."""
        return self.value(self.demand(prices, income))


@dataclass(frozen=True, eq=False)
class CobbDouglas(Utility):
    """u(x) = prod_j x_j^{a_j}, the exponents normalised to sum to one."""

    weights: Vector

    def __init__(self, weights: ArrayLike) -> None:
        w = _weights(weights, "Cobb-Douglas")
        object.__setattr__(self, "weights", w / w.sum())

    def value(self, x: ArrayLike) -> float:
        x = np.maximum(np.asarray(x, dtype=np.float64), 0.0)
        with np.errstate(divide="ignore"):
            return float(np.exp(np.sum(self.weights * np.log(x), where=self.weights > 0)))

    def gradient(self, x: ArrayLike) -> Vector:
        x = np.maximum(np.asarray(x, dtype=np.float64), 1e-300)
        return self.weights * self.value(x) / x

    def demand(self, prices: Vector, income: float) -> Vector:
        return self.weights * income / prices


@dataclass(frozen=True, eq=False)
class CES(Utility):
    """u(x) = (sum_j a_j x_j^rho)^(1/rho), rho < 1 and rho != 0; sigma = 1/(1 - rho)."""

    weights: Vector
    rho: float

    def __init__(self, weights: ArrayLike, rho: float) -> None:
        if not (np.isfinite(rho) and rho < 1 and rho != 0):
            raise InputError(
                f"CES needs rho < 1 and rho != 0 (rho -> 0 is Cobb-Douglas), not {rho}"
            )
        object.__setattr__(self, "weights", _weights(weights, "CES"))
        object.__setattr__(self, "rho", float(rho))

    def value(self, x: ArrayLike) -> float:
        x = np.maximum(np.asarray(x, dtype=np.float64), 1e-300)
        inner = float(np.sum(self.weights * x**self.rho))
        return float(inner ** (1.0 / self.rho))

    def gradient(self, x: ArrayLike) -> Vector:
        x = np.maximum(np.asarray(x, dtype=np.float64), 1e-300)
        u = self.value(x)
        return np.asarray(self.weights * x ** (self.rho - 1.0) * u ** (1.0 - self.rho))

    def demand(self, prices: Vector, income: float) -> Vector:
        sigma = 1.0 / (1.0 - self.rho)
        share = self.weights**sigma * prices ** (1.0 - sigma)
        return np.asarray(self.weights**sigma * prices ** (-sigma) * income / share.sum())


@dataclass(frozen=True, eq=False)
class Linear(Utility):
    """u(x) = a . x: perfect substitutes."""

    weights: Vector

    def __init__(self, weights: ArrayLike) -> None:
        object.__setattr__(self, "weights", _weights(weights, "linear"))

    def value(self, x: ArrayLike) -> float:
        return float(self.weights @ np.asarray(x, dtype=np.float64))

    def gradient(self, x: ArrayLike) -> Vector:
        return self.weights.copy()

    def demand(self, prices: Vector, income: float) -> Vector:
        bang = self.weights / prices
        best = bang >= bang.max() * (1 - 1e-12)
        x = np.zeros_like(prices)
        x[best] = income / best.sum() / prices[best]
        return x

    def indirect(self, prices: Vector, income: float) -> float:
        return float(income * np.max(self.weights / prices))
