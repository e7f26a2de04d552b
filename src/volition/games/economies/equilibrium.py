"""Competitive (Walrasian) equilibrium of an exchange economy, with convergence reported.

Two documented methods:

- ``root`` (Cobb-Douglas and CES): solve excess demand z(p) = 0 for the log prices of goods
  1..m-1, good 0 the numeraire, with MINPACK's Levenberg-Marquardt method
  (``scipy.optimize.root``, which on these problems does not stall as the hybrid Powell
  method can); Walras' law clears good 0. With ``auto``, a root that fails to clear the
  market is retried by proportional response where that applies (no complementary CES).
- ``proportional-response`` (any utility; chosen when an agent's utility is linear, whose
  demand is a set): each agent splits its income p . omega_i over goods in proportion to the
  utility each good contributed last round; prices are total bids. It converges to an
  equilibrium of linear and weak-gross-substitutes CES exchange economies (Wu and Zhang,
  "Proportional response dynamics leads to market equilibrium", STOC 2007).

Either way the result says whether it converged: the market clears (relative excess demand)
and every agent's bundle is optimal at the prices (relative optimality gap), within ``tol``.

An optional Pigouvian tax on the externality's source good (a rate on its price, paid by the
source agent only, revenue handed lump-sum to the harmed agent) is applied in the market.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import root

from volition.errors import InputError
from volition.games.economies.economy import ExchangeEconomy
from volition.games.economies.utilities import CES, CobbDouglas, Linear

__all__ = [
    "CompetitiveEquilibrium",
    "competitive_equilibrium",
    "fisher_equilibrium",
    "market_outcome",
]

Vector = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class CompetitiveEquilibrium:
    """Prices (summing to one), allocation, incomes and utilities, and how well it converged."""

    prices: Vector
    allocation: NDArray[np.float64]
    incomes: Vector
    utilities: Vector
    excess_demand: float
    optimality_gap: float
    converged: bool
    method: str
    iterations: int
    tax_rate: float = 0.0


def market_outcome(
    economy: ExchangeEconomy, prices: Vector, tax_rate: float = 0.0
) -> tuple[NDArray[np.float64], Vector]:
    """Every agent's demand and income at these prices (tax applied, revenue handed over)."""
    allocation = np.zeros((economy.n_agents, economy.n_goods))
    incomes = economy.endowments @ prices
    e = economy.externality
    order = list(range(economy.n_agents))
    if e is not None and tax_rate:
        order.remove(e.source)
        order.insert(0, e.source)  # the revenue must be known before the harmed agent buys
    for i in order:
        faced = _faced_prices(economy, prices, tax_rate, i)
        allocation[i] = economy.utilities[i].demand(faced, incomes[i])
        if e is not None and tax_rate and i == e.source:
            incomes[e.harmed] += tax_rate * prices[e.good] * allocation[i, e.good]
    return allocation, incomes


def competitive_equilibrium(
    economy: ExchangeEconomy,
    *,
    tax_rate: float = 0.0,
    method: str = "auto",
    tol: float = 1e-8,
    max_iterations: int = 200_000,
) -> CompetitiveEquilibrium:
    """A competitive equilibrium; ``method`` is ``auto``, ``root`` or ``proportional-response``."""
    if not (np.isfinite(tax_rate) and tax_rate >= 0):
        raise InputError(f"the tax rate must be >= 0, not {tax_rate}")
    if tax_rate and economy.externality is None:
        raise InputError("a Pigouvian tax needs an externality to tax")
    has_linear = any(isinstance(u, Linear) for u in economy.utilities)
    if method == "auto":
        if has_linear:
            method = "proportional-response"
        else:
            found = competitive_equilibrium(economy, tax_rate=tax_rate, method="root", tol=tol)
            complements = any(isinstance(u, CES) and u.rho < 0 for u in economy.utilities)
            if found.converged or tax_rate or complements:
                return found
            method = "proportional-response"
    if method == "root":
        if has_linear:
            raise InputError(
                "root-finding needs single-valued demand; linear utilities need "
                "method 'proportional-response'"
            )
        prices, iterations = _solve_root(economy, tax_rate, tol)
        allocation, incomes = market_outcome(economy, prices, tax_rate)
    elif method == "proportional-response":
        if tax_rate:
            raise InputError("taxes are supported with method 'root' only")
        prices, allocation, iterations = _proportional_response(economy, tol, max_iterations)
        incomes = economy.endowments @ prices
    else:
        raise InputError(f"unknown method {method!r}; use auto, root or proportional-response")
    return _report(economy, prices, allocation, incomes, tax_rate, method, iterations, tol)


def fisher_equilibrium(
    economy: ExchangeEconomy, budgets: Vector, tol: float = 1e-10, max_iterations: int = 200_000
) -> tuple[Vector, NDArray[np.float64], bool]:
    """The Fisher market with these budgets, by proportional response: (prices, allocation,
    converged). Its allocation is the Eisenberg-Gale optimum max sum_i B_i log u_i(x_i); it
    converges for Cobb-Douglas, linear and substitute CES (rho > 0) utilities.
    """
    prices, allocation, _ = _proportional_response(economy, tol, max_iterations, budgets)
    scaled = prices * budgets.sum()  # prices in the budgets' money
    gap = _gap(economy, scaled, allocation, budgets)
    return prices, allocation, bool(gap < 1e3 * tol)


