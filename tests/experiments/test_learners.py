"""Learners converge to the exact best response; seeds make runs reproducible."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.experiments.helpers import shipped_world, small_spec
from volition.experiments import build_game, parse_regime, subgame_perfect
from volition.experiments.learners import Bandit, PolicyGradient, make_learner, train
from volition.experiments.metrics import mean_ci, policy_distance
from volition.experiments.runner import run_cell
from volition.experiments.spec import Cell


@pytest.mark.parametrize("kind", ["policy_gradient", "bandit"])
@pytest.mark.parametrize(
    ("world", "regime"),
    [
        ("lemons", "inspection"),
        ("lemons", "rip:2"),
        ("fact_checking", "naive"),
        ("lemons", "oversight:2"),
    ],
)
def test_learners_converge_to_the_exact_best_response(kind: str, world: str, regime: str) -> None:
    game = build_game(shipped_world(world), parse_regime(regime))
    exact = subgame_perfect(game)
    learners = [make_learner(kind, game, k) for k in range(game.n_agents)]
    train(game, learners, 30_000, 500, np.random.default_rng(0))
    distance = policy_distance(game, [lr.policy() for lr in learners], exact)
    assert distance < 0.1
    # a uniform policy is far from it: the test can fail
    uniform = [
        np.full((game.n_obs(k), game.n_actions), 1 / game.n_actions) for k in range(game.n_agents)
    ]
    assert policy_distance(game, uniform, exact) > 0.5


def test_the_cherry_picking_best_response_is_learned_under_inspection() -> None:
    """Lemons, q = 2: "no defect" alone sells (ex-post value 0.6) and the learner finds it."""
    game = build_game(shipped_world("lemons"), parse_regime("inspection"))
    learner = Bandit(game.n_obs(0), game.n_actions)
    train(game, [learner], 20_000, 500, np.random.default_rng(1))
    q2 = int(game.cells[0, 1])
    assert game.action_labels[int(np.argmax(learner.policy()[q2]))] == "defect"


def test_policy_gradient_is_a_distribution_that_moves_toward_reward() -> None:
    pg = PolicyGradient(1, 3)
    obs = np.zeros(300, np.intp)
    actions = np.tile(np.arange(3), 100)
    for _ in range(20):
        pg.update(obs, actions, (actions == 2).astype(float))
    pi = pg.policy()
    assert pi.sum() == pytest.approx(1.0)
    assert int(np.argmax(pi[0])) == 2 and pi[0, 2] > 0.9


def test_a_cell_is_reproducible_and_seeds_differ(tmp_path: Path) -> None:
    spec = str(small_spec(tmp_path))
    a = run_cell(spec, Cell("fact_checking", "inspection", "bandit", 0))
    b = run_cell(spec, Cell("fact_checking", "inspection", "bandit", 0))
    c = run_cell(spec, Cell("fact_checking", "inspection", "bandit", 1))
    timing = {"train_seconds", "episodes_per_second"}
    assert {k: v for k, v in a.items() if k not in timing} == {
        k: v for k, v in b.items() if k not in timing
    }
    assert a["curve_reward"] != c["curve_reward"]


@settings(max_examples=50)
@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=30))
def test_property_the_ci_contains_the_mean(values: list[float]) -> None:
    m, lo, hi = mean_ci(values)
    assert lo <= m + 1e-9 and m <= hi + 1e-9
    assert min(values) - 1e-9 <= m <= max(values) + 1e-9
