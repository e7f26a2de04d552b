"""Imperfect assurance: commitment problems as game trees (docs/theory.md §2).

The tragedy of power (Example 2.1 of the paper) and Parfit's hitchhiker share one shape:
without a way to commit, the second mover would exploit the first, so the first mover
declines and both lose. The report gives the subgame-perfect outcome, the outcome when one
player can credibly commit (pure, and mixed as a Stackelberg LP), and the value of
commitment: each player's gain, and whether it is a Pareto improvement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from volition.errors import InputError, UnknownNameError
from volition.games.backward import (
    SubgamePerfectEquilibrium,
    strategic_form,
    subgame_perfect_equilibrium,
)
from volition.games.commitment import CommitmentOutcome, commitment_outcome
from volition.games.extensive import ExtensiveGame
from volition.games.game import NormalFormGame
from volition.games.pareto import ParetoFrontier

__all__ = ["CommitmentProblem", "commitment_problem"]


@dataclass(frozen=True, eq=False)
class CommitmentProblem:
    """A tree's subgame-perfect outcome against its outcomes under commitment."""

    game: ExtensiveGame
    strategic: NormalFormGame
    committer: int
    subgame_perfect: SubgamePerfectEquilibrium
    pure: CommitmentOutcome
    mixed: CommitmentOutcome

    @property
    def value_of_commitment(self) -> NDArray[np.float64]:
        """Each player's gain from the pure commitment over the subgame-perfect outcome."""
        return np.asarray(self.pure.payoffs - self.subgame_perfect.payoffs, dtype=np.float64)

    @property
    def pareto_improvement(self) -> bool:
        """Whether the pure commitment leaves no one worse off and someone better off."""
        gain = self.value_of_commitment
        tol = 1e-9 * max(1.0, float(np.abs(self.strategic.payoffs).max()))
        return bool(np.all(gain >= -tol) and np.any(gain > tol))

    def to_json(self) -> dict[str, Any]:
        """The report printed by ``volition commitment``."""
        players = self.game.players
        spe = self.subgame_perfect
        return {
            "model": self.game.title or "commitment problem",
            "players": list(players),
            "subgame_perfect": {
                "path": list(spe.path),
                "plan": [
                    {"player": players[i], "infoset": name, "action": action}
                    for i, plan in enumerate(spe.plan)
                    for name, action in plan.items()
                ],
                "payoffs": _by(players, spe.payoffs),
                "unique": spe.unique,
            },
            "committer": players[self.committer],
            "commitment": {"pure": self._outcome(self.pure), "mixed": self._outcome(self.mixed)},
            "value_of_commitment": _by(players, self.value_of_commitment),
            "mixed_value_of_commitment": _by(
                players, self.mixed.payoffs - self.subgame_perfect.payoffs
            ),
            "pareto_improvement": self.pareto_improvement,
            # docs/theory.md §1: is each outcome aligned (Pareto-optimal among coordinated play)?
            "subgame_perfect_is_pareto_optimal": self._pareto(spe.payoffs),
            "commitment_is_pareto_optimal": self._pareto(self.pure.payoffs),
        }

    def _pareto(self, payoffs: NDArray[np.float64]) -> bool:
        return ParetoFrontier.of(self.strategic).test(payoffs).coordinated_pareto

    def _outcome(self, c: CommitmentOutcome) -> dict[str, Any]:
        g, leader = self.strategic, self.committer
        return {
            "strategy": {
                g.strategies[leader][k]: _r(float(p))
                for k, p in enumerate(c.leader_strategy)
                if p > 1e-12
            },
            "response": g.strategies[1 - leader][c.follower_response],
            "payoffs": _by(self.game.players, c.payoffs),
            "method": c.method,
        }


def commitment_problem(game: ExtensiveGame, committer: str | None = None) -> CommitmentProblem:
    """Analyse a two-player tree; by default the player who does not move first commits."""
    if len(game.players) != 2:
        raise InputError(f"a commitment problem has two players; this game has {len(game.players)}")
    if committer is None:
        leader = 1 if game.root.player in (None, 0) else 0
    elif committer in game.players:
        leader = game.players.index(committer)
    else:
        raise UnknownNameError(
            f"unknown committer {committer!r}; the players are {list(game.players)}"
        )
    strategic = strategic_form(game)
    return CommitmentProblem(
        game=game,
        strategic=strategic,
        committer=leader,
        subgame_perfect=subgame_perfect_equilibrium(game),
        pure=commitment_outcome(strategic, leader),
        mixed=commitment_outcome(strategic, leader, mixed=True),
    )


def _by(players: tuple[str, ...], values: NDArray[np.float64]) -> dict[str, float]:
    return {p: _r(float(v)) for p, v in zip(players, values, strict=True)}


def _r(x: float) -> float:
    return float(f"{x:.12g}") + 0.0
