"""Tabular learners for finite menus, vectorised over episodes (RL from market feedback, §5).

Every informer's reward is its change in wealth (``TabularGame.reward``). Learners are
tables over (observation, action); a batch of episodes is simulated at once with numpy:

- :class:`PolicyGradient`: a softmax policy trained by REINFORCE with a per-observation
  baseline (the running mean reward), one gradient step per batch;
- :class:`Bandit`: epsilon-greedy on sample-average action values per observation (a
  contextual bandit; epsilon decays as epsilon0 / sqrt(batch)); it plays greedily once
  trained;
- :class:`Fixed`: a fixed informer (truthful, cherry-picking, lemon) that does not learn.

All randomness comes from one seeded ``numpy.random.Generator`` (:func:`train`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from volition.errors import InputError
from volition.experiments.game import TabularGame

__all__ = ["Bandit", "Fixed", "Learner", "PolicyGradient", "TrainingLog", "play", "train"]


class Learner(ABC):
    """A policy over one informer's observations, which may learn from rewards."""

    @abstractmethod
    def policy(self) -> NDArray[np.float64]:
        """The (obs, action) probabilities it would play now, once trained."""

    def behaviour(self, batch: int) -> NDArray[np.float64]:
        """The probabilities it explores with during training batch ``batch``."""
        return self.policy()

    def update(
        self, obs: NDArray[np.intp], actions: NDArray[np.intp], rewards: NDArray[np.float64]
    ) -> None:
        """Learn from one batch of episodes (no-op for fixed informers)."""
        return None


class PolicyGradient(Learner):
    """Softmax REINFORCE with a per-observation baseline; ``lr`` scales the step."""

    def __init__(self, n_obs: int, n_actions: int, lr: float = 1.0) -> None:
        self.theta = np.zeros((n_obs, n_actions))
        self.baseline = np.zeros(n_obs)
        self.seen = np.zeros(n_obs)
        self.scale = np.ones(n_obs)
        self.lr = lr

    def policy(self) -> NDArray[np.float64]:
        z = self.theta - self.theta.max(axis=1, keepdims=True)
        e = np.exp(z)
        return np.asarray(e / e.sum(axis=1, keepdims=True), np.float64)

    def update(
        self, obs: NDArray[np.intp], actions: NDArray[np.intp], rewards: NDArray[np.float64]
    ) -> None:
        n_obs = self.theta.shape[0]
        counts = np.bincount(obs, minlength=n_obs).astype(float)
        sums = np.bincount(obs, weights=rewards, minlength=n_obs)
        # the baseline: a running mean of each observation's reward
        self.seen += counts
        seen = np.where(self.seen > 0, self.seen, 1.0)
        self.baseline += (sums - counts * self.baseline) / seen
        advantage = rewards - self.baseline[obs]
        pi = self.policy()
        grad = np.zeros_like(self.theta)
        np.add.at(grad, (obs, actions), advantage)
        grad -= pi * np.bincount(obs, weights=advantage, minlength=n_obs)[:, None]
        # per-observation step scaled by that observation's typical |advantage|: rewards differ
        # by orders of magnitude across worlds and cells (a tie broken by a tiny effort cost)
        spread = np.bincount(obs, weights=np.abs(advantage), minlength=n_obs)
        self.scale = np.where(counts > 0, spread / np.maximum(counts, 1.0), self.scale)
        scale = np.maximum(self.scale, 1e-12)
        self.theta += self.lr * grad / np.maximum(counts, 1.0)[:, None] / scale[:, None]


class Bandit(Learner):
    """Epsilon-greedy sample averages per (observation, action)."""

    def __init__(self, n_obs: int, n_actions: int, epsilon: float = 0.2) -> None:
        self.sums = np.zeros((n_obs, n_actions))
        self.counts = np.zeros((n_obs, n_actions))
        self.epsilon = epsilon

    def values(self) -> NDArray[np.float64]:
        return np.where(self.counts > 0, self.sums / np.maximum(self.counts, 1.0), 0.0)

    def policy(self) -> NDArray[np.float64]:
        q = self.values()
        top = q.max(axis=1, keepdims=True)
        greedy = np.argmax(q >= top - 1e-12 * np.maximum(np.abs(top), 1.0), axis=1)
        return np.asarray(np.eye(q.shape[1])[greedy], np.float64)

    def behaviour(self, batch: int) -> NDArray[np.float64]:
        eps = self.epsilon / np.sqrt(batch + 1.0)
        return np.asarray((1 - eps) * self.policy() + eps / self.sums.shape[1], np.float64)

    def update(
        self, obs: NDArray[np.intp], actions: NDArray[np.intp], rewards: NDArray[np.float64]
    ) -> None:
        np.add.at(self.sums, (obs, actions), rewards)
        np.add.at(self.counts, (obs, actions), 1.0)


