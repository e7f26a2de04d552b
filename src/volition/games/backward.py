"""Subgame-perfect equilibria by backward induction, and the strategic form of a tree.

docs/theory.md §2 (imperfect assurance): in a game of perfect information every player, at
every node, picks an action that is optimal given optimal play below it (chance nodes are
replaced by expectations). This is the subgame-perfect equilibrium; it is what happens
when promises cannot be enforced. *(choice)* Ties are broken by the first action in the
file's order, and the result says whether any tie occurred (``unique``).

The strategic (normal) form lists each player's pure strategies, one action for every
information set it owns, so the normal-form tools (equilibria, Pareto, commitment) apply.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from volition.errors import ComputationError
from volition.games.extensive import ExtensiveGame, Node
from volition.games.game import NormalFormGame

__all__ = [
    "MAX_STRATEGIC_PROFILES",
    "SubgamePerfectEquilibrium",
    "strategic_form",
    "subgame_perfect_equilibrium",
]

MAX_STRATEGIC_PROFILES = 200_000
"""The largest strategic form built from a tree."""


@dataclass(frozen=True, eq=False)
class SubgamePerfectEquilibrium:
    """The backward-induction plan: ``plan[player][infoset] = action`` at every decision node.

    ``path`` is the play from the root (up to the first chance move); ``payoffs`` the
    expected payoff vector; ``unique`` whether no player was ever indifferent.
    """

    plan: tuple[dict[str, str], ...]
    path: tuple[str, ...]
    payoffs: NDArray[np.float64]
    unique: bool
    method: str = "backward-induction"
    exact: bool = True


def subgame_perfect_equilibrium(game: ExtensiveGame) -> SubgamePerfectEquilibrium:
    """Backward induction on a game of perfect information (with chance moves allowed)."""
    if not game.perfect_information:
        raise ComputationError(
            "backward induction needs perfect information, but an information set of this "
            "game holds several nodes; use subgame_perfect_behaviour (subgame decomposition)"
        )
    plan: tuple[dict[str, str], ...] = tuple({} for _ in game.players)
    ties = [False]
    payoffs = _solve(game.root, plan, ties)
    path: list[str] = []
    node = game.root
    while node.player is not None and node.infoset is not None:
        action = plan[node.player][node.infoset]
        path.append(action)
        node = node.children[node.actions.index(action)]
    return SubgamePerfectEquilibrium(plan, tuple(path), payoffs, not ties[0])


def _solve(node: Node, plan: tuple[dict[str, str], ...], ties: list[bool]) -> NDArray[np.float64]:
    if node.payoffs is not None:
        return node.payoffs
    values = np.array([_solve(child, plan, ties) for child in node.children])
    if node.probabilities is not None:
        return np.asarray(node.probabilities @ values, dtype=np.float64)
    assert node.player is not None and node.infoset is not None
    own = values[:, node.player]
    best = int(np.argmax(own))  # the first maximiser: the documented tie rule
    if np.sum(own >= own[best] - 1e-12 * max(1.0, abs(own[best]))) > 1:
        ties[0] = True
    plan[node.player][node.infoset] = node.actions[best]
    return np.asarray(values[best], dtype=np.float64)


def strategic_form(game: ExtensiveGame) -> NormalFormGame:
    """The normal form: a strategy is an action at each of the player's information sets."""
    infosets = [game.infosets(i) for i in range(len(game.players))]
    choices = [list(itertools.product(*sets.values())) for sets in infosets]
    size = int(np.prod([len(c) for c in choices]))
    if size > MAX_STRATEGIC_PROFILES:
        raise ComputationError(
            f"the strategic form has {size} profiles (limit {MAX_STRATEGIC_PROFILES}); "
            "analyse the tree directly"
        )
    shape = tuple(len(c) for c in choices)
    payoffs = np.empty((len(game.players), size))
    for flat, index in enumerate(itertools.product(*(range(m) for m in shape))):
        plan = {}
        for i, k in enumerate(index):
            plan.update({(i, name): a for name, a in zip(infosets[i], choices[i][k], strict=True)})
        payoffs[:, flat] = _play(game.root, plan)  # C order, as np.ndindex
    labels = [[" / ".join(c) if c else "(no move)" for c in cs] for cs in choices]
    return NormalFormGame(
        payoffs.reshape(-1, *shape), game.players, tuple(tuple(ls) for ls in labels), game.title
    )


def _play(node: Node, plan: dict[tuple[int, str], str]) -> NDArray[np.float64]:
    if node.payoffs is not None:
        return node.payoffs
    if node.probabilities is not None:
        values = np.array([_play(child, plan) for child in node.children])
        return np.asarray(node.probabilities @ values, dtype=np.float64)
    assert node.player is not None and node.infoset is not None
    action = plan[(node.player, node.infoset)]
    return _play(node.children[node.actions.index(action)], plan)
