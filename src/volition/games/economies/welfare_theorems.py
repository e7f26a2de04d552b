"""The two welfare theorems on an exchange economy, and the externality that breaks the first.

- :func:`pareto_improvement` tests an allocation for (strong) Pareto optimality: exactly, by
  the KKT conditions of weighted welfare (supporting prices and positive weights exist, a
  linear programme), and by measuring the largest gain, the convex programme
  max sum_i s_i s.t. U_i(x) >= U_i(x*) + s_i c_i, s >= 0, sum_i x_i <= supply, x >= 0
  (c_i a scale, so gains are relative), which also yields an improving reallocation. The
  first welfare theorem (docs/theory.md §2) says a competitive equilibrium passes this test,
  unless an externality breaks it.
- :func:`second_welfare_theorem`: a chosen Pareto optimum (by income shares, through the
  Eisenberg-Gale programme, or given), its supporting prices and the endowment transfers
  T_i = p . (x*_i - omega_i), summing to zero, that make it a competitive equilibrium;
  ``reproduces`` checks that each agent's best affordable utility at those prices and incomes
  is its utility at the optimum.
- :func:`pigouvian_tax`: the tax rate tau on the source's purchases of the polluting good with
  tau p_g = damage / lambda_h (lambda_h the harmed agent's marginal utility of income), found
  as a fixed point; with it the equilibrium passes the Pareto test again.

The programmes are solved with SLSQP (``scipy.optimize.minimize``) with exact gradients; they
are convex since every utility here is concave.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linprog, minimize

from volition.errors import ComputationError, InputError
from volition.games.economies.economy import ExchangeEconomy
from volition.games.economies.equilibrium import (
    CompetitiveEquilibrium,
    competitive_equilibrium,
    fisher_equilibrium,
)
from volition.games.economies.utilities import CES

__all__ = [
    "ParetoTest",
    "PigouvianTax",
    "SecondTheorem",
    "pareto_improvement",
    "pigouvian_tax",
    "second_welfare_theorem",
]

Matrix = NDArray[np.float64]
PARETO_TOL = 1e-6
_SUPPORT_TOL = 1e-5  # how far from a tangency (relative to the largest marginal utility) a
# consumed good may be: proportional response approaches corner optima only linearly


@dataclass(frozen=True, eq=False)
class ParetoTest:
    """The largest total relative gain a reallocation offers, and that reallocation."""

    gain: float
    improvement: Matrix
    pareto_optimal: bool


@dataclass(frozen=True, eq=False)
class SecondTheorem:
    """A Pareto optimum, its supporting prices and the transfers that decentralise it."""

    weights: NDArray[np.float64]
    allocation: Matrix
    prices: NDArray[np.float64]
    transfers: NDArray[np.float64]
    reproduces: bool


@dataclass(frozen=True, eq=False)
class PigouvianTax:
    """The market without and with the Pigouvian tax, each tested for Pareto optimality."""

    rate: float
    untaxed: CompetitiveEquilibrium
    taxed: CompetitiveEquilibrium
    untaxed_test: ParetoTest
    taxed_test: ParetoTest


def _utilities_and_jacobian(economy: ExchangeEconomy, x: Matrix) -> tuple[Matrix, Matrix]:
    n, m = economy.n_agents, economy.n_goods
    values = economy.utility_of(x)
    jac = np.zeros((n, n * m))
    for i, utility in enumerate(economy.utilities):
        jac[i, i * m : (i + 1) * m] = utility.gradient(x[i])
    e = economy.externality
    if e is not None:
        jac[e.harmed, e.source * m + e.good] -= e.damage
    return values, jac


def pareto_improvement(economy: ExchangeEconomy, allocation: ArrayLike) -> ParetoTest:
    """How much a feasible reallocation can help, hurting nobody (0: Pareto-optimal)."""
    n, m = economy.n_agents, economy.n_goods
    x_star = np.asarray(allocation, dtype=np.float64)
    if x_star.shape != (n, m):
        raise InputError(f"an allocation is {n} rows (agents) of {m} amounts (goods)")
    base = economy.utility_of(x_star)
    scale = np.maximum(np.abs(base), 1e-9)
    supply = economy.supply

    def gains_constraint(z: NDArray[np.float64]) -> NDArray[np.float64]:
        values, _ = _utilities_and_jacobian(economy, z[: n * m].reshape(n, m))
        return np.asarray(values - base - z[n * m :] * scale)

    def gains_jacobian(z: NDArray[np.float64]) -> Matrix:
        _, jac = _utilities_and_jacobian(economy, z[: n * m].reshape(n, m))
        return np.hstack([jac, -np.diag(scale)])

    supply_jac = np.hstack([-np.tile(np.eye(m), n), np.zeros((m, n))])
    starts = [0.999 * np.clip(x_star, 0.0, None) + 0.001 * supply / n, np.tile(supply / n, (n, 1))]
    best_gain, best_x = 0.0, x_star
    for start in starts:  # inside the interior: Cobb-Douglas gradients blow up on the boundary
        result = minimize(
            lambda z: -z[n * m :].sum(),
            np.concatenate([start.ravel(), np.zeros(n)]),
            jac=lambda z: np.concatenate([np.zeros(n * m), -np.ones(n)]),
            bounds=[(0.0, float(supply[j % m])) for j in range(n * m)] + [(0.0, 10.0)] * n,
            constraints=[
                {"type": "ineq", "fun": gains_constraint, "jac": gains_jacobian},
                {
                    "type": "ineq",
                    "fun": lambda z: supply - z[: n * m].reshape(n, m).sum(axis=0),
                    "jac": lambda z: supply_jac,
                },
            ],
            method="SLSQP",
            options={"maxiter": 500, "ftol": 1e-12},
        )
        feasible = (gains_constraint(result.x) >= -1e-9).all() and (
            supply - result.x[: n * m].reshape(n, m).sum(axis=0) >= -1e-9
        ).all()
        if feasible and -result.fun > best_gain:
            best_gain, best_x = float(-result.fun), result.x[: n * m].reshape(n, m)
        if result.success:
            break
    supported = _supporting_prices(economy, x_star) is not None
    return ParetoTest(best_gain, best_x, supported and best_gain <= PARETO_TOL)


def second_welfare_theorem(
    economy: ExchangeEconomy,
    *,
    shares: ArrayLike | None = None,
    allocation: ArrayLike | None = None,
) -> SecondTheorem:
    """Prices and transfers that make a chosen Pareto optimum a competitive equilibrium.

    Choose the optimum either by ``shares`` (lambda > 0: the optimum of the Eisenberg-Gale
    programme max sum_i lambda_i log u_i(x_i), where agent i ends up with the share lambda_i
    of the economy's value; every interior Pareto optimum arises so) or give it as an
    ``allocation``, whose supporting prices are then found by linear programming (HiGHS):
    p and beta_i > 0 with beta_i du_i/dx_ij <= p_j, equality where agent i consumes good j.
    """
    if economy.externality is not None:
        raise InputError("the second welfare theorem needs an economy without externalities")
    if (shares is None) == (allocation is None):
        raise InputError("choose the Pareto optimum by `shares` or give it as an `allocation`")
    n, m = economy.n_agents, economy.n_goods
    if shares is not None:
        lam = np.asarray(shares, dtype=np.float64)
        if lam.shape != (n,) or not np.isfinite(lam).all() or (lam <= 0).any():
            raise InputError(f"give {n} positive shares, one per agent")
        x = _eisenberg_gale(economy, lam / lam.sum())
    else:
        x = np.asarray(allocation, dtype=np.float64)
        if x.shape != (n, m) or (x < 0).any():
            raise InputError(f"an allocation is {n} rows (agents) of {m} amounts >= 0")
        if np.abs(x.sum(axis=0) - economy.supply).max() > 1e-9 * economy.supply.max():
            raise InputError("the allocation must use exactly the economy's supply of each good")
    prices = _supporting_prices(economy, x)
    if prices is None:
        raise InputError("this allocation is not Pareto-optimal: no prices support it")
    incomes = x @ prices
    transfers = incomes - economy.endowments @ prices
    reproduces = all(
        abs(u.indirect(prices, incomes[i]) - u.value(x[i])) <= 1e-6 * max(1.0, u.value(x[i]))
        for i, u in enumerate(economy.utilities)
    )
    weights = incomes / incomes.sum()
    return SecondTheorem(weights, x, prices, transfers, reproduces)


def _eisenberg_gale(economy: ExchangeEconomy, lam: NDArray[np.float64]) -> Matrix:
    """max sum_i lambda_i log u_i(x_i) over feasible allocations.

    Without complements this is the Fisher market with budgets lambda, solved accurately by
    proportional response; complementary CES falls back to SLSQP.
    """
    if not any(isinstance(u, CES) and u.rho < 0 for u in economy.utilities):
        _, allocation, converged = fisher_equilibrium(economy, lam)
        if converged:
            return allocation
    n, m = economy.n_agents, economy.n_goods
    supply = economy.supply

    def objective(z: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        x = z.reshape(n, m)
        values, jac = _utilities_and_jacobian(economy, x)
        values = np.maximum(values, 1e-300)
        return -float(lam @ np.log(values)), -((lam / values) @ jac)

    result = minimize(
        objective,
        np.outer(lam, supply).ravel(),
        jac=True,
        bounds=[(1e-12, float(supply[j % m])) for j in range(n * m)],
        constraints=[
            {
                "type": "ineq",
                "fun": lambda z: supply - z.reshape(n, m).sum(axis=0),
                "jac": lambda z: -np.tile(np.eye(m), n),
            }
        ],
        method="SLSQP",
        options={"maxiter": 2000, "ftol": 1e-15},
    )
    if not result.success:
        raise ComputationError(f"the Eisenberg-Gale programme did not solve: {result.message}")
    x = result.x.reshape(n, m)
    return np.asarray(x * (supply / x.sum(axis=0)))  # no slack: the optimum uses all goods


def _supporting_prices(economy: ExchangeEconomy, x: Matrix) -> NDArray[np.float64] | None:
    """Prices p and welfare weights mu > 0 satisfying the KKT conditions at x, if any.

    x maximises sum_i mu_i U_i over feasible allocations iff mu_i dU_i/dx_ij <= p_j for all
    i, j, with equality where agent i consumes good j, and p_j = 0 for a good left over. The
    externality enters the source's marginal utility of the polluting good as -mu_h damage.
    Linear in (p, mu): a linear programme (HiGHS) that maximises the smallest weight.
    """
    n, m = economy.n_agents, economy.n_goods
    grads = np.array([u.gradient(x[i]) for i, u in enumerate(economy.utilities)])
    scale = max(float(np.abs(grads).max()), 1e-300)
    consumed = x > 1e-6 * economy.supply
    leftover = x.sum(axis=0) < economy.supply * (1 - 1e-9)
    e = economy.externality
    size = m + n + 1  # p, mu, t
    rows, bounds_ub = [], []
    for i in range(n):
        for j in range(m):
            row = np.zeros(size)
            row[j], row[m + i] = -1.0, grads[i, j] / scale
            if e is not None and (i, j) == (e.source, e.good):
                row[m + e.harmed] -= e.damage / scale
            rows.append(row)
            bounds_ub.append(0.0)
            if consumed[i, j]:
                rows.append(-row)
                bounds_ub.append(_SUPPORT_TOL)
        floor = np.zeros(size)
        floor[m + i], floor[-1] = -1.0, 1.0  # t <= mu_i
        rows.append(floor)
        bounds_ub.append(0.0)
    result = linprog(
        -np.eye(size)[-1],
        A_ub=np.array(rows),
        b_ub=np.array(bounds_ub),
        A_eq=np.concatenate([np.ones(m), np.zeros(n + 1)])[None, :],
        b_eq=[1.0],
        bounds=[(0, 0) if leftover[j] else (0, None) for j in range(m)] + [(0, None)] * (n + 1),
        method="highs",
    )
    if result.status != 0 or -result.fun <= 1e-9:
        return None
    return np.asarray(result.x[:m])


def pigouvian_tax(economy: ExchangeEconomy, max_iterations: int = 200) -> PigouvianTax:
    """The tax that makes the polluter pay the marginal damage, and its effect."""
    e = economy.externality
    if e is None:
        raise InputError("this economy has no externality to tax")
    untaxed = competitive_equilibrium(economy, method="root")
    rate = 0.0
    taxed = untaxed
    for _ in range(max_iterations):
        harmed = taxed.allocation[e.harmed]
        j = int(np.argmax(harmed * taxed.prices))
        marginal_utility_of_income = (
            economy.utilities[e.harmed].gradient(harmed)[j] / (taxed.prices[j])
        )
        new_rate = e.damage / (marginal_utility_of_income * taxed.prices[e.good])
        taxed = competitive_equilibrium(economy, tax_rate=new_rate, method="root")
        if abs(new_rate - rate) <= 1e-12 * max(1.0, new_rate):
            rate = new_rate
            break
        rate = new_rate
    return PigouvianTax(
        rate=rate,
        untaxed=untaxed,
        taxed=taxed,
        untaxed_test=pareto_improvement(economy, untaxed.allocation),
        taxed_test=pareto_improvement(economy, taxed.allocation),
    )