class Fixed(Learner):
    """A fixed informer: ``actions[cell]`` whatever came before."""

    def __init__(self, actions: NDArray[np.intp], n_obs: int, n_actions: int, n_cells: int) -> None:
        table = np.zeros((n_obs, n_actions))
        per_cell = n_obs // n_cells
        table[np.arange(n_obs), np.repeat(actions, per_cell)] = 1.0
        self.table = table

    def policy(self) -> NDArray[np.float64]:
        return self.table


def make_learner(kind: str, game: TabularGame, agent: int, **params: float | str) -> Learner:
    """A learner by kind: ``policy_gradient`` (lr), ``bandit`` (epsilon) or ``fixed``
    (policy: truthful, cherry_pick or lemon)."""
    n_obs, n_actions = game.n_obs(agent), game.n_actions
    if kind == "policy_gradient":
        return PolicyGradient(n_obs, n_actions, lr=float(params.get("lr", 1.0)))
    if kind == "bandit":
        return Bandit(n_obs, n_actions, epsilon=float(params.get("epsilon", 0.2)))
    if kind == "fixed":
        name = str(params.get("policy", "truthful"))
        if name not in game.fixed:
            raise InputError(f"unknown fixed policy {name!r}; use one of {', '.join(game.fixed)}")
        return Fixed(game.fixed[name], n_obs, n_actions, game.n_cells)
    raise InputError(f"unknown learner kind {kind!r}; use policy_gradient, bandit or fixed")


@dataclass
class TrainingLog:
    """Per batch: each informer's mean reward and the buyer's mean true value (eq. 1)."""

    reward: list[list[float]] = field(default_factory=list)
    true_value: list[float] = field(default_factory=list)


@dataclass(frozen=True, eq=False)
class Episodes:
    """A batch of simulated episodes: states, histories, and every informer's obs/actions."""

    states: NDArray[np.intp]
    histories: NDArray[np.intp]
    obs: tuple[NDArray[np.intp], ...]
    actions: tuple[NDArray[np.intp], ...]


def play(
    game: TabularGame, policies: list[NDArray[np.float64]], episodes: int, rng: np.random.Generator
) -> Episodes:
    """Simulate ``episodes`` episodes at once: a hidden state from the prior, then each
    informer in turn samples an action from its policy at its observation."""
    states = rng.choice(game.prior.size, size=episodes, p=game.prior)
    prefix = np.zeros(episodes, np.intp)
    all_obs, all_actions = [], []
    for agent, pi in enumerate(policies):
        obs = game.observation(agent, states, prefix)
        cdf = np.cumsum(pi[obs], axis=1)
        u = rng.random(episodes)[:, None]
        actions = np.minimum((u > cdf).sum(axis=1), game.n_actions - 1).astype(np.intp)
        prefix = prefix * game.n_actions + actions
        all_obs.append(obs)
        all_actions.append(actions)
    return Episodes(states, prefix, tuple(all_obs), tuple(all_actions))


def train(
    game: TabularGame,
    learners: list[Learner],
    episodes: int,
    batch: int,
    rng: np.random.Generator,
) -> TrainingLog:
    """Train every informer at once on ``episodes`` episodes in batches of ``batch``."""
    if len(learners) != game.n_agents:
        raise InputError(f"the game has {game.n_agents} informers but {len(learners)} learners")
    log = TrainingLog()
    for b in range(max(1, episodes // batch)):
        ep = play(game, [lr.behaviour(b) for lr in learners], batch, rng)
        rewards = []
        for agent, learner in enumerate(learners):
            r = game.reward[ep.histories, agent, ep.states]
            learner.update(ep.obs[agent], ep.actions[agent], r)
            rewards.append(float(r.mean()))
        log.reward.append(rewards)
        log.true_value.append(float(game.true_value[ep.histories, ep.states].mean()))
    return log
