"""The one adapter to pygambit (GPL-2.0-or-later, the optional extra ``volition[gambit]``).

Nothing else in volition imports pygambit. Everything here is translated at this boundary:
our :class:`NormalFormGame` in, our :class:`MixedEquilibrium` out, pygambit's exceptions
re-raised as volition's. Without the extra, every function raises a ``ComputationError``
that names the extra to install.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import numpy as np

from volition.errors import ComputationError, FileFormatError
from volition.games.extensive import ExtensiveGame, Node
from volition.games.game import NormalFormGame
from volition.games.mixed import MixedEquilibrium, dedupe

__all__ = [
    "GambitMethod",
    "from_gambit",
    "gambit_agent_pure_equilibria",
    "gambit_available",
    "gambit_mixed_equilibria",
    "gambit_pure_equilibria",
    "read_efg",
    "read_nfg_with_gambit",
    "to_gambit",
    "to_gambit_tree",
    "write_nfg_with_gambit",
]

GambitMethod = Literal["enummixed", "lcp", "logit", "gnm"]

_INSTALL = (
    "this needs pygambit, the optional extra: install it with "
    "`pip install 'volition[gambit]'` (or `make setup`, which installs all extras)"
)


def _gbt() -> ModuleType:
    try:
        import pygambit
    except ImportError as exc:
        raise ComputationError(_INSTALL) from exc
    module: ModuleType = pygambit
    return module


def gambit_available() -> bool:
    """Whether the optional extra ``volition[gambit]`` is installed."""
    try:
        _gbt()
    except ComputationError:
        return False
    return True


def to_gambit(game: NormalFormGame) -> Any:
    """A pygambit strategic game with the same labels and payoffs."""
    gbt = _gbt()
    g = gbt.Game.from_arrays(*[np.asarray(t) for t in game.payoffs], title=game.title or "game")
    _label(g, game)
    return g


def _label(g: Any, game: NormalFormGame) -> None:
    for player, name, labels in zip(g.players, game.players, game.strategies, strict=True):
        player.label = name
        for strategy, label in zip(player.strategies, labels, strict=True):
            strategy.label = label


def from_gambit(g: Any) -> NormalFormGame:
    """Our game from a pygambit strategic game (payoffs as floats)."""
    tables = g.to_arrays(dtype=float)
    players = [p.label for p in g.players]
    strategies = [[s.label for s in p.strategies] for p in g.players]
    return NormalFormGame.from_tables(tables, players, strategies, title=g.title)


def read_nfg_with_gambit(path: str | Path) -> NormalFormGame:
    """Read an ``.nfg`` file with Gambit's own parser (a cross-check of ``volition.games.nfg``)."""
    gbt = _gbt()
    try:
        return from_gambit(gbt.read_nfg(str(path)))
    except (OSError, ValueError, RuntimeError) as exc:
        raise FileFormatError(f"{path}: Gambit cannot read it: {exc}") from exc


def read_efg(path: str | Path) -> ExtensiveGame:
    """Read a Gambit ``.efg`` extensive game into our tree.

    Gambit may attach outcomes to inner nodes; payoffs add up along the path, so each of
    our terminals carries the sum. Information sets are named ``player:number``.
    """
    gbt = _gbt()
    try:
        g = gbt.read_efg(str(path))
    except (OSError, ValueError, RuntimeError) as exc:
        raise FileFormatError(f"{path}: Gambit cannot read it: {exc}") from exc
    players = list(g.players)
    names = tuple(p.label or str(i + 1) for i, p in enumerate(players))
    return ExtensiveGame(names, _tree(g.root, players, (), np.zeros(len(players))), g.title)


