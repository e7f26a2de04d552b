"""A market regime as a finite sequential game with exact payoffs (docs/theory.md §3-4).

Informers 0..N-1 act in turn. Informer n observes the cell of what it knows (K) in the
hidden state and the actions taken before it, and picks one of A actions. Everything that
follows is a function of the state s and the full history h (an integer in base A):

- ``reward[h, n, s]``: informer n's change in wealth ("RL from market feedback");
- ``true_value[h, s]``: the buyer's realised true value, eq. (1) of docs/theory.md §3, net of all
  it paid (``gain[h, s]``: the same before any payment, p = 0); ``ex_post[h, s]``: the
  ex-post value, eq. (2), of everything it bought, net;
- ``revenue[h, s]``: what the informers were paid in total; ``surplus[h, s]``: the buyer's
  gain plus every payment received, less the informers' effort;
- ``category[h, s]``: what informer 0 offered (see :data:`CATEGORIES`).

The tables come from :mod:`volition.experiments.regimes`, which uses ``volition.mechanisms``
for the buyer's exact decisions. :func:`subgame_perfect` solves the game exactly by backward
induction, per cell of K (the informers share K, so the game has perfect information there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["CATEGORIES", "Exact", "TabularGame", "subgame_perfect"]

CATEGORIES = ("truthful", "corrective", "cherry_picked", "lemon", "partial", "nothing")
"""What informer 0 offered, in a state, defined from the world alone (docs/theory.md §3):

- ``nothing``: it revealed nothing and was paid nothing;
- ``lemon``: it was paid for a message that reveals nothing, or is worth nothing on
  reflection (E[eq. 1 | K] <= 0) without even looking valuable;
- ``truthful``: on reflection (E[eq. 1 | K], what the buyer would want knowing all the
  informer knows) it is worth as much as the best message;
- ``corrective``: truthful, and it includes context that lowers its apparent (ex-post)
  value below that of a part of it (the fact-checker's correction);
- ``cherry_picked``: not truthful, and it looks more valuable (eq. 2) than it is on
  reflection;
- ``partial``: anything else (useful, honest-looking, not the best).
"""

TOL = 1e-9


@dataclass(frozen=True, eq=False)
class TabularGame:
    """A regime on a world, tabulated; see the module docstring for the tables' meaning.

    ``cells[n, s]`` is the cell of K that informer n observes in state s (``n_cells`` cells);
    ``action_labels[a]`` names action a (what it reveals, or ``null``).
    """

    world: str
    regime: str
    agents: tuple[str, ...]
    n_actions: int
    action_labels: tuple[str, ...]
    prior: NDArray[np.float64]
    cells: NDArray[np.intp]
    n_cells: int
    reward: NDArray[np.float64]
    true_value: NDArray[np.float64]
    gain: NDArray[np.float64]
    ex_post: NDArray[np.float64]
    revenue: NDArray[np.float64]
    surplus: NDArray[np.float64]
    category: NDArray[np.intp]
    fixed: dict[str, NDArray[np.intp]]

    @property
    def n_agents(self) -> int:
        return len(self.agents)

    def n_obs(self, agent: int) -> int:
        """Informer n's observations: (cell of K, the n actions before it)."""
        return int(self.n_cells * self.n_actions**agent)

    def observation(
        self, agent: int, states: NDArray[np.intp], prefix: NDArray[np.intp]
    ) -> NDArray[np.intp]:
        """The observation index of informer ``agent``: cell * A**agent + prefix."""
        return np.asarray(self.cells[agent, states] * self.n_actions**agent + prefix, np.intp)


@dataclass(frozen=True, eq=False)
class Exact:
    """The game's subgame-perfect equilibrium (exact best response for one informer).

    ``best[n][obs]`` is informer n's equilibrium action at every observation; ``path[s]``
    the equilibrium history in state s; ``expected_reward[n]`` its expected reward.
    """

    best: tuple[NDArray[np.intp], ...]
    path: NDArray[np.intp]
    expected_reward: NDArray[np.float64]
    expected_true_value: float
    expected_gain: float


def subgame_perfect(game: TabularGame) -> Exact:
    """Backward induction per cell of K: informer n, seeing the cell and the history so far,
    takes the action with the highest expected reward given the cell; ties go to the lowest
    action index (null / the message revealing fewest variables), as in ``mechanisms``.

    Requires every informer to observe the same K (true of every regime built here).
    """
    n, a_count = game.n_agents, game.n_actions
    if not all(np.array_equal(game.cells[0], game.cells[k]) for k in range(n)):
        raise ValueError("subgame_perfect needs informers who observe the same K")
    cells = game.cells[0]
    mass = np.bincount(cells, weights=game.prior, minlength=game.n_cells)
    safe = np.where(mass > 0, mass, 1.0)
    # conditional expected rewards per (cell, full history, agent)
    per_cell = np.zeros((game.n_cells, game.reward.shape[0], n))
    for k in range(n):
        sums = np.stack(
            [
                np.bincount(cells, weights=game.prior * game.reward[h, k], minlength=game.n_cells)
                for h in range(game.reward.shape[0])
            ],
            axis=1,
        )
        per_cell[:, :, k] = sums / safe[:, None]
    best = [np.zeros(game.n_obs(k), np.intp) for k in range(n)]
    # value[c, prefix] for prefixes of length `level`, working from the full histories up
    value = per_cell  # shape (cells, A**level, agents) with level = n
    for level in range(n - 1, -1, -1):
        v = value.reshape(game.n_cells, a_count**level, a_count, n)
        mine = v[:, :, :, level]
        top = mine.max(axis=2, keepdims=True)
        scale = np.maximum(np.abs(mine).max(axis=2, keepdims=True), 1.0)
        choice = np.argmax(mine >= top - 1e-12 * scale, axis=2)
        best[level] = choice.reshape(-1).astype(np.intp)  # index cell * A**level + prefix
        value = np.take_along_axis(v, choice[:, :, None, None], axis=2)[:, :, 0, :]
    # the equilibrium path per state
    states = np.arange(cells.size)
    prefix = np.zeros(cells.size, np.intp)
    for k in range(n):
        act = best[k][game.observation(k, states, prefix)]
        prefix = prefix * a_count + act
    expected = np.array([float(game.prior @ game.reward[prefix, k, states]) for k in range(n)])
    return Exact(
        best=tuple(best),
        path=prefix,
        expected_reward=expected,
        expected_true_value=float(game.prior @ game.true_value[prefix, states]),
        expected_gain=float(game.prior @ game.gain[prefix, states]),
    )
