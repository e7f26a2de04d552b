"""The alignment report: is the equilibrium outcome the choice of one super-agent?

docs/theory.md §1: a system of agents is *aligned* when its equilibrium outcome is Pareto-optimal,
i.e. it maximises some welfare function with positive weights. For every Nash equilibrium
(pure, and mixed where a solver applies) the report gives its payoffs, whether it is
strongly / weakly Pareto-optimal among pure outcomes and Pareto-optimal in the coordinated
hull C, the supporting linear weights (or why none exist), Little's geometric weights, the
distance to the frontier (the uniform gain everyone could get by coordinating), the welfare
loss max_C W_lambda - W_lambda(u*) for a principal's weights lambda, and the price of
anarchy / stability for utilitarian welfare.

*(choices)* Principal weights are normalised to sum 1. The disagreement point of geometric
welfare defaults to the players' pure security levels. The prices of anarchy and stability
are max_C W / min_eq W and max_C W / max_eq W for W = sum_i u_i, reported only when the
welfare values involved are positive (ratios of non-positive welfare mean nothing).
Mixed equilibria: vertex enumeration for two players (Gambit's Lemke-Howson ``lcp`` when the
game is too large to enumerate); Gambit's logit solver for more players (one equilibrium);
without the extra ``volition[gambit]`` those fall back to pure equilibria only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from volition.errors import ComputationError
from volition.games.gambit import gambit_available, gambit_mixed_equilibria
from volition.games.game import NormalFormGame
from volition.games.mixed import MixedEquilibrium
from volition.games.pareto import ParetoFrontier, ParetoTest
from volition.games.pure import pure_nash_equilibria
from volition.games.vertices import DEFAULT_MAX_BASES, vertex_enumeration
from volition.games.welfare import (
    GeometricWeights,
    SupportingWeights,
    geometric_weights,
    linear_maximum,
    normalised_weights,
    payoff_vector,
    security_levels,
    supporting_weights,
)

__all__ = ["MAX_GAMBIT_PROFILES", "AlignmentReport", "EquilibriumAlignment", "alignment_report"]

MixedMode = Literal["auto", "none"]

MAX_GAMBIT_PROFILES = 100_000
"""Gambit's solvers (lcp for large two-player games, logit for more players) are tried only
on games with at most this many profiles; larger ones report pure equilibria only."""


@dataclass(frozen=True, eq=False)
class EquilibriumAlignment:
    """One equilibrium and how aligned it is."""

    equilibrium: MixedEquilibrium
    kind: Literal["pure", "mixed"]
    pareto: ParetoTest
    linear: SupportingWeights
    geometric: GeometricWeights | None
    principal_loss: float | None


@dataclass(frozen=True, eq=False)
class AlignmentReport:
    """Every equilibrium's alignment, the Pareto-optimal pure profiles, PoA and PoS.

    ``mixed_method`` names how mixed equilibria were found (None: pure equilibria only).
    """

    game: NormalFormGame
    equilibria: tuple[EquilibriumAlignment, ...]
    pareto_profiles: tuple[tuple[int, ...], ...]
    price_of_anarchy: float | None
    price_of_stability: float | None
    principal: NDArray[np.float64] | None
    disagreement: NDArray[np.float64]
    mixed_method: str | None

    def to_json(self) -> dict[str, Any]:
        """The report with exactly the keys of ``volition align --json``."""
        g = self.game
        return {
            "players": list(g.players),
            "equilibria": [_equilibrium_json(g, e) for e in self.equilibria],
            "pareto_profiles": [
                {
                    "profile": _pure_json(g, p),
                    "payoffs": _by_player(g, g.payoff_vectors()[np.ravel_multi_index(p, g.shape)]),
                }
                for p in self.pareto_profiles
            ],
            "price_of_anarchy": _clean(self.price_of_anarchy),
            "price_of_stability": _clean(self.price_of_stability),
        }


def alignment_report(
    game: NormalFormGame,
    principal: ArrayLike | None = None,
    disagreement: ArrayLike | None = None,
    mixed: MixedMode = "auto",
    max_bases: int = DEFAULT_MAX_BASES,
) -> AlignmentReport:
    """Analyse every equilibrium of ``game`` against the Pareto frontier (docs/theory.md §1).

    ``max_bases`` bounds two-player vertex enumeration; beyond it Gambit's ``lcp`` is used.
    """
    lam = None if principal is None else normalised_weights(principal, game.n_players)
    d = (
        security_levels(game)
        if disagreement is None
        else payoff_vector(disagreement, game.n_players, "the disagreement point")
    )
    frontier = ParetoFrontier.of(game)
    found, method = _equilibria(game, mixed, max_bases)
    best_lam = None if lam is None else linear_maximum(game, lam).value
    rows = []
    for eq, kind in found:
        test = frontier.test(eq.payoffs, check_feasible=False)  # an equilibrium is feasible
        linear = supporting_weights(frontier, eq.payoffs)
        geometric = (
            None if linear.weights is None else geometric_weights(eq.payoffs, linear.weights, d)
        )
        loss = None if lam is None or best_lam is None else best_lam - float(eq.payoffs @ lam)
        rows.append(EquilibriumAlignment(eq, kind, test, linear, geometric, loss))
    utilitarian = linear_maximum(game, np.ones(game.n_players)).value * game.n_players
    welfare = [float(e.equilibrium.payoffs.sum()) for e in rows]
    poa = pos = None
    if welfare and utilitarian > 0 and min(welfare) > 0:
        poa = utilitarian / min(welfare)
    if welfare and utilitarian > 0 and max(welfare) > 0:
        pos = utilitarian / max(welfare)
    return AlignmentReport(
        game=game,
        equilibria=tuple(rows),
        pareto_profiles=tuple(frontier.profiles()),
        price_of_anarchy=poa,
        price_of_stability=pos,
        principal=lam,
        disagreement=d,
        mixed_method=method,
    )


def _equilibria(
    game: NormalFormGame, mixed: MixedMode, max_bases: int
) -> tuple[list[tuple[MixedEquilibrium, Literal["pure", "mixed"]]], str | None]:
    out: list[tuple[MixedEquilibrium, Literal["pure", "mixed"]]] = []
    for p in pure_nash_equilibria(game):
        sigmas = [np.eye(m)[a] for m, a in zip(game.shape, p, strict=True)]
        out.append((MixedEquilibrium.of(game, sigmas, "pure-enumeration", True), "pure"))
    if mixed == "none":
        return out, None
    if game.n_players == 2:
        try:
            found = vertex_enumeration(game, max_bases)
            method = "vertex-enumeration"
        except ComputationError:  # too large to enumerate: Lemke-Howson paths if available
            if not gambit_available() or game.n_profiles > MAX_GAMBIT_PROFILES:
                return out, None
            found = gambit_mixed_equilibria(game, "lcp")
            method = "gambit-lcp"
    else:
        if not gambit_available() or game.n_profiles > MAX_GAMBIT_PROFILES:
            return out, None
        try:
            found = gambit_mixed_equilibria(game, "logit")
        except ComputationError:
            return out, None
        method = "gambit-logit"
    out += [(eq, "mixed") for eq in found if not eq.is_pure]
    return out, method


def _equilibrium_json(game: NormalFormGame, e: EquilibriumAlignment) -> dict[str, Any]:
    eq = e.equilibrium
    profile: dict[str, Any]
    if e.kind == "pure":
        profile = _pure_json(game, eq.pure_profile())
    else:
        profile = {
            player: {game.strategies[i][a]: _clean(float(eq.profile[i][a])) for a in support}
            for i, (player, support) in enumerate(zip(game.players, eq.support(), strict=True))
        }
    geometric: dict[str, Any] | None = None
    if e.geometric is not None:
        geometric = {
            "weights": None
            if e.geometric.weights is None
            else _by_player(game, e.geometric.weights),
            "disagreement": _by_player(game, e.geometric.disagreement),
            "reason": e.geometric.reason,
        }
    return {
        "profile": profile,
        "payoffs": _by_player(game, eq.payoffs),
        "kind": e.kind,
        "strongly_pareto": e.pareto.strongly_pareto,
        "weakly_pareto": e.pareto.weakly_pareto,
        "coordinated_pareto": e.pareto.coordinated_pareto,
        "linear_weights": {
            "weights": None if e.linear.weights is None else _by_player(game, e.linear.weights),
            "positive": e.linear.positive,
            "reason": e.linear.reason,
        },
        "geometric_weights": geometric,
        "distance_to_frontier": _clean(e.pareto.distance_to_frontier),
        "principal_loss": _clean(e.principal_loss),
    }


def _pure_json(game: NormalFormGame, profile: tuple[int, ...]) -> dict[str, str]:
    return dict(zip(game.players, game.profile_labels(profile), strict=True))


def _by_player(game: NormalFormGame, values: ArrayLike) -> dict[str, float | None]:
    return {p: _clean(float(v)) for p, v in zip(game.players, np.asarray(values), strict=True)}


def _clean(x: float | None) -> float | None:
    """Round away float noise (12 significant digits) for printing."""
    if x is None:
        return None
    return float(f"{x:.12g}") + 0.0
