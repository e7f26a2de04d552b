"""volition.experiments: RL from information-market feedback, sweeps, plots and reports.

A world and a market regime (docs/theory.md §3-4) become a finite sequential game whose payoffs
are tabulated exactly from ``volition.mechanisms`` (:mod:`.regimes`, :mod:`.game`); informers
learn in it (:mod:`.learners`), as a PettingZoo environment (:mod:`.env`) or vectorised over
episodes; experiment specs expand to grids run on local processes or Ray (:mod:`.runner`).
Heavy dependencies (pettingzoo, pyarrow, matplotlib, ray) are imported only where used.
"""

from volition.experiments.game import CATEGORIES, Exact, TabularGame, subgame_perfect
from volition.experiments.regimes import REGIME_KINDS, Regime, World, build_game, parse_regime

__all__ = [
    "CATEGORIES",
    "REGIME_KINDS",
    "Exact",
    "Regime",
    "TabularGame",
    "World",
    "build_game",
    "parse_regime",
    "subgame_perfect",
]
