"""Exchange economies and the welfare theorems (docs/theory.md §2): alignment through prices."""

from volition.games.economies.economy import ExchangeEconomy, Externality
from volition.games.economies.equilibrium import (
    CompetitiveEquilibrium,
    competitive_equilibrium,
    market_outcome,
)
from volition.games.economies.files import economy_from_mapping, load_economy
from volition.games.economies.utilities import CES, CobbDouglas, Linear, Utility
from volition.games.economies.welfare_theorems import (
    ParetoTest,
    PigouvianTax,
    SecondTheorem,
    pareto_improvement,
    pigouvian_tax,
    second_welfare_theorem,
)

__all__ = [
    "CES",
    "CobbDouglas",
    "CompetitiveEquilibrium",
    "ExchangeEconomy",
    "Externality",
    "Linear",
    "ParetoTest",
    "PigouvianTax",
    "SecondTheorem",
    "Utility",
    "competitive_equilibrium",
    "economy_from_mapping",
    "load_economy",
    "market_outcome",
    "pareto_improvement",
    "pigouvian_tax",
    "second_welfare_theorem",
]
