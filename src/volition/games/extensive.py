"""Finite extensive-form games as trees (docs/theory.md §2: commitment problems).

A node is a decision of one player (with an information set), a chance move (with
probabilities), or a terminal with a payoff vector. Trees come from YAML/JSON:

```yaml
title: Tragedy of power
players: [Humans, AI]
tree:
  player: Humans
  moves:
    Build:
      player: AI
      moves:
        Kill: [-10, 3]          # a terminal: one payoff per player
        Don't kill: [5, 2]
    Don't build: [0, 0]
# a chance node:   {chance: {Heads: 0.5, Tails: 0.5}, moves: {Heads: ..., Tails: ...}}
# imperfect information: give decision nodes the same `infoset: name`; a node without one
# is its own information set, named by the play leading to it ("after Build")
```

or from Gambit ``.efg`` files through :mod:`volition.games.gambit`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from volition.errors import FileFormatError, ProbabilityError, ShapeError

__all__ = ["ExtensiveGame", "Node", "tree_from_mapping"]


@dataclass(frozen=True, eq=False)
class Node:
    """One node: ``player`` is a player's index, or None for chance and terminal nodes.

    Decision and chance nodes have ``actions`` and ``children`` (chance nodes also
    ``probabilities``); terminal nodes have ``payoffs``. ``infoset`` names the information
    set of a decision node (one node per set in a game of perfect information).
    """

    path: tuple[str, ...]
    player: int | None = None
    infoset: str | None = None
    actions: tuple[str, ...] = ()
    children: tuple[Node, ...] = ()
    probabilities: NDArray[np.float64] | None = None
    payoffs: NDArray[np.float64] | None = None

    @property
    def is_terminal(self) -> bool:
        """Whether the play ends here."""
        return self.payoffs is not None

    @property
    def is_chance(self) -> bool:
        """Whether nature moves here."""
        return self.probabilities is not None

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, eq=False)
class ExtensiveGame:
    """A finite game tree with named players."""

    players: tuple[str, ...]
    root: Node
    title: str = ""

    def infosets(self, player: int) -> dict[str, tuple[str, ...]]:
        """A player's information sets (in the order first met) and their actions."""
        out: dict[str, tuple[str, ...]] = {}
        for node in self.root.walk():
            if node.player == player and node.infoset is not None:
                known = out.setdefault(node.infoset, node.actions)
                if known != node.actions:
                    where = "/".join(node.path) or "the root"
                    raise ShapeError(
                        f"information set {node.infoset!r} has different actions at {where}: "
                        f"{list(known)} vs {list(node.actions)}"
                    )
        return out

    @property
    def perfect_information(self) -> bool:
        """Whether every information set holds a single node."""
        seen: set[tuple[int, str]] = set()
        for node in self.root.walk():
            if node.player is not None and node.infoset is not None:
                if (node.player, node.infoset) in seen:
                    return False
                seen.add((node.player, node.infoset))
        return True


def tree_from_mapping(data: Any, source: str = "game") -> ExtensiveGame:
    """Build a game tree from a file's content in the format above."""
    if not isinstance(data, Mapping) or "tree" not in data or "players" not in data:
        raise FileFormatError(f"{source}: expected a mapping with keys players and tree")
    players = data["players"]
    if not isinstance(players, list) or not players or len(set(map(str, players))) != len(players):
        raise FileFormatError(f"{source}: players must be a list of distinct names")
    names = tuple(str(p) for p in players)
    extra = set(data) - {"title", "players", "tree"}
    if extra:
        raise FileFormatError(f"{source}: unknown key(s) {sorted(extra)}; use title, players, tree")
    try:
        root = _node(data["tree"], names, ())
    except (FileFormatError, ShapeError, ProbabilityError) as exc:
        raise type(exc)(f"{source}: {exc}") from exc
    game = ExtensiveGame(names, root, str(data.get("title", "")))
    for i in range(len(names)):
        game.infosets(i)  # validates that an information set's actions agree
    return game


def _node(data: Any, players: tuple[str, ...], path: tuple[str, ...]) -> Node:
    where = "tree" + "".join(f"[{p!r}]" for p in path)
    if isinstance(data, list):
        if len(data) != len(players) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in data
        ):
            raise FileFormatError(
                f"{where}: a terminal lists {len(players)} numbers (one per player), got {data!r}"
            )
        return Node(path, payoffs=np.asarray(data, dtype=np.float64))
    if not isinstance(data, Mapping) or "moves" not in data:
        raise FileFormatError(f"{where}: expected a terminal [payoffs] or a node with moves")
    moves = data["moves"]
    if not isinstance(moves, Mapping) or not moves:
        raise FileFormatError(f"{where}.moves: give at least one action: {{name: subtree}}")
    actions = tuple(str(a) for a in moves)
    children = tuple(_node(moves[a], players, (*path, str(a))) for a in moves)
    if "chance" in data:
        probs = data["chance"]
        if not isinstance(probs, Mapping) or set(map(str, probs)) != set(actions):
            raise FileFormatError(f"{where}.chance: give one probability per move {list(actions)}")
        p = np.array([float(probs[a]) for a in moves])
        if np.any(p < 0) or abs(p.sum() - 1) > 1e-9:
            raise ProbabilityError(f"{where}.chance: probabilities must be >= 0 and sum to 1")
        return Node(path, actions=actions, children=children, probabilities=p)
    player = data.get("player")
    if player not in players:
        raise FileFormatError(f"{where}.player: {player!r} is not one of {list(players)}")
    # a node of its own information set is named by the play that leads to it
    infoset = str(data.get("infoset", "after " + " / ".join(path) if path else "at the start"))
    return Node(path, players.index(player), infoset, actions, children)
