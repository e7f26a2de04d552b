"""volition.games: alignment as Pareto efficiency (docs/theory.md §1-2).

Finite normal-form games as one payoff tensor, read from YAML/JSON or Gambit ``.nfg``;
pure, mixed and (coarse) correlated equilibria; Pareto skylines and the coordinated
frontier; linear and geometric welfare with supporting weights; the alignment report.
Game trees (YAML/JSON or Gambit ``.efg``): backward induction, subgame decomposition,
strategic form, and commitment (pure and Stackelberg) with its value. pygambit (the
optional extra ``volition[gambit]``) is used only through :mod:`volition.games.gambit`.
"""

from volition.games.alignment import AlignmentReport, EquilibriumAlignment, alignment_report
from volition.games.assurance import CommitmentProblem, commitment_problem
from volition.games.backward import (
    SubgamePerfectEquilibrium,
    strategic_form,
    subgame_perfect_equilibrium,
)
from volition.games.commitment import CommitmentOutcome, commitment_outcome
from volition.games.correlated import (
    CorrelatedEquilibrium,
    correlated_equilibrium,
    incentive_gains,
)
from volition.games.extensive import ExtensiveGame, Node, tree_from_mapping
from volition.games.files import game_from_mapping, game_to_mapping, load_game, load_tree, save_game
from volition.games.game import MixedProfile, NormalFormGame
from volition.games.mixed import MixedEquilibrium
from volition.games.nfg import read_nfg, write_nfg
from volition.games.pareto import ParetoFrontier, ParetoTest
from volition.games.pure import best_response_mask, pure_nash_equilibria, pure_nash_mask
from volition.games.skyline import dominates, skyline_mask
from volition.games.subgames import (
    Behaviour,
    BehaviourEquilibrium,
    behaviour_to_mixed,
    subgame_perfect_behaviour,
    subgame_roots,
)
from volition.games.vertices import vertex_enumeration
from volition.games.welfare import (
    GeometricWeights,
    SupportingWeights,
    WelfareMaximum,
    geometric_maximum,
    geometric_weights,
    geometric_welfare,
    linear_maximum,
    linear_welfare,
    security_levels,
    supporting_weights,
)

__all__ = [
    "AlignmentReport",
    "Behaviour",
    "BehaviourEquilibrium",
    "CommitmentOutcome",
    "CommitmentProblem",
    "CorrelatedEquilibrium",
    "EquilibriumAlignment",
    "ExtensiveGame",
    "GeometricWeights",
    "MixedEquilibrium",
    "MixedProfile",
    "Node",
    "NormalFormGame",
    "ParetoFrontier",
    "ParetoTest",
    "SubgamePerfectEquilibrium",
    "SupportingWeights",
    "WelfareMaximum",
    "alignment_report",
    "behaviour_to_mixed",
    "best_response_mask",
    "commitment_outcome",
    "commitment_problem",
    "correlated_equilibrium",
    "dominates",
    "game_from_mapping",
    "game_to_mapping",
    "geometric_maximum",
    "geometric_weights",
    "geometric_welfare",
    "incentive_gains",
    "linear_maximum",
    "linear_welfare",
    "load_game",
    "load_tree",
    "pure_nash_equilibria",
    "pure_nash_mask",
    "read_nfg",
    "save_game",
    "security_levels",
    "skyline_mask",
    "strategic_form",
    "subgame_perfect_behaviour",
    "subgame_perfect_equilibrium",
    "subgame_roots",
    "supporting_weights",
    "tree_from_mapping",
    "vertex_enumeration",
    "write_nfg",
]
