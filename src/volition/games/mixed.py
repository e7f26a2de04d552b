"""Mixed Nash equilibria as results: the profile, its payoffs, and how it was found.

docs/theory.md §1: a mixed equilibrium randomises independently per agent and leaves no agent a
profitable deviation. Every result carries its largest regret, so a caller can check it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from volition.games.game import MixedProfile, NormalFormGame

__all__ = ["MixedEquilibrium", "dedupe"]


@dataclass(frozen=True, eq=False)
class MixedEquilibrium:
    """A mixed-strategy profile with its expected payoffs and regret.

    ``method`` names the algorithm (``vertex-enumeration``, ``gambit-logit``, ...);
    ``exact`` says whether it computed in exact arithmetic; ``max_regret`` is recomputed
    here in floating point from the game, whatever produced the profile.
    """

    profile: tuple[NDArray[np.float64], ...]
    payoffs: NDArray[np.float64]
    max_regret: float
    method: str
    exact: bool

    @classmethod
    def of(
        cls, game: NormalFormGame, profile: MixedProfile, method: str, exact: bool = False
    ) -> MixedEquilibrium:
        """Build the result for ``profile``, computing its payoffs and regret."""
        sigmas = tuple(game.check_mixed(profile))
        for s in sigmas:
            s.setflags(write=False)
        return cls(
            profile=sigmas,
            payoffs=game.expected_payoffs(sigmas),
            max_regret=float(game.regrets(sigmas).max()),
            method=method,
            exact=exact,
        )

    @property
    def is_pure(self) -> bool:
        """Whether every player puts probability one on one strategy."""
        return all(int(np.count_nonzero(s > 1e-12)) == 1 for s in self.profile)

    def pure_profile(self) -> tuple[int, ...]:
        """The strategy each player plays most (the pure profile when :attr:`is_pure`)."""
        return tuple(int(np.argmax(s)) for s in self.profile)

    def support(self) -> tuple[tuple[int, ...], ...]:
        """The strategies each player plays with positive probability."""
        return tuple(tuple(int(a) for a in np.flatnonzero(s > 1e-12)) for s in self.profile)


def dedupe(equilibria: list[MixedEquilibrium], atol: float = 1e-7) -> list[MixedEquilibrium]:
    """Drop profiles equal (within ``atol``) to one already listed, keeping the first."""
    kept: list[MixedEquilibrium] = []
    for eq in equilibria:
        flat = np.concatenate(eq.profile)
        if not any(np.allclose(flat, np.concatenate(k.profile), atol=atol) for k in kept):
            kept.append(eq)
    return kept
