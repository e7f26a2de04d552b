"""The regimes run through the platform's own inspection engine (``buyer: engine``): each
episode one inspection on an in-memory bazaar with the Bayesian buyer agent, rewards read
from the ledger, compared with the exact path (docs/tutorials/experiments.md, "The engine path")."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import t

from tests.experiments.helpers import EXPERIMENTS, shipped_world, small_spec
from volition.errors import FileFormatError, InputError
from volition.experiments import build_game, parse_regime
from volition.experiments.engine_buyer import EngineMarket, engine_game
from volition.experiments.runner import run_experiment
from volition.experiments.spec import load_spec

EPISODES = 160


def _ci(values: np.ndarray) -> tuple[float, float]:
    half = t.ppf(0.975, values.size - 1) * values.std(ddof=1) / math.sqrt(values.size)
    return float(values.mean() - half), float(values.mean() + half)


def _simulate(world_name: str, regime: str, policy: str, seed: int = 0) -> dict[str, object]:
    """EPISODES sampled episodes, each a separate inspection on the platform."""
    world = shipped_world(world_name)
    game = build_game(world, parse_regime(regime))
    market = EngineMarket(world, parse_regime(regime), game)
    rng = np.random.default_rng(seed)
    states = rng.choice(world.problem.prior.size, EPISODES, p=world.problem.prior)
    actions = game.fixed[policy][game.cells[0, states]]
    outs = [market.episode(int(s), int(a)) for s, a in zip(states, actions, strict=True)]
    every = np.arange(world.problem.prior.size)
    exact_actions = game.fixed[policy][game.cells[0]]
    return {
        "true_value": np.array([o.gain - o.paid for o in outs]),
        "revenue": np.array([o.reward for o in outs]),
        "exact_true_value": float(world.problem.prior @ game.true_value[exact_actions, every]),
        "exact_revenue": float(world.problem.prior @ game.revenue[exact_actions, every]),
    }


@pytest.mark.parametrize("world", ["fact_checking", "lemons", "legumes"])
@pytest.mark.parametrize("policy", ["truthful", "cherry_pick", "lemon"])
def test_inspection_on_the_engine_agrees_with_the_exact_path_within_ci(
    world: str, policy: str
) -> None:
    sim = _simulate(world, "inspection", policy)
    for name in ("true_value", "revenue"):
        values = sim[name]
        assert isinstance(values, np.ndarray)
        lo, hi = _ci(values) if values.std() > 0 else (values.mean(), values.mean())
        exact = sim[f"exact_{name}"]
        assert isinstance(exact, float)
        assert lo - 1e-5 <= exact <= hi + 1e-5, (world, policy, name, lo, exact, hi)


@pytest.mark.parametrize("policy", ["truthful", "cherry_pick", "lemon"])
def test_rip_on_the_engine_agrees_on_legumes_within_ci(policy: str) -> None:
    sim = _simulate("legumes", "rip:2", policy)
    for name in ("true_value", "revenue"):
        values = sim[name]
        assert isinstance(values, np.ndarray)
        lo, hi = _ci(values) if values.std() > 0 else (values.mean(), values.mean())
        exact = sim[f"exact_{name}"]
        assert isinstance(exact, float)
        assert lo - 1e-5 <= exact <= hi + 1e-5, (policy, name, lo, exact, hi)


def test_inspection_tables_are_the_exact_ones_up_to_the_coin() -> None:
    """IP on the engine: every (message, state) outcome equals the exact game's, to the
    micro-unit the informer's ask is rounded to."""
    for name in ("fact_checking", "lemons", "legumes"):
        world = shipped_world(name)
        exact = build_game(world, parse_regime("inspection"))
        engine = engine_game(world, parse_regime("inspection"))
        for table in ("reward", "true_value", "gain", "ex_post", "revenue", "surplus"):
            np.testing.assert_allclose(
                getattr(engine, table), getattr(exact, table), atol=2e-6, err_msg=table
            )


