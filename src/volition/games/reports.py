"""The alignment analyses as JSON-ready reports: economies and market failures.

Shared by the ``volition economy`` and ``volition failures`` commands and the HTTP API.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from volition.core.files import read_structured_file, validate_spec
from volition.errors import UnknownNameError
from volition.games.assurance import commitment_problem
from volition.games.economies import (
    ExchangeEconomy,
    competitive_equilibrium,
    load_economy,
    pareto_improvement,
    pigouvian_tax,
    second_welfare_theorem,
)
from volition.games.economies.welfare_theorems import ParetoTest
from volition.games.failures import LemonsMarket, lemons_equilibrium
from volition.games.files import load_tree

__all__ = ["FAILURES", "economy_report", "failure_report"]

FAILURES = {
    "lemons": "failure_lemons.yaml",
    "externality": "economy_externality.yaml",
    "tragedy-of-power": "game_tragedy_of_power_tree.yaml",
    "hitchhiker": "game_parfits_hitchhiker.yaml",
}


def economy_report(economy: ExchangeEconomy, shares: list[float] | None = None) -> dict[str, Any]:
    """The content ``volition economy`` prints."""
    eq = competitive_equilibrium(economy)
    report: dict[str, Any] = {
        "agents": list(economy.agents),
        "goods": list(economy.goods),
        "equilibrium": _equilibrium(economy, eq),
        "first_welfare_theorem": _pareto(pareto_improvement(economy, eq.allocation)),
    }
    if shares is not None:
        second = second_welfare_theorem(economy, shares=shares)
        report["second_welfare_theorem"] = {
            "allocation": _by_agent(economy, second.allocation),
            "prices": dict(zip(economy.goods, second.prices, strict=True)),
            "transfers": dict(zip(economy.agents, second.transfers, strict=True)),
            "reproduces": second.reproduces,
        }
    return report


class _LemonsSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    failure: str = "lemons"
    qualities: list[float]
    probabilities: list[float] | None = None
    seller_value: float = 1.0
    buyer_value: float = Field(default=1.5)
    inspection_cost: float = 0.0


def failure_report(name: str, file: Path | None = None) -> dict[str, Any]:
    """The content ``volition failures NAME`` prints."""
    if name not in FAILURES:
        raise UnknownNameError(f"unknown failure {name!r}; choose one of {', '.join(FAILURES)}")
    with as_file(files("volition").joinpath("examples", FAILURES[name])) as default:
        path = file or default
        if name == "externality":
            return _externality(load_economy(path))
        if name in ("tragedy-of-power", "hitchhiker"):  # imperfect assurance: no commitment
            return {"failure": name, **commitment_problem(load_tree(path), None).to_json()}
        spec = validate_spec(read_structured_file(path), _LemonsSpec, str(path), "qualities")
    market = LemonsMarket.build(
        spec.qualities,
        spec.probabilities,
        seller_value=spec.seller_value,
        buyer_value=spec.buyer_value,
        inspection_cost=spec.inspection_cost,
    )
    out = lemons_equilibrium(market)
    return {
        "failure": "lemons",
        "price": out.price,
        "price_path": list(out.price_path),
        "qualities_traded": market.qualities[out.traded].tolist(),
        "trade_probability": out.trade_probability,
        "welfare": out.welfare,
        "first_best_welfare": out.first_best_welfare,
        "welfare_lost": out.welfare_lost,
        "with_inspection": {
            "qualities_traded": market.qualities[out.inspected_traded].tolist(),
            "welfare": out.inspected_welfare,
        },
    }


def _externality(economy: ExchangeEconomy) -> dict[str, Any]:
    result = pigouvian_tax(economy)
    return {
        "failure": "externality",
        "untaxed": {
            **_equilibrium(economy, result.untaxed),
            "first_welfare_theorem": _pareto(result.untaxed_test),
        },
        "tax_rate": result.rate,
        "taxed": {
            **_equilibrium(economy, result.taxed),
            "first_welfare_theorem": _pareto(result.taxed_test),
        },
    }


def _equilibrium(economy: ExchangeEconomy, eq: Any) -> dict[str, Any]:
    return {
        "method": eq.method,
        "converged": eq.converged,
        "iterations": eq.iterations,
        "excess_demand": eq.excess_demand,
        "optimality_gap": eq.optimality_gap,
        "prices": dict(zip(economy.goods, eq.prices, strict=True)),
        "allocation": _by_agent(economy, eq.allocation),
        "incomes": dict(zip(economy.agents, eq.incomes, strict=True)),
        "utilities": dict(zip(economy.agents, eq.utilities, strict=True)),
    }


def _pareto(test: ParetoTest) -> dict[str, Any]:
    return {"pareto_optimal": test.pareto_optimal, "gain": test.gain}


def _by_agent(economy: ExchangeEconomy, allocation: Any) -> dict[str, dict[str, float]]:
    return {
        agent: dict(zip(economy.goods, (float(v) for v in allocation[i]), strict=True))
        for i, agent in enumerate(economy.agents)
    }
