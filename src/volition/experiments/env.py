"""A market regime as a PettingZoo AEC environment (RL from market feedback, docs/theory.md §5).

Each episode draws a hidden state from the world's prior. The informers act in turn: each
observes (the cell of what it knows, the actions before it) as one ``Discrete`` index and
picks an action of a ``Discrete`` menu (a message: which variables to reveal, or, in the
oversight regime, an offer or null). When the last has acted the buyer runs the regime
(exact decisions from ``volition.mechanisms``, tabulated in :class:`TabularGame`) and each
informer's reward is its change in wealth. ``infos[agent]`` carries the buyer's realised
true value (eq. 1), ex-post value (eq. 2) and the offer's category once the episode ends.

External RL libraries drive it through the standard API; the built-in learners
(:mod:`volition.experiments.learners`) use the same tables vectorised over episodes.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces
from pettingzoo import AECEnv
from pettingzoo.utils import AgentSelector

from volition.experiments.game import CATEGORIES, TabularGame

__all__ = ["MarketEnv"]


class MarketEnv(AECEnv):  # type: ignore[misc]
    """PettingZoo AEC environment of one tabulated market regime."""

    metadata: ClassVar[dict[str, Any]] = {
        "name": "volition_market_v0",
        "render_modes": ["ansi"],
        "is_parallelizable": False,
    }

    def __init__(self, game: TabularGame, render_mode: str | None = None) -> None:
        super().__init__()
        self.game = game
        self.render_mode = render_mode
        self.possible_agents = list(game.agents)
        self._index = {a: k for k, a in enumerate(self.possible_agents)}
        self.observation_spaces = {
            a: spaces.Discrete(game.n_obs(k)) for a, k in self._index.items()
        }
        self.action_spaces = {a: spaces.Discrete(game.n_actions) for a in self.possible_agents}
        self._rng = np.random.default_rng()
        self._state = 0
        self._prefix = 0

    def observation_space(self, agent: str) -> spaces.Space[Any]:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space[Any]:
        return self.action_spaces[agent]

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        self.agents = list(self.possible_agents)
        self._state = int(self._rng.choice(self.game.prior.size, p=self.game.prior))
        self._prefix = 0
        self.rewards = dict.fromkeys(self.agents, 0.0)
        self._cumulative_rewards = dict.fromkeys(self.agents, 0.0)
        self.terminations = dict.fromkeys(self.agents, False)
        self.truncations = dict.fromkeys(self.agents, False)
        self.infos: dict[str, dict[str, Any]] = {a: {} for a in self.agents}
        self._selector = AgentSelector(self.agents)
        self.agent_selection = self._selector.reset()

    def observe(self, agent: str) -> np.int64:
        k = self._index[agent]
        # the actions of informers 0..k-1: the history's leading k digits in base A
        prefix = self._prefix // self.game.n_actions ** (self.game.n_agents - k)
        obs = self.game.observation(k, np.array([self._state]), np.array([prefix]))
        return np.int64(obs[0])  # the dtype of a Discrete space

    def step(self, action: int | None) -> None:
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        if action is None or not self.action_spaces[agent].contains(int(action)):
            raise ValueError(
                f"{agent} sent action {action!r}; give an integer in 0..{self.game.n_actions - 1}"
            )
        self._cumulative_rewards[agent] = 0.0
        k = self._index[agent]
        self._prefix = self._prefix + int(action) * self.game.n_actions ** (
            self.game.n_agents - 1 - k
        )
        self.rewards = dict.fromkeys(self.agents, 0.0)
        if k == self.game.n_agents - 1:
            self._finish()
        self.agent_selection = self._selector.next()
        self._accumulate_rewards()

    def _finish(self) -> None:
        h, s, g = self._prefix, self._state, self.game
        info = {
            "state": s,
            "true_value": float(g.true_value[h, s]),
            "ex_post": float(g.ex_post[h, s]),
            "category": CATEGORIES[int(g.category[h, s])],
        }
        for agent, k in self._index.items():
            self.rewards[agent] = float(g.reward[h, k, s])
            self.terminations[agent] = True
            self.infos[agent] = dict(info)

    def render(self) -> str | None:
        if self.render_mode != "ansi":
            return None
        return f"{self.game.world}/{self.game.regime}: state {self._state}, history {self._prefix}"

    def close(self) -> None:
        return None