def test_rip_buyer_substitutes_the_cheap_context_for_a_message_at_its_full_price() -> None:
    """Where the paths differ (fact-checking and lemons, rip:2): the engine's informer posts
    its message at the exact regime's payment; the Bayesian RIP buyer then buys the context
    seller's cheaper offer (the fact-checker's I2, the mechanic's grade), which makes the
    message worth less than its price, and declines it. The exact regime pays the message
    what it adds after the context bought, so it never loses the sale that way."""
    for name in ("fact_checking", "lemons"):
        world = shipped_world(name)
        regime = parse_regime("rip:2")
        exact = build_game(world, regime)
        market = EngineMarket(world, regime, exact)
        engine = engine_game(world, regime)
        context = frozenset(x for level in world.context for o in level for x in o.reveals)
        differs = np.argwhere(np.abs(engine.revenue - exact.revenue) > 1e-5)
        assert differs.size, name
        for a, s in differs:
            out = market.episode(int(s), int(a))
            assert exact.revenue[a, s] > 0 and out.reward == 0.0, (name, a, s)
            assert out.bought == context, (name, a, s, out.bought)
            assert out.paid == pytest.approx(sum(o.price for lv in world.context for o in lv))


def test_an_episode_is_the_tabulated_outcome_and_money_is_conserved() -> None:
    world = shipped_world("fact_checking")
    regime = parse_regime("rip:2")
    game = engine_game(world, regime)
    market = EngineMarket(world, regime)
    effort = np.array([world.effort_cost * len(m) for m in world.messages()])
    for a in range(game.n_actions):
        for s in np.flatnonzero(world.problem.prior > 0):
            out = market.episode(int(s), a)
            assert out.reward - effort[a] == pytest.approx(game.reward[a, 0, s], abs=1e-12)
            assert out.gain - out.paid == pytest.approx(game.true_value[a, s], abs=1e-12)
            # the buyer's payments are the informer's and the context sellers' receipts
            assert out.paid == pytest.approx(out.reward + out.context_paid, abs=1e-12)


@pytest.mark.parametrize("regime", ["naive", "rlhf", "successive:2", "oversight"])
def test_regimes_without_an_engine_path_are_refused_naming_the_key(
    tmp_path: Path, regime: str
) -> None:
    path = small_spec(tmp_path, buyer="engine", regimes=["inspection", regime])
    with pytest.raises(FileFormatError, match=r"regimes\.1: .*cannot run with buyer: engine"):
        load_spec(path)
    with pytest.raises(InputError, match="cannot run on the engine"):
        EngineMarket(shipped_world("fact_checking"), parse_regime(regime))


def test_a_bad_buyer_is_refused_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="buyer"):
        load_spec(small_spec(tmp_path, buyer="oracle"))


def test_a_grid_runs_with_the_engine_buyer(tmp_path: Path) -> None:
    spec = small_spec(
        tmp_path,
        buyer="engine",
        learners=[{"name": "truthful", "kind": "fixed", "policy": "truthful"}],
        seeds=1,
    )
    rows = run_experiment(spec, tmp_path / "out", workers=1)
    assert [r["buyer"] for r in rows] == ["engine", "engine"]
    exact_rows = run_experiment(
        small_spec(tmp_path, learners=[{"name": "truthful", "kind": "fixed"}], seeds=1),
        tmp_path / "exact",
        workers=1,
    )
    ip = {r["regime"]: r for r in rows}["inspection"]
    ip_exact = {r["regime"]: r for r in exact_rows}["inspection"]
    assert ip["exact_reward"] == pytest.approx(ip_exact["exact_reward"], abs=2e-6)
    assert ip["revenue"] == pytest.approx(ip_exact["revenue"], abs=2e-6)  # same seeds


def test_importing_experiments_does_not_import_the_bazaar() -> None:
    code = (
        "import sys, volition.experiments, volition.experiments.runner, "
        "volition.experiments.spec, volition.experiments.env; "
        "bad = [m for m in ('fastapi', 'sqlalchemy', 'volition.bazaar') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_shipped_engine_spec_loads() -> None:
    spec, _ = load_spec(EXPERIMENTS / "fact_checking_engine.yaml")
    assert spec.buyer == "engine"
