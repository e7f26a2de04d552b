"""Subgame-perfect equilibria of games with imperfect information, by subgame decomposition.

docs/theory.md §2: subgame perfection asks for a Nash equilibrium in every subgame. A subgame
starts at a node whose subtree contains every node of every information set it touches.
Working from the deepest subgames up, each one is solved and replaced by a terminal node
paying its equilibrium value; what is left at a subgame root has no proper subgame, so
any Nash equilibrium of its strategic form will do. *(choices)* With several equilibria,
the one with the highest utilitarian welfare is kept (ties: the first found); two-player
pieces are solved by vertex enumeration, larger ones by their pure equilibria or else
Gambit's logit solver. The mixed strategies found are turned into behaviour strategies by
Kuhn's theorem, which needs perfect recall; an information set that the player's own
strategy never reaches gets the marginal of that strategy (any choice is optimal there).
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from volition.errors import ComputationError
from volition.games.backward import strategic_form
from volition.games.extensive import ExtensiveGame, Node
from volition.games.gambit import gambit_available, gambit_mixed_equilibria
from volition.games.game import NormalFormGame
from volition.games.mixed import MixedEquilibrium
from volition.games.pure import pure_nash_equilibria
from volition.games.vertices import vertex_enumeration

__all__ = [
    "Behaviour",
    "BehaviourEquilibrium",
    "behaviour_to_mixed",
    "subgame_perfect_behaviour",
    "subgame_roots",
]

Behaviour = tuple[dict[str, dict[str, float]], ...]
"""Per player: information set -> action -> probability."""


@dataclass(frozen=True, eq=False)
class BehaviourEquilibrium:
    """A subgame-perfect equilibrium in behaviour strategies and its expected payoffs."""

    behaviour: Behaviour
    payoffs: NDArray[np.float64]
    subgames: int
    method: str = "subgame-decomposition"
    exact: bool = False


def subgame_roots(game: ExtensiveGame) -> list[Node]:
    """The nodes (decision or chance, in pre-order) at which a subgame starts."""
    total: Counter[tuple[int, str]] = Counter(_keys(game.root))
    roots = []
    for node in game.root.walk():
        if node.is_terminal:
            continue
        inside = Counter(_keys(node))
        if all(inside[k] == total[k] for k in inside):
            roots.append(node)
    return roots


def subgame_perfect_behaviour(game: ExtensiveGame) -> BehaviourEquilibrium:
    """A subgame-perfect equilibrium of any finite tree with perfect recall."""
    roots = set(subgame_roots(game))
    behaviour: Behaviour = tuple({} for _ in game.players)
    payoffs = _solve(game, game.root, roots, behaviour)
    ordered = tuple(  # in the tree's order, not the order the subgames were solved in
        {name: behaviour[i][name] for name in game.infosets(i)} for i in range(len(game.players))
    )
    return BehaviourEquilibrium(ordered, payoffs, len(roots))


def behaviour_to_mixed(game: ExtensiveGame, behaviour: Behaviour) -> list[NDArray[np.float64]]:
    """The mixed strategies (over :func:`strategic_form`'s plans) that play ``behaviour``:
    each plan's probability is the product of its actions' probabilities."""
    out = []
    for i in range(len(game.players)):
        sets = game.infosets(i)
        probs = [
            np.prod([behaviour[i][name][a] for name, a in zip(sets, plan, strict=True)])
            for plan in itertools.product(*sets.values())
        ]
        out.append(np.asarray(probs, dtype=np.float64))
    return out


def _keys(node: Node) -> list[tuple[int, str]]:
    return [
        (n.player, n.infoset) for n in node.walk() if n.player is not None and n.infoset is not None
    ]


def _solve(
    game: ExtensiveGame, top: Node, roots: set[Node], behaviour: Behaviour
) -> NDArray[np.float64]:
    reduced = _reduce(game, top, top, roots, behaviour)
    piece = ExtensiveGame(game.players, reduced, game.title)
    if reduced.payoffs is not None:
        return reduced.payoffs
    form = strategic_form(piece)
    chosen = _select(form)
    for i in range(len(game.players)):
        behaviour[i].update(_kuhn(piece, i, chosen.profile[i]))
    return chosen.payoffs


def _reduce(
    game: ExtensiveGame, node: Node, top: Node, roots: set[Node], behaviour: Behaviour
) -> Node:
    """The subtree at ``top`` with every proper subgame solved and replaced by its value."""
    if node.payoffs is not None:
        return node
    if node is not top and node in roots:
        return Node(node.path, payoffs=_solve(game, node, roots, behaviour))
    children = tuple(_reduce(game, c, top, roots, behaviour) for c in node.children)
    if node.probabilities is not None and all(c.payoffs is not None for c in children):
        values = np.array([c.payoffs for c in children])
        return Node(node.path, payoffs=np.asarray(node.probabilities @ values))
    return Node(node.path, node.player, node.infoset, node.actions, children, node.probabilities)


def _select(form: NormalFormGame) -> MixedEquilibrium:
    """The equilibrium of a piece with the highest utilitarian welfare (first on ties)."""
    found: list[MixedEquilibrium]
    if form.n_players == 1:
        best = int(np.argmax(form.payoffs[0]))
        found = [MixedEquilibrium.of(form, [np.eye(form.shape[0])[best]], "maximum", True)]
    elif form.n_players == 2:
        found = vertex_enumeration(form)
    else:
        pure = pure_nash_equilibria(form)
        found = [
            MixedEquilibrium.of(
                form, [np.eye(m)[a] for m, a in zip(form.shape, p, strict=True)], "pure", True
            )
            for p in pure
        ]
        if not found and gambit_available():
            found = gambit_mixed_equilibria(form, "logit")
    if not found:
        raise ComputationError(
            "no equilibrium found for a subgame with more than two players; install the "
            "extra volition[gambit] for Gambit's logit solver"
        )
    welfare = [float(e.payoffs.sum()) for e in found]
    return found[int(np.argmax(welfare))]


def _kuhn(
    piece: ExtensiveGame, player: int, mixed: NDArray[np.float64]
) -> dict[str, dict[str, float]]:
    """Behaviour at each of ``player``'s information sets from a mixed strategy over plans."""
    sets = piece.infosets(player)
    names = list(sets)
    plans = list(itertools.product(*sets.values()))
    history = _own_histories(piece.root, player)
    out: dict[str, dict[str, float]] = {}
    for k, name in enumerate(names):
        need = history[name]
        agree = np.array(
            [all(plan[names.index(j)] == a for j, a in need) for plan in plans], dtype=bool
        )
        weight = mixed * agree if mixed[agree].sum() > 1e-12 else mixed
        total = float(weight.sum())
        out[name] = {
            a: float(sum(w for w, plan in zip(weight, plans, strict=True) if plan[k] == a) / total)
            for a in sets[name]
        }
    return out


def _own_histories(root: Node, player: int) -> dict[str, tuple[tuple[str, str], ...]]:
    """For each information set, the player's own earlier (information set, action) moves;
    perfect recall means every member node has the same ones."""
    out: dict[str, tuple[tuple[str, str], ...]] = {}

    def visit(node: Node, own: tuple[tuple[str, str], ...]) -> None:
        if node.player == player and node.infoset is not None:
            known = out.setdefault(node.infoset, own)
            if known != own:
                raise ComputationError(
                    f"information set {node.infoset!r} is reached after different own moves: "
                    "the game lacks perfect recall, so behaviour strategies cannot stand for "
                    "mixed ones; analyse its strategic form instead"
                )
        for action, child in zip(node.actions, node.children, strict=True):
            mine = node.player == player and node.infoset is not None
            visit(child, (*own, (node.infoset, action)) if mine else own)  # type: ignore[arg-type]

    visit(root, ())
    return out
