"""One mechanism, two worlds (docs/design.md), with *stored* bots: the sellers are bayesian bots
created through ``BotService`` from the market file, run as jobs by ``BotDispatcher`` (the
engine's seller pool), and the inspection engine with the Bayesian buyer, policy ``all``,
still reproduces RIP's purchases, final action and payments in every state and scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conformance.rip import assert_conforms, inspect
from tests.support.bayesian import market_spec
from tests.support.inspection import make_world
from volition.bazaar.bot_dispatch import BotDispatcher
from volition.bazaar.domain import BotService, JobStatus, MemoryStore, Store
from volition.mechanisms import Market, Scenario, market_from_mapping

CENTS = 100

Run = Callable[[Market, int, Scenario, int, Store], tuple[list[set[str]], object, int]]


def stored_runner(spec: dict[str, Any]) -> Run:
    """A ``run_platform`` whose sellers are stored bayesian bots built from ``spec``."""

    def run(
        market: Market, depth: int, scenario: Scenario, state: int, store: Store
    ) -> tuple[list[set[str]], object, int]:
        world = make_world(store)
        service = BotService(world.bazaar)
        label = market.problem.space.states[state]
        bots = []
        for level in range(depth):
            for offer in market.menu(scenario, level):  # one owner per offer
                owner = world.seller()
                bot = service.create_bot(
                    owner.id,
                    name=f"sells {offer.id}",
                    kind="bayesian",
                    market=spec,
                    market_offer=offer.id,
                    market_state=label,
                    cents_per_unit=CENTS,
                )
                bots.append(bot)
        dispatcher = BotDispatcher(world.bazaar, service)
        result = inspect(world, market, depth, scenario, dispatcher)
        for bot in bots:  # every bot answered each context it matched, once, as a job
            jobs = service.jobs(bot.owner_id, bot.id)
            assert jobs and all(j.status is JobStatus.DONE and j.attempts == 1 for j in jobs)
        assert dispatcher.run_due() == 0  # nothing left to answer
        return result

    return run


def test_stored_bayesian_bots_conform_on_the_fact_checking_market() -> None:
    spec = market_spec()
    market = market_from_mapping(spec)
    assert assert_conforms(market, len(market.levels), MemoryStore, stored_runner(spec)) > 0


def test_stored_bayesian_bots_conform_on_legumes() -> None:
    spec = market_spec("legumes.yaml")
    market = market_from_mapping(spec)
    assert assert_conforms(market, len(market.levels), MemoryStore, stored_runner(spec)) > 0


def test_stored_bayesian_bots_conform_on_sqlite(tmp_path) -> None:
    from volition.bazaar.storage import SqlStore

    counter = iter(range(1000))

    def sqlite_store() -> Store:
        return SqlStore.open(f"sqlite:///{tmp_path}/run{next(counter)}.db")

    spec = market_spec()
    market = market_from_mapping(spec)
    assert assert_conforms(market, len(market.levels), sqlite_store, stored_runner(spec)) > 0