def _tree(node: Any, players: list[Any], path: tuple[str, ...], above: np.ndarray) -> Node:
    here = above.copy()
    if node.outcome:  # an empty NodeOutcome is falsy
        here += np.array([float(node.outcome[p]) for p in players])
    if node.is_terminal:
        return Node(path, payoffs=here)
    infoset = node.infoset
    actions = tuple(a.label or str(k + 1) for k, a in enumerate(infoset.actions))
    children = tuple(
        _tree(child, players, (*path, a), here)
        for a, child in zip(actions, node.children, strict=True)
    )
    if node.player.is_chance:
        probs = np.array([float(a.prob) for a in infoset.actions])
        return Node(path, actions=actions, children=children, probabilities=probs)
    player = players.index(node.player)
    name = infoset.label or f"{names_of(node.player)}:{infoset.number}"
    return Node(path, player, name, actions, children)


def to_gambit_tree(game: ExtensiveGame) -> Any:
    """A pygambit game tree with our players, actions, information sets and payoffs.

    Nodes are added breadth first; a node of an information set already created joins it
    (``append_infoset``), so imperfect information is kept. Information sets are labelled
    ``I0``, ``I1``, ... (Gambit restricts labels); :func:`gambit_agent_pure_equilibria` maps
    them back to our names.
    """
    gbt = _gbt()
    g = gbt.Game.new_tree(players=list(game.players), title=game.title or "game")
    infosets: dict[tuple[int, str], Any] = {}
    queue: list[tuple[Node, Any]] = [(game.root, g.root)]
    for k, (node, gnode) in enumerate(queue):  # the list grows while it is walked
        if node.payoffs is not None:
            outcome = g.add_outcome(f"o{k}", [_exact(v) for v in node.payoffs])
            g.set_outcome(gnode, outcome)
            continue
        if node.probabilities is not None:
            g.append_move(gnode, g.players.chance, list(node.actions))
            g.set_chance_probs(gnode.infoset, [_exact(p) for p in node.probabilities])
        else:
            assert node.player is not None and node.infoset is not None
            key = (node.player, node.infoset)
            if key in infosets:
                g.append_infoset(gnode, infosets[key])
            else:
                g.append_move(gnode, list(g.players)[node.player], list(node.actions))
                gnode.infoset.label = f"I{len(infosets)}"
                infosets[key] = gnode.infoset
        queue += [
            (child, gnode.children[action])
            for action, child in zip(node.actions, node.children, strict=True)
        ]
    return g


def _exact(v: float) -> Any:
    """A float as Gambit's exact rational (floats are exact binary fractions)."""
    gbt = _gbt()
    frac = Fraction(float(v))
    return gbt.Rational(frac.numerator, frac.denominator)


def gambit_agent_pure_equilibria(game: ExtensiveGame) -> list[tuple[dict[str, str], ...]]:
    """Gambit's pure equilibria of the agent form (every SPE is one): per player, the action
    chosen at each information set (named as in ``game``)."""
    gbt = _gbt()
    g = to_gambit_tree(game)
    keys: list[tuple[int, str]] = []  # in to_gambit_tree's order: Gambit's I0, I1, ...
    for node in _breadth_first(game.root):
        key = (node.player, node.infoset)
        if node.player is not None and node.infoset is not None and key not in keys:
            keys.append((node.player, node.infoset))
    ours = {f"I{k}": name for k, (_, name) in enumerate(keys)}
    result = gbt.nash.enumpure_agent_solve(g)
    out = []
    for eq in result.equilibria:
        plans: tuple[dict[str, str], ...] = tuple({} for _ in game.players)
        for index, player in enumerate(g.players):
            for infoset in player.infosets:
                chosen = [a.label for a in infoset.actions if float(eq[a]) > 0.5]
                plans[index][ours[infoset.label]] = chosen[0]
        out.append(plans)
    return out


def _breadth_first(root: Node) -> list[Node]:
    queue = [root]
    for node in queue:
        queue += list(node.children)
    return queue


def names_of(player: Any) -> str:
    """A Gambit player's label (its number when unlabelled)."""
    return str(player.label or player.number)


def write_nfg_with_gambit(game: NormalFormGame) -> str:
    """The game as ``.nfg`` text written by Gambit."""
    return str(to_gambit(game).to_nfg())


