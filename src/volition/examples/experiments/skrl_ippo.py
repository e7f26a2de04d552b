"""Train the informer with an external RL library through the PettingZoo API: skrl's IPPO
(JAX backend, CPU) on the fact-checking world's ``MarketEnv``.

Install the extra first (JAX and skrl, about 530 MB installed):
    uv pip install 'volition[rl]'     # or: .tools/bin/uv sync --extra rl
    python examples/experiments/skrl_ippo.py --regime inspection --timesteps 3000

skrl's PettingZoo wrapper speaks the Parallel API. ``MarketEnv`` is an AEC environment whose
informers act in turn; in the one-informer regimes (every regime but oversight) one turn is
the whole episode, so :class:`OneShotParallel` drives the AEC environment one episode per
parallel step: ``reset`` -> ``observe``, ``step({agent: a})`` -> the AEC ``step`` and its
``rewards``, after which no agent is left (the episode is over). Observations are one-hot
codes of ``MarketEnv``'s ``Discrete`` observation.
See docs/tutorials/experiments.md ("Training with an external RL library").
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any, ClassVar, cast

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from volition.experiments import build_game, parse_regime, subgame_perfect
from volition.experiments.env import MarketEnv
from volition.experiments.spec import load_spec

SPEC = Path(__file__).with_name("fact_checking.yaml")
EMPTY_PER_AGENT = (
    "learning_rate_scheduler_kwargs",
    "observation_preprocessor_kwargs",
    "state_preprocessor_kwargs",
    "value_preprocessor_kwargs",
)


class OneShotParallel(ParallelEnv):  # type: ignore[misc]
    """A one-informer ``MarketEnv`` through the Parallel API: one step is one episode."""

    metadata: ClassVar[dict[str, Any]] = {"name": "volition_market_parallel_v0"}

    def __init__(self, env: MarketEnv) -> None:
        if len(env.possible_agents) != 1:
            raise ValueError("OneShotParallel drives one-informer regimes (not oversight)")
        self.env = env
        self.possible_agents = list(env.possible_agents)
        self.agents = list(self.possible_agents)
        agent = self.possible_agents[0]
        self.n_obs = int(cast(spaces.Discrete, env.observation_space(agent)).n)
        self.observation_spaces = {agent: spaces.Box(0.0, 1.0, (self.n_obs,), np.float32)}
        self.action_spaces = {agent: env.action_space(agent)}
        self.state_space = self.observation_spaces[agent]  # the informer sees the whole game

    def observation_space(self, agent: str) -> spaces.Space[Any]:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space[Any]:
        return self.action_spaces[agent]

    def _obs(self) -> dict[str, np.ndarray]:
        agent = self.possible_agents[0]
        code = np.zeros(self.n_obs, np.float32)
        code[int(self.env.observe(agent))] = 1.0
        return {agent: code}

    def state(self) -> np.ndarray:
        return self._obs()[self.possible_agents[0]]

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        self.env.reset(seed=seed)
        self.agents = list(self.possible_agents)
        return self._obs(), {a: {} for a in self.possible_agents}

    def step(self, actions: dict[str, Any]) -> tuple[dict[str, Any], ...]:
        agent = self.possible_agents[0]
        self.env.step(int(np.asarray(actions[agent]).reshape(-1)[0]))
        reward = {agent: float(self.env.rewards[agent])}
        infos = {agent: dict(self.env.infos[agent])}
        obs = self._obs()
        self.agents = []  # the episode is over: skrl resets when no agent is left
        return obs, reward, {agent: True}, {agent: False}, infos


def models(
    observation_space: spaces.Space[Any], action_space: spaces.Space[Any], device: Any
) -> dict[str, Any]:
    """A linear softmax policy and a linear value on the one-hot observation (skrl, flax)."""
    import flax.linen as nn
    from skrl.models.jax import CategoricalMixin, DeterministicMixin, Model

    def init_model(
        model: Any,
        observation_space: spaces.Space[Any],
        action_space: spaces.Space[Any],
        device: Any = None,
        **kwargs: Any,
    ) -> None:
        """skrl's ``Model.__init__``, which takes the spaces and the device by keyword only."""
        Model.__init__(
            model,
            observation_space=observation_space,
            action_space=action_space,
            device=device,
            **kwargs,
        )

    class Policy(CategoricalMixin, Model):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            init_model(self, *args, **kwargs)
            CategoricalMixin.__init__(self, unnormalized_log_prob=True)

        @nn.compact
        def __call__(self, inputs: dict[str, Any], role: str = "") -> tuple[Any, dict[str, Any]]:
            return nn.Dense(self.num_actions)(inputs["observations"]), {}

    class Value(DeterministicMixin, Model):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            init_model(self, *args, **kwargs)
            DeterministicMixin.__init__(self)

        @nn.compact
        def __call__(self, inputs: dict[str, Any], role: str = "") -> tuple[Any, dict[str, Any]]:
            return nn.Dense(1)(inputs["observations"]), {}

    out: dict[str, Any] = {
        "policy": Policy(observation_space, action_space, device),
        "value": Value(observation_space, action_space, device),
    }
    for model in out.values():
        model.init_state_dict(role="")
    return out