def _faced_prices(economy: ExchangeEconomy, prices: Vector, tax_rate: float, i: int) -> Vector:
    e = economy.externality
    if e is None or not tax_rate or i != e.source:
        return prices
    faced = prices.copy()
    faced[e.good] *= 1.0 + tax_rate
    return faced


def _solve_root(economy: ExchangeEconomy, tax_rate: float, tol: float) -> tuple[Vector, int]:
    supply = economy.supply

    def excess(log_rest: Vector) -> Vector:
        prices = np.concatenate([[1.0], np.exp(log_rest)])
        allocation, _ = market_outcome(economy, prices, tax_rate)
        return np.asarray((allocation.sum(axis=0) - supply)[1:] / supply[1:])

    guess = np.zeros(economy.n_goods - 1)
    solution = root(excess, guess, method="lm", options={"xtol": tol * 1e-2, "ftol": tol * 1e-2})
    prices = np.concatenate([[1.0], np.exp(solution.x)])
    return prices / prices.sum(), int(solution.nfev)


def _proportional_response(
    economy: ExchangeEconomy,
    tol: float,
    max_iterations: int,
    budgets: Vector | None = None,
) -> tuple[Vector, NDArray[np.float64], int]:
    """Proportional response; with fixed ``budgets`` it solves the Fisher market instead."""
    supply = economy.supply
    n, m = economy.n_agents, economy.n_goods
    prices = 1.0 / (m * supply)
    start = economy.endowments @ prices if budgets is None else budgets
    bids = np.outer(start, np.full(m, 1.0 / m))
    for iteration in range(1, max_iterations + 1):
        prices = np.maximum(bids.sum(axis=0) / supply, 1e-300)  # per unit; money is conserved
        allocation = bids / prices
        incomes = economy.endowments @ prices if budgets is None else budgets
        shares = np.array([_contributions(economy.utilities[i], allocation[i]) for i in range(n)])
        bids = incomes[:, None] * shares
        if iteration % 50 == 0 and _gap(economy, prices, allocation, incomes) < tol:
            break
    total = prices.sum()  # rescaling prices leaves the allocation unchanged
    return prices / total, allocation, iteration


def _contributions(utility: object, x: Vector) -> Vector:
    """Each good's share of the agent's utility (the proportional-response split)."""
    if isinstance(utility, Linear):
        parts = utility.weights * x
    elif isinstance(utility, CobbDouglas):
        parts = utility.weights.copy()
    elif isinstance(utility, CES):
        parts = utility.weights * np.maximum(x, 1e-300) ** utility.rho
    else:  # pragma: no cover - every utility above is handled
        raise InputError(f"no proportional response for {type(utility).__name__}")
    total = parts.sum()
    return np.asarray(parts / total) if total > 0 else np.full_like(x, 1.0 / x.size)


def _gap(
    economy: ExchangeEconomy, prices: Vector, allocation: NDArray[np.float64], incomes: Vector
) -> float:
    gaps = []
    for i, utility in enumerate(economy.utilities):
        best = utility.indirect(prices, incomes[i])
        if best > 0:
            gaps.append((best - utility.value(allocation[i])) / best)
    return float(max(gaps, default=0.0))


def _report(
    economy: ExchangeEconomy,
    prices: Vector,
    allocation: NDArray[np.float64],
    incomes: Vector,
    tax_rate: float,
    method: str,
    iterations: int,
    tol: float,
) -> CompetitiveEquilibrium:
    excess = float(np.max(np.abs(allocation.sum(axis=0) - economy.supply) / economy.supply))
    gap = max(
        (
            _agent_gap(economy, prices, tax_rate, incomes, allocation, i)
            for i in range(economy.n_agents)
        ),
        default=0.0,
    )
    return CompetitiveEquilibrium(
        prices=prices,
        allocation=allocation,
        incomes=incomes,
        utilities=economy.utility_of(allocation),
        excess_demand=excess,
        optimality_gap=gap,
        converged=bool(excess < 1e3 * tol and gap < 1e3 * tol),
        method=method,
        iterations=iterations,
        tax_rate=tax_rate,
    )


def _agent_gap(
    economy: ExchangeEconomy,
    prices: Vector,
    tax_rate: float,
    incomes: Vector,
    allocation: NDArray[np.float64],
    i: int,
) -> float:
    faced = _faced_prices(economy, prices, tax_rate, i)
    utility = economy.utilities[i]
    best = utility.indirect(faced, incomes[i])
    if best <= 0:
        return 0.0
    spent = float(faced @ allocation[i])
    overspend = max(0.0, spent - float(incomes[i])) / max(float(incomes[i]), 1e-300)
    return max((best - utility.value(allocation[i])) / best, overspend)
