"""The PettingZoo environment: the API test, rewards from the tables, seeded episodes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from pettingzoo.test import api_test

from tests.experiments.helpers import shipped_world
from volition.experiments import build_game, parse_regime
from volition.experiments.env import MarketEnv

REGIMES = ["naive", "inspection", "rlhf", "successive:2", "rip:2", "oversight", "oversight:2"]


@pytest.mark.parametrize("regime", REGIMES)
def test_pettingzoo_api_test_passes(regime: str) -> None:
    env = MarketEnv(build_game(shipped_world("fact_checking"), parse_regime(regime)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "observation is not a NumPy array": it is Discrete
        api_test(env, num_cycles=30, verbose_progress=False)


@pytest.mark.parametrize("regime", ["rip:2", "oversight:2"])
def test_rewards_and_infos_are_the_tables_entries(regime: str) -> None:
    game = build_game(shipped_world("lemons"), parse_regime(regime))
    env = MarketEnv(game)
    rng = np.random.default_rng(3)
    for episode in range(20):
        env.reset(seed=episode)
        history = 0
        got: dict[str, float] = {}
        for agent in env.agent_iter():
            _, reward, done, _, info = env.last()
            if done:
                got[agent] = float(reward)
                env.step(None)
                continue
            action = int(rng.integers(game.n_actions))
            history = history * game.n_actions + action
            env.step(action)
        s = info["state"]
        for k, agent in enumerate(game.agents):
            assert got[agent] == pytest.approx(game.reward[history, k, s])
        assert info["true_value"] == pytest.approx(game.true_value[history, s])


def test_the_same_seed_draws_the_same_state() -> None:
    env = MarketEnv(build_game(shipped_world("legumes"), parse_regime("inspection")))
    states = []
    for _ in range(2):
        env.reset(seed=11)
        states.append([env.observe("informer_0")])
    assert states[0] == states[1]


def test_a_bad_action_is_refused_with_the_range() -> None:
    env = MarketEnv(build_game(shipped_world("lemons"), parse_regime("naive")))
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"0\.\.3"):
        env.step(7)