def train(regime: str = "inspection", timesteps: int = 3000, seed: int = 0) -> dict[str, float]:
    """Train with skrl's IPPO; return the greedy policy's exact expected reward and true
    value, and the regime's equilibrium values, from the tabulated game."""
    # JAX is imported here only: importing this module (its Parallel adapter) stays light
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    from skrl.envs.wrappers.jax import wrap_env
    from skrl.memories.jax import RandomMemory
    from skrl.multi_agents.jax.ippo import IPPO
    from skrl.trainers.jax import SequentialTrainer
    from skrl.utils import set_seed

    set_seed(seed)
    _, worlds = load_spec(SPEC)
    game = build_game(worlds["fact_checking"], parse_regime(regime))
    env = wrap_env(OneShotParallel(MarketEnv(game)), wrapper="pettingzoo")
    agent_id = env.possible_agents[0]
    obs_space, act_space = env.observation_space(agent_id), env.action_space(agent_id)
    nets: dict[str, dict[str, Any]] = {agent_id: models(obs_space, act_space, env.device)}
    memories = {agent_id: RandomMemory(memory_size=64, num_envs=env.num_envs, device=env.device)}
    agent = IPPO(
        possible_agents=env.possible_agents,
        models=nets,
        memories=memories,
        observation_spaces=env.observation_spaces,
        state_spaces=env.state_spaces,
        action_spaces=env.action_spaces,
        device=env.device,
        cfg={
            "rollouts": 64,
            "learning_epochs": 4,
            "mini_batches": 2,
            "discount_factor": 0.0,  # one step per episode: the reward is the return
            "learning_rate": 3e-2,
            # no TensorBoard logs or checkpoints (skrl writes them to ./runs by default):
            # the result is the greedy policy scored exactly below
            "experiment": {"write_interval": 0, "checkpoint_interval": 0},
            # skrl 2.1 reads an empty dict as a per-agent mapping missing the agents
            **{key: {agent_id: {}} for key in EMPTY_PER_AGENT},
        },
    )
    SequentialTrainer(
        env=env,
        agents=agent,
        cfg={"timesteps": timesteps, "headless": True, "disable_progressbar": True},
    ).train()
    # the greedy policy per observation, scored exactly on the game's tables
    codes = np.eye(game.n_obs(0), dtype=np.float32)
    logits, _ = nets[agent_id]["policy"].apply(
        nets[agent_id]["policy"].state_dict.params, {"observations": codes}
    )
    greedy = np.asarray(logits).argmax(axis=1)
    states = np.arange(game.prior.size)
    actions = greedy[game.cells[0]]
    exact = subgame_perfect(game)
    return {
        "reward": float(game.prior @ game.reward[actions, 0, states]),
        "true_value": float(game.prior @ game.true_value[actions, states]),
        "gain": float(game.prior @ game.gain[actions, states]),
        "equilibrium_reward": float(exact.expected_reward[0]),
        "equilibrium_gain": exact.expected_gain,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regime", default="inspection")
    parser.add_argument("--timesteps", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for key, value in train(args.regime, args.timesteps, args.seed).items():
        print(f"{key}: {value:.5f}")


if __name__ == "__main__":
    main()
