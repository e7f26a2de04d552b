"""What a trained informer does to the buyer, measured per run and summarised over seeds.

Per run (:func:`evaluate`), from simulated episodes under the trained (greedy/softmax)
policies: the share of each :data:`~volition.experiments.game.CATEGORIES` in informer 0's
offers, the buyer's realised true value (eq. 1 of docs/theory.md §3) and ex-post value (eq. 2) of
what it bought, the informers' revenue, the total surplus, and, exactly, the distance of
the learned policies from the regime's subgame-perfect equilibrium (:func:`policy_distance`).
Over seeds (:func:`mean_ci`): the mean and a 95% Student-t confidence interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from volition.experiments.game import CATEGORIES, Exact, TabularGame
from volition.experiments.learners import play

__all__ = ["METRICS", "evaluate", "mean_ci", "policy_distance"]

METRICS = ("true_value", "gain", "ex_post", "revenue", "surplus", "reward")
"""Scalar outcomes per episode, averaged per run."""


def evaluate(
    game: TabularGame,
    policies: list[NDArray[np.float64]],
    exact: Exact,
    episodes: int,
    rng: np.random.Generator,
) -> dict[str, float]:
    """Simulated means of :data:`METRICS` (``reward`` is informer 0's), their standard
    errors (``*_se``), category shares (``share_*``) and the exact policy distance."""
    ep = play(game, policies, episodes, rng)
    h, s = ep.histories, ep.states
    per_episode = {
        "true_value": game.true_value[h, s],
        "gain": game.gain[h, s],
        "ex_post": game.ex_post[h, s],
        "revenue": game.revenue[h, s],
        "surplus": game.surplus[h, s],
        "reward": game.reward[h, 0, s],
    }
    out: dict[str, float] = {}
    for name, values in per_episode.items():
        out[name] = float(values.mean())
        out[f"{name}_se"] = (
            float(values.std(ddof=1) / math.sqrt(values.size)) if values.size > 1 else 0.0
        )
    counts = np.bincount(game.category[h, s], minlength=len(CATEGORIES))
    for k, name in enumerate(CATEGORIES):
        out[f"share_{name}"] = float(counts[k] / episodes)
    out["policy_distance"] = policy_distance(game, policies, exact)
    out["exact_true_value"] = exact.expected_true_value
    out["exact_gain"] = exact.expected_gain
    out["exact_reward"] = float(exact.expected_reward[0])
    return out


def policy_distance(game: TabularGame, policies: list[NDArray[np.float64]], exact: Exact) -> float:
    """1 - the probability the learned policies give the equilibrium action, averaged over
    the informers and over the states (prior-weighted) on the equilibrium path; 0 exactly
    when every informer plays its best response there."""
    states = np.arange(game.prior.size)
    prefix = np.zeros(states.size, np.intp)
    agree = np.zeros(states.size)
    for agent, pi in enumerate(policies):
        obs = game.observation(agent, states, prefix)
        best = exact.best[agent][obs]
        agree += pi[obs, best]
        prefix = prefix * game.n_actions + best
    return float(1.0 - game.prior @ agree / game.n_agents)


def mean_ci(values: Sequence[float]) -> tuple[float, float, float]:
    """The mean and its 95% Student-t interval (a zero-width interval for one value)."""
    x = np.asarray(values, dtype=float)
    m = float(x.mean())
    if x.size < 2:
        return m, m, m
    from scipy.stats import t  # scipy is a core dependency; imported here to keep import light

    half = float(t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return m, m - half, m + half
