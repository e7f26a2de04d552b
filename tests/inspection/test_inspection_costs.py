"""An inspector's tokens are paid from the inspected budget, never beyond it (issue 10).

Properties over prices, token counts, budgets and offers, on the memory store: the books stay
sound, the house holds exactly what the calls were charged, purchases and charges together
never exceed the budget, and a repeated step pays for its call once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.inspection import FUNDS, FakeClock, World, make_world
from volition.agents import Buy, BuyerAgent, BuyerReply, NodeView, Usage
from volition.bazaar.domain import EntryKind, MemoryStore, audit
from volition.bazaar.domain.ledger import HOUSE
from volition.bazaar.inspection import (
    AgentCall,
    Inspection,
    InspectionEngine,
    InspectionLimits,
    MemoryInspectionRepository,
    Outcome,
    Pricing,
)


@dataclass
class TokenBuyer:
    """An LLM-like buyer: each call reports ``usage`` (one per call, the last repeated);
    ``greedy`` buys every offer (over budget: refused and retried), else what it can afford."""

    usage: list[tuple[int, int]]
    greedy: bool = False
    name: str = "llm"
    calls: int = 0
    budgets: list[int] = field(default_factory=list)

    def decide(self, view: NodeView) -> BuyerReply:
        prompt, completion = self.usage[min(self.calls, len(self.usage) - 1)]
        self.calls += 1
        self.budgets.append(view.remaining_budget)
        chosen, left = [], view.remaining_budget
        for offer in view.offers:
            if self.greedy or offer.price <= left:
                chosen.append(offer.id)
                left -= offer.price
        return BuyerReply(Buy(tuple(chosen)), Usage(prompt, completion))


@dataclass
class Priced:
    """A resolver: ``agent`` for every inspection, at ``price``."""

    agent: TokenBuyer
    price: Pricing

    def __call__(self, inspection: Inspection) -> BuyerAgent:
        return self.agent

    def pricing(self, inspection: Inspection) -> Pricing:
        return self.price


def _run(
    world: World,
    agent: TokenBuyer,
    price: Pricing,
    budget: int,
    offer_prices: list[int],
    retries: int,
    repository: MemoryInspectionRepository | None = None,
) -> tuple[InspectionEngine, Inspection]:
    seller = world.seller()
    context = world.post("Will it rain?", budget)
    for i, cents in enumerate(offer_prices):
        world.bazaar.post_offer(
            seller.id, context.id, preview=f"p{i}", private_info=f"s{i}", price=cents
        )
    engine = InspectionEngine(
        world.bazaar,
        Priced(agent, price),
        default_agent="llm",
        repository=repository or MemoryInspectionRepository(),
        limits=InspectionLimits(max_depth=0, min_offers=len(offer_prices), max_retries=retries),
    )
    inspection = engine.start(world.buyer.id, context.id)
    return engine, inspection


def _house(world: World) -> int:
    with world.bazaar.store.begin(write=False) as uow:
        return uow.ledger.balance(HOUSE)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    budget=st.integers(0, 600),
    prompt_price=st.integers(0, 3_000_000),
    completion_price=st.integers(0, 3_000_000),
    usage=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 200)), min_size=1, max_size=3),
    offer_prices=st.lists(st.integers(0, 300), min_size=1, max_size=3),
    greedy=st.booleans(),
    retries=st.integers(0, 2),
)
def test_an_inspection_never_pays_beyond_its_budget(
    budget: int,
    prompt_price: int,
    completion_price: int,
    usage: list[tuple[int, int]],
    offer_prices: list[int],
    greedy: bool,
    retries: int,
) -> None:
    world = make_world(MemoryStore(), FakeClock())
    price = Pricing(prompt_price, completion_price)
    agent = TokenBuyer(usage, greedy)
    engine, inspection = _run(world, agent, price, budget, offer_prices, retries)
    engine.run_until_idle()

    [node] = engine.nodes(world.buyer.id, inspection.id)
    trail = engine.audit_trail(world.operator.id, inspection.id)
    spent = sum(p.price for p, _ in world.bazaar.purchases(world.buyer.id))
    house = _house(world)
    assert audit(world.bazaar.store) == []
    assert world.money() == FUNDS  # conserved: the house is paid what the buyer lost
    assert house == sum(c.charged for c in trail)
    assert spent + house <= budget
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS - spent - house
    left = budget
    for call, seen in zip(trail, agent.budgets, strict=True):
        assert seen == left  # each call sees what earlier calls left
        cost = price.cost(call.prompt_tokens, call.completion_tokens)
        assert call.charged == min(cost, left)  # the price, capped at what is left
        left -= call.charged
    if not price.free and budget == 0:
        assert trail == [] and node.outcome is Outcome.NO_BUDGET  # never asked: nothing read
        with world.bazaar.store.begin(write=False) as uow:
            assert not any(o.inspected for o in uow.offers.for_context(inspection.context_id))
    if price.free:
        assert house == 0


class FailsOnce(MemoryInspectionRepository):
    """Fails on the first agent call's record: the worker died while writing its step."""

    def __init__(self) -> None:
        super().__init__()
        self.failed: list[bool] = []  # shared with the copies joined to units of work

    def add_call(self, call: AgentCall) -> None:
        if not self.failed:
            self.failed.append(True)
            raise RuntimeError("the worker died")
        super().add_call(call)


def test_a_repeated_step_pays_for_its_call_once() -> None:
    world = make_world(MemoryStore(), FakeClock())
    price = Pricing(1_000_000, 0)  # a cent per prompt token
    agent = TokenBuyer([(7, 0), (9, 0)])  # the repeated call reads more tokens
    repository = FailsOnce()
    engine, inspection = _run(world, agent, price, 500, [100], 0, repository)
    with pytest.raises(RuntimeError, match="the worker died"):
        engine.run_until_idle()
    # the payment, the purchases and the record are one unit of work (issue 15): the death
    # rolled the payment back with the rest, so the repeated step pays for its own call once
    assert _house(world) == 0
    assert world.bazaar.purchases(world.buyer.id) == []
    world.clock.advance(engine.retry_delay.total_seconds() + 1)
    engine.run_until_idle()
    [call] = engine.audit_trail(world.operator.id, inspection.id)
    assert agent.calls == 2 and call.prompt_tokens == 9
    assert call.charged == 9 and _house(world) == 9  # the repeated call's amount, once
    with world.bazaar.store.begin(write=False) as uow:
        costs = [e for e in uow.ledger.entries() if e.kind is EntryKind.INSPECTION_COST]
    assert len(costs) == 1
    assert [p.offer_id for p, _ in world.bazaar.purchases(world.buyer.id)]
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS - 100 - 9
    assert audit(world.bazaar.store) == []