def gambit_pure_equilibria(game: NormalFormGame) -> list[tuple[int, ...]]:
    """All pure Nash equilibria by Gambit's ``enumpure`` (used to cross-check ours)."""
    gbt = _gbt()
    g = to_gambit(game)
    result = gbt.nash.enumpure_solve(g)
    return sorted(
        tuple(int(np.argmax(d)) for d in _distributions(g, eq)) for eq in result.equilibria
    )


def gambit_mixed_equilibria(
    game: NormalFormGame, method: GambitMethod = "enummixed"
) -> list[MixedEquilibrium]:
    """Mixed Nash equilibria by one of Gambit's solvers.

    ``enummixed`` (all extreme equilibria, two players, exact rationals), ``lcp``
    (Lemke-Howson paths, two players), ``logit`` (the limit of the principal branch of
    logit quantal response equilibria, any n: one equilibrium), ``gnm`` (global Newton, any n).
    """
    gbt = _gbt()
    two_only = method in ("enummixed", "lcp")
    if two_only and game.n_players != 2:
        raise ComputationError(
            f"Gambit's {method} needs two players, this game has {game.n_players}; "
            "use method 'logit' or 'gnm'"
        )
    # Gambit's path-following (logit, gnm) stalls on wide payoff ranges (measured: logit
    # stops at regret 0.53 on a chicken game with payoffs in [-10, 1] and converges once they
    # are scaled to [0, 1]); equilibria do not change under this affine map.
    g = to_gambit(game) if exact_method(method) else to_gambit(_unit_range(game))
    try:
        if method == "enummixed":
            result = gbt.nash.enummixed_solve(g, rational=True)
        elif method == "lcp":
            result = gbt.nash.lcp_solve(g, rational=True, use_strategic=True)
        elif method == "logit":
            result = gbt.nash.logit_solve(g, use_strategic=True)
        elif method == "gnm":
            result = gbt.nash.gnm_solve(g)
        else:
            raise ComputationError(f"unknown Gambit method {method!r}")
    except (RuntimeError, ValueError) as exc:
        raise ComputationError(f"Gambit's {method} failed: {exc}") from exc
    out = []
    for eq in result.equilibria:
        profile = tuple(_snap(np.asarray(d, dtype=np.float64)) for d in _distributions(g, eq))
        found = MixedEquilibrium.of(game, profile, f"gambit-{method}", exact_method(method))
        if found.max_regret <= 1e-6 * game.scale():
            out.append(found)
    if not result.equilibria:
        raise ComputationError(
            f"Gambit's {method} found no equilibrium in this game (path-following can miss "
            "them all); try method 'logit'"
        )
    if not out:
        raise ComputationError(
            f"Gambit's {method} returned no profile with regret below 1e-6 of the payoff "
            "range; try another method"
        )
    return dedupe(out)


def exact_method(method: GambitMethod) -> bool:
    """Whether the Gambit method computes in exact rational arithmetic."""
    return method in ("enummixed", "lcp")


def _snap(sigma: np.ndarray) -> np.ndarray:
    """Zero the tiny probabilities a path-following solver leaves (below 1e-6), renormalised;
    the regret is recomputed afterwards, so a profile that needed them is rejected."""
    sigma = np.where(sigma < 1e-6, 0.0, sigma)
    return np.asarray(sigma / sigma.sum())


def _unit_range(game: NormalFormGame) -> NormalFormGame:
    u = game.payoffs
    lo = u.min(axis=tuple(range(1, u.ndim)), keepdims=True)
    span = np.maximum(u.max(axis=tuple(range(1, u.ndim)), keepdims=True) - lo, 1e-300)
    return NormalFormGame((u - lo) / span, game.players, game.strategies, game.title)


def _distributions(g: Any, eq: Any) -> list[list[float]]:
    return [[float(eq[s]) for s in p.strategies] for p in g.players]
