"""The tabulated regimes agree with volition.mechanisms' exact values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.experiments.helpers import shipped_world
from volition.errors import InputError
from volition.experiments import CATEGORIES, build_game, parse_regime, subgame_perfect
from volition.experiments.learners import Fixed, play
from volition.mechanisms import (
    Inspection,
    Market,
    NoInspection,
    Offer,
    Recursive,
    StrategicSeller,
    Successive,
    examples,
    marginal_value_equilibrium,
    strategic_seller,
)


@pytest.mark.parametrize("world_name", ["fact_checking", "legumes", "lemons"])
@pytest.mark.parametrize(
    ("regime", "kind", "depth"),
    [("naive", "naive", 1), ("inspection", "inspection", 1), ("rip:2", "rip", 2)],
)
def test_the_exact_best_response_is_strategic_sellers(
    world_name: str, regime: str, kind: str, depth: int
) -> None:
    world = shipped_world(world_name, effort_cost=0.0)
    game = build_game(world, parse_regime(regime))
    exact = subgame_perfect(game)
    out = strategic_seller(
        world.problem,
        StrategicSeller(world.knows),
        kind,
        depth,
        [list(c) for c in world.context],  # type: ignore[arg-type]
    )
    support = world.problem.prior > 0
    chosen = [game.action_labels[a] for a in exact.path]
    expected = ["+".join(r) or "nothing" for r in out.revealed]
    assert [c for c, s in zip(chosen, support, strict=True) if s] == [
        e for e, s in zip(expected, support, strict=True) if s
    ]
    assert exact.expected_reward[0] == pytest.approx(out.expected_payment, abs=1e-12)
    assert exact.expected_true_value == pytest.approx(out.expected_net, abs=1e-12)


@pytest.mark.parametrize("informers", [None, 2, 3])
def test_oversight_matches_the_marginal_value_equilibrium(informers: int | None) -> None:
    setting = examples.cheap_refutation()
    from volition.experiments import World

    world = World("cheap", setting.market.problem, setting.knows, (), setting.market.levels[0], 0.0)
    game = build_game(
        world, parse_regime("oversight" if informers is None else f"oversight:{informers}")
    )
    exact = subgame_perfect(game)
    mv = marginal_value_equilibrium(
        setting.market.problem, setting.market.levels[0], informers=informers, knows=setting.knows
    )
    assert exact.expected_true_value == pytest.approx(mv.expected_value, abs=1e-12)
    assert exact.expected_reward.sum() == pytest.approx(
        float(setting.market.problem.prior @ mv.rewards.sum(axis=0)), abs=1e-12
    )


PROTOCOLS = {
    "naive": NoInspection(),
    "inspection": Inspection(),
    "successive:2": Successive(2),
    "rip:2": Recursive(2),
}


@pytest.mark.parametrize("world_name", ["fact_checking", "legumes", "lemons"])
@pytest.mark.parametrize("regime", list(PROTOCOLS))
def test_a_fixed_full_disclosure_informer_simulates_the_protocols_exact_value(
    world_name: str, regime: str
) -> None:
    """Revealing all of K every time is a fixed offer: the simulated mean of what the buyer
    keeps before paying the informer lies in its 99.7% CI (3 standard errors; twelve cases
    at 95% would fail one time in two) around ``Protocol.evaluate``'s exact value."""
    world = shipped_world(world_name)
    game = build_game(world, parse_regime(regime))
    everything = np.full(game.n_cells, game.n_actions - 1, np.intp)
    policy = Fixed(everything, game.n_obs(0), game.n_actions, game.n_cells).policy()
    ep = play(game, [policy], 40_000, np.random.default_rng(7))
    kept = game.true_value[ep.histories, ep.states]
    if regime != "naive":  # the buyer's payment to the informer is not in the protocol's value
        kept = kept + game.revenue[ep.histories, ep.states]
    else:
        kept = game.gain[ep.histories, ep.states]
    offer = Offer("everything", "informer", world.knows, 0.0)
    market = Market.build(world.problem, [[offer], *world.context])
    exact = PROTOCOLS[regime].evaluate(market).expected_true_value()
    half = 3.0 * kept.std(ddof=1) / math.sqrt(kept.size)
    assert abs(kept.mean() - exact) <= max(half, 1e-12)


def test_fact_checking_orders_cherry_picking_and_correction() -> None:
    """IP's best response at (I1, I2) = (1, 1) reveals I1 alone (cherry-picked); the
    successive and unbounded oversight buyers get the correction."""
    world = shipped_world("fact_checking")
    at_11 = [6, 7]  # states i11_E, i11_notE
    for regime, category in [
        ("inspection", "cherry_picked"),
        ("rlhf", "cherry_picked"),
        ("oversight", "corrective"),
    ]:
        game = build_game(world, parse_regime(regime))
        exact = subgame_perfect(game)
        for s in at_11:
            assert CATEGORIES[game.category[exact.path[s], s]] == category, regime
    naive = build_game(world, parse_regime("naive"))
    assert {CATEGORIES[c] for c in naive.category[subgame_perfect(naive).path, np.arange(8)]} == {
        "lemon"
    }


def test_rip_deeper_than_the_context_is_refused() -> None:
    with pytest.raises(InputError, match="context level"):
        build_game(shipped_world("lemons"), parse_regime("rip:3"))


@pytest.mark.parametrize("text", ["auction", "rip:x", "rip:0", "naive:2"])
def test_bad_regimes_say_what_is_wrong(text: str) -> None:
    with pytest.raises(InputError, match="regime"):
        parse_regime(text)
